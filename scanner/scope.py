"""What a scan covered, set beside what the account could have been scanned over.

A clean result proves nothing about a region, subscription or resource type nobody looked at, so the
roll-up asks this module for the gaps of an inventory before it lets any item be 符合, and every
report prints the same scope statement. The contract is in docs/verdicts.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from scanner.inventory import Inventory


@dataclass(frozen=True)
class Scope:
    """Gaps (each a reason the scan is not the whole account) and the statement reports print."""

    gaps_en: tuple[str, ...] = ()
    gaps_zh: tuple[str, ...] = ()
    statement_en: str = ""
    statement_zh: str = ""
    sweep: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.gaps_en

    def to_dict(self) -> dict[str, Any]:
        return {
            "complete": self.complete,
            "gaps": {"zh": list(self.gaps_zh), "en": list(self.gaps_en)},
            "statement": {"zh": self.statement_zh, "en": self.statement_en},
            "sweep": self.sweep,
        }


UNKNOWN = Scope(
    gaps_en=("the scanned scope is not recorded",),
    gaps_zh=("未记录扫描范围",),
    statement_en="scope not recorded",
    statement_zh="未记录扫描范围",
)


def scope_of(inv: Inventory) -> Scope:
    """The scope of one inventory: regions, accounts, uncollected types and the whole-account sweep."""
    en: list[str] = []
    zh: list[str] = []
    raw = inv.scope or {}
    scanned = [r for r in inv.regions if r not in ("global", "*")]
    missing = sorted(set(raw.get("regions_available") or ()) - set(scanned))  # usable but not scanned
    if inv.source == "iac":
        en.append("infrastructure code shows only the resources declared in the scanned files, not the running account")
        zh.append("基础设施代码仅反映所扫描文件中声明的资源，不代表运行中的账号")
    elif raw.get("regional", True):
        if raw.get("regions_available") is None:
            en.append("the regions this account can use are not recorded")
            zh.append("未记录该账号可用的地域")
        elif missing:
            en.append(f"regions not scanned: {', '.join(missing)}")
            zh.append(f"未扫描地域：{'、'.join(missing)}")
    accounts_available = raw.get("accounts_available")
    if accounts_available:
        missing_acc = sorted(set(accounts_available) - set(inv.account_ids))
        if missing_acc:
            en.append(f"accounts not scanned: {', '.join(missing_acc)}")
            zh.append(f"未扫描账号/订阅：{'、'.join(missing_acc)}")
    # a type that was denied or failed needs no gap here: every check over it gives ERROR, so no item it
    # is linked to can pass; the reports list those collection errors
    sweep = _sweep(inv, raw.get("sweep"))
    stmt_en, stmt_zh = _statement(inv, scanned, missing, raw, sweep)
    return Scope(tuple(en), tuple(zh), stmt_en, stmt_zh, sweep)


def _sweep(inv: Inventory, raw: Any) -> dict[str, Any]:
    """Counts over the sweep listing: N resources of M types in K regions, and enabled-but-unscanned regions."""
    if not isinstance(raw, dict) or not raw.get("type"):
        return {"method": "none", "complete": False}
    from scanner.checks import load_resource_types

    rt = load_resource_types().get(raw["type"])
    rows = [r for r in inv.resources if r.type == raw["type"]]
    type_of = rt.sweep_type_of if rt else None
    types: Counter[str] = Counter()
    if type_of:
        import jmespath

        expr = jmespath.compile(type_of)
        for r in rows:
            types[str(expr.search(r.data))] += 1
    regions = sorted({r.region for r in rows if r.region not in ("global", "*", "")})
    scanned = set(inv.regions)
    return {
        "type": raw["type"],
        "method": raw.get("method", "none"),
        "complete": bool(raw.get("complete")),
        "limits": raw.get("limits", ""),
        "resources": len(rows),
        "types": len(types),
        "regions": regions,
        "outside_scan": [r for r in regions if scanned and r not in scanned],
    }


def _statement(
    inv: Inventory, scanned: list[str], missing: list[str], raw: dict[str, Any], sweep: dict[str, Any]
) -> tuple[str, str]:
    accounts = len(inv.account_ids)
    if inv.source == "iac":
        return (
            f"infrastructure code: {len(inv.resources)} declared resource(s); not the running account",
            f"基础设施代码：声明的资源 {len(inv.resources)} 个；不代表运行中的账号",
        )
    available = raw.get("regions_available")
    if raw.get("regional", True):
        of_en = f" of {len(available)} available" if available is not None else " (available regions not recorded)"
        of_zh = f"（共 {len(available)} 个可用地域）" if available is not None else "（未记录可用地域）"
        en = [f"{accounts} account(s); {len(scanned)} region(s) scanned{of_en}"]
        zh = [f"{accounts} 个账号；扫描 {len(scanned)} 个地域{of_zh}"]
        if missing:
            en[0] += f"; enabled but not scanned: {', '.join(missing)}"
            zh[0] += f"；可用但未扫描：{'、'.join(missing)}"
    else:
        en = [f"{accounts} subscription(s), every region"]
        zh = [f"{accounts} 个订阅，全部地域"]
    if sweep.get("method", "none") != "none":
        en.append(
            f"whole-account sweep ({sweep['method']}): {sweep['resources']} resource(s) of {sweep['types']} type(s) "
            f"in {len(sweep['regions'])} region(s)" + ("" if sweep["complete"] else f"; incomplete: {sweep['limits']}")
        )
        zh.append(
            f"全账号资源清点（{sweep['method']}）：{len(sweep['regions'])} 个地域 {sweep['types']} 种类型共 "
            f"{sweep['resources']} 个资源" + ("" if sweep["complete"] else f"；清点不完整：{sweep['limits']}")
        )
        if sweep["outside_scan"]:
            en.append(f"the sweep found resources in regions not scanned in detail: {', '.join(sweep['outside_scan'])}")
            zh.append(f"清点发现未详细扫描地域中的资源：{'、'.join(sweep['outside_scan'])}")
    else:
        en.append("no whole-account sweep (the cloud's inventory service was not available)")
        zh.append("未进行全账号资源清点（云平台资源清单服务不可用）")
    return "; ".join(en), "；".join(zh)

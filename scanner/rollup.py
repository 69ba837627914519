"""Roll findings up to one status per (account, requirement item) at the chosen protection level.

The rule (also in the README):

1. Links to checks of the inventory's provider that apply at this level are gathered for the item.
2. No linked check: provider responsibility -> 云服务商责任; manual assessment -> 人工核查; otherwise
   -> 未评估 ("no automated check").
3. Otherwise, over the account's findings of the linked checks (F fail, P pass, E error):
   - F > 0 and P = 0 -> 不符合; F > 0 and P > 0 -> 部分符合 (errors are listed in the reason);
   - F = 0 and E > 0 -> 未评估, with the errors as the reason (an error never counts as a pass);
   - F = E = 0 and P > 0 -> 符合 if a passing check covers the item fully, else 人工核查 (the automated
     part passed; the rest needs the assessor);
   - nothing evaluated (every linked check NOT_APPLICABLE) -> 不适用.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from scanner.catalogue import Catalogue, Item, LevelInfo
from scanner.links import Link
from scanner.model import Finding, ReqStatus, Status


@dataclass
class ItemResult:
    account: str
    item: Item
    info: LevelInfo
    status: ReqStatus
    reason_en: str
    reason_zh: str
    checks: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    failing_resources: int = 0
    max_fail_severity: str | None = None

    def reason(self, lang: str) -> str:
        return self.reason_zh if lang == "zh" else self.reason_en

    def to_dict(self) -> dict[str, object]:
        return {
            "account": self.account,
            "item": self.item.id,
            "class": self.item.class_code,
            "extension": self.item.extension,
            "clause": self.info.clause,
            "unit_id": self.info.unit_id,
            "status": self.status.key,
            "status_zh": self.status.value,
            "reason": {"zh": self.reason_zh, "en": self.reason_en},
            "checks": self.checks,
            "counts": self.counts,
            "failing_resources": self.failing_resources,
            "max_fail_severity": self.max_fail_severity,
            "unverified": self.info.unverified,
        }


_SEV_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def rollup(
    catalogue: Catalogue,
    links: dict[str, list[Link]],
    findings: list[Finding],
    provider: str,
    accounts: list[str],
    level: int,
) -> list[ItemResult]:
    by_check_account: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        by_check_account[(f.check, f.account)].append(f)
    results: list[ItemResult] = []
    for account in accounts:
        for item, info in catalogue.at_level(level):
            item_links = [lk for lk in links.get(item.id, ()) if lk.provider == provider and lk.applies_at(level)]
            results.append(_one(account, item, info, item_links, by_check_account))
    return results


def _one(
    account: str,
    item: Item,
    info: LevelInfo,
    item_links: list[Link],
    by_check_account: dict[tuple[str, str], list[Finding]],
) -> ItemResult:
    if not item_links:
        if item.responsibility == "provider":
            return ItemResult(
                account,
                item,
                info,
                ReqStatus.PROVIDER,
                "the cloud provider is responsible for this item; obtain its assessment evidence",
                "本项由云服务商负责，请获取云平台的等级测评结论等证明材料",
            )
        if item.assessment == "manual":
            return ItemResult(
                account,
                item,
                info,
                ReqStatus.MANUAL,
                "not assessable from configuration; the assessor reviews documents and interviews",
                "无法通过配置核查，需测评人员查阅文档、访谈和现场核查",
            )
        return ItemResult(
            account,
            item,
            info,
            ReqStatus.NOT_ASSESSED,
            "no automated check evidences this item for this cloud yet",
            "该云平台暂无可自动核查本项的检查",
        )
    counts = {s.value: 0 for s in Status}
    failing: set[tuple[str, str | None]] = set()
    errors: list[str] = []
    full_pass = False
    max_sev = None
    for link in item_links:
        link_pass = link_fail = link_error = 0
        for f in by_check_account.get((link.check, account), ()):
            counts[f.status.value] += 1
            if f.status is Status.FAIL:
                link_fail += 1
                failing.add((f.resource_type, f.resource_id))
                if max_sev is None or _SEV_RANK[f.severity] > _SEV_RANK[max_sev]:
                    max_sev = f.severity
            elif f.status is Status.PASS:
                link_pass += 1
            elif f.status is Status.ERROR:
                link_error += 1
                note = f"{link.check}: {f.message}"
                if note not in errors and len(errors) < 3:
                    errors.append(note)
        if link.covers == "full" and link_pass and not link_fail and not link_error:
            full_pass = True
    result = ItemResult(
        account,
        item,
        info,
        ReqStatus.NOT_APPLICABLE,
        "",
        "",
        checks=[lk.check for lk in item_links],
        counts=counts,
        failing_resources=len(failing),
        max_fail_severity=max_sev,
    )
    f_, p_, e_ = counts["FAIL"], counts["PASS"], counts["ERROR"]
    n = len(failing)
    err_en = ("; not assessed: " + " | ".join(errors)) if errors else ""
    err_zh = (f"；另有 {e_} 项无法评估：" + " | ".join(errors)) if errors else ""
    if f_ and not p_:
        result.status = ReqStatus.NON_COMPLIANT
        result.reason_en = f"{f_} failed check result(s) on {n} resource(s){err_en}"
        result.reason_zh = f"{f_} 项检查结果不通过，涉及 {n} 个资源{err_zh}"
    elif f_:
        result.status = ReqStatus.PARTIAL
        result.reason_en = f"{f_} failed and {p_} passed check result(s) ({n} resource(s) failing){err_en}"
        result.reason_zh = f"{f_} 项不通过、{p_} 项通过（{n} 个资源不通过）{err_zh}"
    elif e_:
        result.status = ReqStatus.NOT_ASSESSED
        result.reason_en = f"{e_} check result(s) could not be assessed{err_en}"
        result.reason_zh = f"{e_} 项检查结果无法评估（采集失败或字段缺失）：" + " | ".join(errors)
    elif p_:
        if full_pass:
            result.status = ReqStatus.COMPLIANT
            result.reason_en = f"all {p_} check result(s) passed"
            result.reason_zh = f"全部 {p_} 项检查结果通过"
        else:
            result.status = ReqStatus.MANUAL
            result.reason_en = (
                f"all {p_} automated check result(s) passed; they cover this item only in part, "
                "so the rest needs manual review"
            )
            result.reason_zh = f"自动检查 {p_} 项全部通过，但仅覆盖本项的一部分，其余需人工核查"
    else:
        result.status = ReqStatus.NOT_APPLICABLE
        result.reason_en = "no resources of the types the linked checks evaluate"
        result.reason_zh = "不存在相关检查所评估类型的资源"
    return result


def summary(results: list[ItemResult]) -> dict[str, int]:
    out = {s.key: 0 for s in ReqStatus}
    for r in results:
        out[r.status.key] += 1
    return out

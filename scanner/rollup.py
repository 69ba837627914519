"""Roll findings up to one status per (account, requirement item) at the chosen protection level.

The contract is docs/verdicts.md; in short, a status says only what the evidence proves:

1. A provider-responsibility item is 云服务商责任, whatever the tenant's configuration says.
2. The links to checks of the inventory's cloud that apply at this level are gathered. Results of a check
   whose service does not exist in the partition or region contribute nothing. With nothing left: a manual
   item is 人工核查, any other 未评估 ("no automated check").
3. Over the account's results of the linked checks (F fail, P pass, E error, N no subject):
   - F > 0 -> 不符合 (P = 0) or 部分符合 (P > 0); errors and scope gaps are named in the reason;
   - F = 0, E > 0 -> 未评估 (an error never counts as a pass);
   - F = E = 0, P > 0 -> 符合 only when a passing link covers the item fully, the item is automatable and
     the scan covered the whole account (every usable region and account, a complete sweep where the
     link reads one); otherwise 人工核查 with what is missing as the reason;
   - only N -> 不适用 only when a link declares that its check's resources are the item's subject, the
     item is not manual and the scope is complete; otherwise 人工核查 (nothing was there to evaluate,
     which does not show that the control exists).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from scanner.catalogue import Catalogue, Item, LevelInfo
from scanner.links import Link
from scanner.model import Finding, ReqStatus, Status, severity_rank
from scanner.scope import UNKNOWN, Scope


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


def rollup(
    catalogue: Catalogue,
    links: dict[str, list[Link]],
    findings: list[Finding],
    provider: str,
    accounts: list[str],
    level: int,
    scope: Scope | None = None,
) -> list[ItemResult]:
    """``scope`` is what the inventory covered (scanner.scope.scope_of); without it nothing can be 符合."""
    scope = scope or UNKNOWN
    by_check_account: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        by_check_account[(f.check, f.account)].append(f)
    results: list[ItemResult] = []
    for account in accounts:
        for item, info in catalogue.at_level(level):
            item_links = [lk for lk in links.get(item.id, ()) if lk.provider == provider and lk.applies_at(level)]
            results.append(_one(account, item, info, item_links, by_check_account, scope))
    return results


def _one(
    account: str,
    item: Item,
    info: LevelInfo,
    item_links: list[Link],
    by_check_account: dict[tuple[str, str], list[Finding]],
    scope: Scope,
) -> ItemResult:
    if item.responsibility == "provider":
        ask = item.ask or {}
        return ItemResult(
            account,
            item,
            info,
            ReqStatus.PROVIDER,
            PROVIDER_REASON[1] + (f"; {ask['en']}" if ask else ""),
            PROVIDER_REASON[0] + (f"；{ask['zh']}" if ask else ""),
        )
    counts = {s.value: 0 for s in Status}
    failing: set[tuple[str, str | None]] = set()
    errors: list[str] = []
    absent: list[str] = []  # types with nothing to evaluate
    full_pass = subject_absent = reads_sweep = False
    max_sev = None
    used: list[str] = []
    for link in item_links:
        link_pass = link_fail = link_error = link_absent = 0
        for f in by_check_account.get((link.check, account), ()):
            if f.status is Status.NOT_APPLICABLE and (f.evidence or {}).get("coverage") == "not_available":
                continue  # the service does not exist here: the check says nothing about the item
            counts[f.status.value] += 1
            if scope.sweep.get("type") == f.resource_type:
                reads_sweep = True
            if f.status is Status.FAIL:
                link_fail += 1
                failing.add((f.resource_type, f.resource_id))
                if severity_rank(f.severity) > severity_rank(max_sev):
                    max_sev = f.severity
            elif f.status is Status.PASS:
                link_pass += 1
            elif f.status is Status.ERROR:
                link_error += 1
                note = f"{link.check}: {f.message}"
                if note not in errors and len(errors) < 3:
                    errors.append(note)
            else:
                link_absent += 1
                if f.resource_type not in absent:
                    absent.append(f.resource_type)
        if link_pass or link_fail or link_error or link_absent:
            used.append(link.check)
        if link.covers == "full" and link_pass and not link_fail and not link_error:
            full_pass = True
        if link.subject and link_absent and not (link_pass or link_fail or link_error):
            subject_absent = True
    if not used:
        return _no_evidence(account, item, info, [lk.check for lk in item_links])
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
    gaps_en, gaps_zh = list(scope.gaps_en), list(scope.gaps_zh)
    if reads_sweep and not scope.sweep.get("complete"):
        gaps_en.append(f"the whole-account sweep is incomplete ({scope.sweep.get('limits') or 'method: none'})")
        gaps_zh.append(f"全账号资源清点不完整（{scope.sweep.get('limits') or '未清点'}）")
    scope_en = ("; not scanned: " + "; ".join(gaps_en)) if gaps_en else ""
    scope_zh = ("；扫描范围不完整：" + "；".join(gaps_zh)) if gaps_zh else ""
    f_, p_, e_ = counts["FAIL"], counts["PASS"], counts["ERROR"]
    n = len(failing)
    err_en = ("; not assessed: " + " | ".join(errors)) if errors else ""
    err_zh = (f"；另有 {e_} 项无法评估：" + " | ".join(errors)) if errors else ""
    if f_ and not p_:
        result.status = ReqStatus.NON_COMPLIANT
        result.reason_en = f"{f_} failed check result(s) on {n} resource(s){err_en}{scope_en}"
        result.reason_zh = f"{f_} 项检查结果不通过，涉及 {n} 个资源{err_zh}{scope_zh}"
    elif f_:
        result.status = ReqStatus.PARTIAL
        result.reason_en = f"{f_} failed and {p_} passed check result(s) ({n} resource(s) failing){err_en}{scope_en}"
        result.reason_zh = f"{f_} 项不通过、{p_} 项通过（{n} 个资源不通过）{err_zh}{scope_zh}"
    elif e_:
        result.status = ReqStatus.NOT_ASSESSED
        result.reason_en = f"{e_} check result(s) could not be assessed{err_en}"
        result.reason_zh = f"{e_} 项检查结果无法评估（采集失败或字段缺失）：" + " | ".join(errors)
    elif p_:
        if full_pass and item.assessment == "automated" and not gaps_en:
            result.status = ReqStatus.COMPLIANT
            result.reason_en = f"all {p_} check result(s) passed over the whole account"
            result.reason_zh = f"全部 {p_} 项检查结果通过，覆盖整个账号"
        else:
            result.status = ReqStatus.MANUAL
            if full_pass and item.assessment == "automated":
                why_en, why_zh = "", ""
            else:
                why_en = "; they cover this item only in part, so the rest needs manual review"
                why_zh = "，但仅覆盖本项的一部分，其余需人工核查"
            result.reason_en = f"all {p_} automated check result(s) passed{why_en}{scope_en}"
            result.reason_zh = f"自动检查 {p_} 项全部通过{why_zh}{scope_zh}"
    elif subject_absent and item.assessment != "manual" and not gaps_en:
        result.reason_en = f"the item's subject is absent: no {', '.join(absent)} in this account"
        result.reason_zh = f"本项的测评对象不存在：账号中没有 {'、'.join(absent)}"
    else:
        result.status = ReqStatus.MANUAL
        result.reason_en = (
            f"the automated checks found nothing to evaluate (no {', '.join(absent)}); that does not show the "
            f"control is in place, so the assessor reviews this item{scope_en}"
        )
        result.reason_zh = (
            f"自动检查未发现可评估的对象（无 {'、'.join(absent)}），不能据此认定控制措施已落实，需人工核查{scope_zh}"
        )
    return result


PROVIDER_REASON = (
    "本项由云服务商负责，不依据租户配置评分；请索取云平台的等级测评结论、备案证明及责任划分说明",
    "the cloud provider is responsible for this item and it is not scored on tenant configuration; obtain the "
    "platform's MLPS assessment conclusion, filing proof and the responsibility split",
)


def _no_evidence(account: str, item: Item, info: LevelInfo, checks: list[str]) -> ItemResult:
    """No linked check, or only checks of services absent from this partition."""
    if item.assessment == "manual":
        return ItemResult(
            account,
            item,
            info,
            ReqStatus.MANUAL,
            "not assessable from configuration; the assessor reviews documents and interviews",
            "无法通过配置核查，需测评人员查阅文档、访谈和现场核查",
            checks=checks,
        )
    if checks:
        return ItemResult(
            account,
            item,
            info,
            ReqStatus.NOT_ASSESSED,
            "the linked checks' services are not offered here, so no automated check evidences this item",
            "所关联检查对应的云服务在此不提供，暂无可自动核查本项的检查",
            checks=checks,
        )
    return ItemResult(
        account,
        item,
        info,
        ReqStatus.NOT_ASSESSED,
        "no automated check evidences this item for this cloud yet",
        "该云平台暂无可自动核查本项的检查",
    )


def summary(results: list[ItemResult]) -> dict[str, int]:
    out = {s.key: 0 for s in ReqStatus}
    for r in results:
        out[r.status.key] += 1
    return out

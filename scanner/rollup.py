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
    reason: str
    checks: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    failing_resources: int = 0
    max_fail_severity: str | None = None

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
            "reason": self.reason,
            "checks": self.checks,
            "counts": self.counts,
            "failing_resources": self.failing_resources,
            "max_fail_severity": self.max_fail_severity,
            "unverified": self.info.unverified,
        }


_SEV_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def rollup(catalogue: Catalogue, links: dict[str, list[Link]], findings: list[Finding], provider: str,
           accounts: list[str], level: int) -> list[ItemResult]:
    by_check_account: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        by_check_account[(f.check, f.account)].append(f)
    results: list[ItemResult] = []
    for account in accounts:
        for item, info in catalogue.at_level(level):
            item_links = [lk for lk in links.get(item.id, ()) if lk.provider == provider and lk.applies_at(level)]
            results.append(_one(account, item, info, item_links, by_check_account))
    return results


def _one(account: str, item: Item, info: LevelInfo, item_links: list[Link],
         by_check_account: dict[tuple[str, str], list[Finding]]) -> ItemResult:
    if not item_links:
        if item.responsibility == "provider":
            return ItemResult(account, item, info, ReqStatus.PROVIDER,
                              "the cloud provider is responsible for this item; obtain its assessment evidence")
        if item.assessment == "manual":
            return ItemResult(account, item, info, ReqStatus.MANUAL,
                              "not assessable from configuration; the assessor reviews documents and interviews")
        return ItemResult(account, item, info, ReqStatus.NOT_ASSESSED,
                          "no automated check evidences this item for this cloud yet")
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
                if len(errors) < 3:
                    errors.append(f"{link.check}: {f.message}")
        if link.covers == "full" and link_pass and not link_fail and not link_error:
            full_pass = True
    result = ItemResult(account, item, info, ReqStatus.NOT_APPLICABLE, "", checks=[lk.check for lk in item_links],
                        counts=counts, failing_resources=len(failing), max_fail_severity=max_sev)
    f_, p_, e_ = counts["FAIL"], counts["PASS"], counts["ERROR"]
    err_note = ("; errors: " + " | ".join(errors)) if errors else ""
    if f_ and not p_:
        result.status = ReqStatus.NON_COMPLIANT
        result.reason = f"{f_} failed check result(s) on {len(failing)} resource(s){err_note}"
    elif f_:
        result.status = ReqStatus.PARTIAL
        result.reason = f"{f_} failed and {p_} passed check result(s){err_note}"
    elif e_:
        result.status = ReqStatus.NOT_ASSESSED
        result.reason = f"{e_} check result(s) could not be assessed{err_note}"
    elif p_:
        if full_pass:
            result.status = ReqStatus.COMPLIANT
            result.reason = f"all {p_} check result(s) passed"
        else:
            result.status = ReqStatus.MANUAL
            result.reason = (f"all {p_} automated check result(s) passed; the checks cover this item only in "
                             "part, so the rest needs manual review")
    else:
        result.status = ReqStatus.NOT_APPLICABLE
        result.reason = "no resources of the types the linked checks evaluate"
    return result


def summary(results: list[ItemResult]) -> dict[str, int]:
    out = {s.key: 0 for s in ReqStatus}
    for r in results:
        out[r.status.key] += 1
    return out

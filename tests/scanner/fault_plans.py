"""Shared by the per-cloud fault-plan property tests: the order of how favourable a status is, and the
comparison "no item's status improves under faults" (reliability review, issue 13)."""

from __future__ import annotations

from scanner.model import ReqStatus

# how much a status claims in the account's favour; a fault may only lower it (or leave it)
FAVOUR = {
    ReqStatus.NOT_ASSESSED: 0,
    ReqStatus.NON_COMPLIANT: 0,
    ReqStatus.PARTIAL: 1,
    ReqStatus.MANUAL: 2,
    ReqStatus.NOT_APPLICABLE: 3,
    ReqStatus.COMPLIANT: 4,
    ReqStatus.PROVIDER: 5,  # never moves: provider items are not scored on tenant data
}


def improved(before: dict, after: dict) -> list[str]:
    """Items whose status under faults claims more than without them."""
    out = []
    for item, b in before.items():
        a = after[item]
        if FAVOUR[a.status] > FAVOUR[b.status]:
            out.append(f"{item}: {b.status.value} -> {a.status.value} ({a.reason('en')[:120]})")
    return out

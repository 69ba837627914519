"""The remediation plan: one entry per failing check that evidences an item at this level, worst first.

Entries are ordered by severity, candidate high-risk cases and reach, then filed under the highest-ranked
requirement item they evidence, so the plan reads in the same order as the gap table.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from reports.model import PlanEntry, Row
from scanner.checks import Check
from scanner.highrisk import case_checks
from scanner.model import severity_rank


def _plan_cases(check: str, rows: list[Row]) -> list[dict[str, str]]:
    """The candidate cases a failing check raises: those of the rows (items at this level) it was counted on."""
    cases, seen = [], set()
    for r in rows:
        if check in r.checks:
            for c in r.high_risk:
                if c["case"] not in seen and check in case_checks(c["case"]):
                    seen.add(c["case"])
                    cases.append(c)
    return cases


def plan(by_check: dict[str, list[dict[str, Any]]], checks: dict[str, Check], rows: list[Row]) -> list[PlanEntry]:
    units_by_check: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        for c in r.checks:
            units_by_check[c].append(r.ref)
    entries = []
    for key, fs in by_check.items():
        check = checks.get(key)
        if check is None or not units_by_check.get(key):
            continue  # evidences no requirement item at this level (mappings/unmapped.yaml, level-limited links)
        rem = check.remediation
        entries.append(
            PlanEntry(
                check=key,
                title_zh=check.title["zh"],
                title_en=check.title["en"],
                severity=check.severity,
                high_risk=_plan_cases(key, rows),
                items=sorted(set(units_by_check.get(key, []))),
                steps_zh=rem["zh"],
                steps_en=rem["en"],
                console=rem.get("console"),
                cli=rem.get("cli"),
                terraform=rem.get("terraform"),
                resources=[
                    {
                        "type": f["resource_type"],
                        "id": f["resource_id"],
                        "name": f["resource_name"],
                        "region": f["region"],
                    }
                    for f in fs
                ],
            )
        )
    entries.sort(key=lambda e: (-severity_rank(e.severity), not e.high_risk, -len(e.resources), e.check))
    # file each entry under the highest-ranked item it evidences; groups keep the order of their first entry
    rank = {r.ref: n for n, r in enumerate(rows)}
    groups: dict[str, list[PlanEntry]] = {}
    for e in entries:
        e.group = min(e.items, key=lambda u: rank.get(u, len(rank))) if e.items else ""
        groups.setdefault(e.group, []).append(e)
    return [e for g in groups.values() for e in g]

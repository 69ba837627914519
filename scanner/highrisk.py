"""Candidate high-risk cases (候选高风险, 依据待核实), loaded from ``mappings/high-risk.yaml``.

A case belongs to one requirement item and applies at stated levels; it is raised only there, and only
when one of its checks failed on that item. Every case rests on an unverified secondary summary, so it is
always shown with that label and source, never as a confirmed 高风险 judgement.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from scanner.errors import MlpsError
from scanner.load import package_path, read_yaml

LABEL = {"zh": "候选高风险（依据待核实）", "en": "candidate high risk (basis unverified)"}


@dataclass(frozen=True)
class Case:
    case: str
    title: dict[str, str]
    levels: tuple[int, ...]
    item: str
    checks: frozenset[str]
    condition: dict[str, str] | None

    def label(self, lang: str) -> str:
        cond = f"; {self.condition[lang]}" if self.condition else ""
        return f"{LABEL[lang]} {self.case} {self.title[lang]}{cond}"


@lru_cache(maxsize=2)
def load_cases(root: Path | None = None) -> tuple[tuple[Case, ...], dict[str, str]]:
    """(cases, source) — validated against the catalogue so that a case never names a missing item."""
    from scanner.catalogue import load_catalogue

    path = (root or package_path("mappings")) / "high-risk.yaml"
    doc = read_yaml(path)
    items = load_catalogue().by_id()
    out = []
    for n, c in enumerate(doc.get("cases") or []):
        item = items.get(c.get("item"))
        if item is None:
            raise MlpsError(f"{path}: cases[{n}]: unknown requirement item {c.get('item')!r}")
        bad = [lv for lv in c["levels"] if lv not in item.levels]
        if bad:
            raise MlpsError(f"{path}: cases[{n}]: item {item.id} does not exist at level(s) {bad}")
        out.append(
            Case(
                case=str(c["case"]),
                title=c["title"],
                levels=tuple(c["levels"]),
                item=item.id,
                checks=frozenset(c["checks"]),
                condition=c.get("condition"),
            )
        )
    return tuple(out), doc["source"]


def cases_for(item: str, level: int, failed_checks: set[str] | frozenset[str]) -> list[Case]:
    """The cases raised on ``item`` at ``level`` by these failed checks."""
    cases, _ = load_cases()
    return [c for c in cases if c.item == item and level in c.levels and c.checks & failed_checks]


def case_checks(case: str) -> frozenset[str]:
    """The checks that raise ``case`` (case numbers are unique in the file)."""
    return next((c.checks for c in load_cases()[0] if c.case == case), frozenset())


def source(lang: str) -> str:
    return load_cases()[1][lang]

"""The one assessment seam: every path to a findings document goes through here.

A live scan, ``mlps evaluate``, ``mlps iac`` and an evidence pack (written or re-checked) all do the same
thing: findings per inventory (the engine's, or checkov's for IaC) → roll-up per requirement item →
the findings document → accepted risks → the ``--fail-on`` gate. Written once, so the four can never
drift apart. The inputs a user may pass (inventory, findings file, scan folder, evidence pack) are told
apart one floor up, in ``scanner/inputs.py``, because reading a pack re-assesses its inventory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from scanner import findings as findings_doc
from scanner.catalogue import Catalogue, load_catalogue
from scanner.checks import Check, load_checks
from scanner.engine import evaluate
from scanner.errors import EXIT_GAPS
from scanner.inventory import Inventory
from scanner.links import Link, load_links
from scanner.model import Finding, severity_rank
from scanner.rollup import ItemResult, rollup
from scanner.scope import scope_of
from scanner.waivers import Waiver, apply_to_doc, open_failures

Document = dict[str, Any]
# (findings document, inventory or None, formats, language) -> {format: bytes}: reports.write.render_reports,
# handed in by whoever reads an evidence pack (the core knows no renderer)
Renderer = Callable[[Document, Inventory | None, list[str], str], dict[str, bytes]]


@dataclass
class Assessment:
    """What one assessment produced: the typed findings and item results, and the document built from them."""

    findings: list[Finding]
    results: list[ItemResult]
    doc: Document


def assess(
    inventories: Sequence[tuple[Inventory, str | None]],
    level: int,
    *,
    checks: list[Check] | None = None,
    findings_of: Callable[[Inventory], list[Finding]] | None = None,
    links: dict[str, list[Link]] | None = None,
    catalogue: Catalogue | None = None,
    waivers: list[Waiver] | None = None,
    today: date | None = None,
) -> Assessment:
    """Findings, roll-up and findings document for inventories paired with the SHA-256 of their file.

    Findings come from the engine over ``checks`` (default: the shipped checks), or from ``findings_of``
    (IaC: checkov's results for that pseudo-inventory, with ``links`` carrying the IaC twins). Waivers mark
    accepted risks in the document; they never change a requirement status.
    """
    catalogue = catalogue or load_catalogue()
    links = links if links is not None else load_links(catalogue)
    if findings_of is None:
        checks = checks if checks is not None else load_checks()
        shipped = checks

        def findings_of(inv: Inventory) -> list[Finding]:
            return evaluate(inv, shipped)

    all_findings: list[Finding] = []
    results: list[ItemResult] = []
    for inv, _ in inventories:
        fs = findings_of(inv)
        all_findings.extend(fs)
        results.extend(rollup(catalogue, links, fs, inv.provider, inv.account_ids, level, scope_of(inv)))
    params = {c.key: c.params for c in checks or () if c.params}
    doc = findings_doc.build(list(inventories), all_findings, results, level, catalogue, params)
    if waivers is not None:
        doc = apply_to_doc(doc, waivers, today)
    return Assessment(all_findings, results, doc)


def assess_inventory(
    inv: Inventory, level: int, digest: str | None, params: dict[str, dict[str, Any]] | None = None
) -> Document:
    """The findings document ``mlps evaluate`` would write for this inventory (same checks, same parameters)."""
    return assess([(inv, digest)], level, checks=load_checks(overrides=params or {})).doc


def gate(doc: Document, fail_on: str | None) -> int:
    """``--fail-on``: exit 1 when an open FAIL (one no active waiver covers) is at the severity or above."""
    if not fail_on:
        return 0
    threshold = severity_rank(fail_on)
    return EXIT_GAPS if any(severity_rank(f["severity"]) >= threshold for f in open_failures(doc)) else 0


def parameter_changes(doc: Document) -> list[dict[str, Any]]:
    """Every check parameter the findings were computed with that differs from this tool's default:
    a weakened threshold must be visible to whoever reads the report."""
    defaults = {c.key: c.params for c in load_checks()}
    out = []
    for key, params in sorted((doc.get("parameters") or {}).items()):
        for name, value in sorted((params or {}).items()):
            default = defaults.get(key, {}).get(name)
            if value != default:
                out.append({"check": key, "param": name, "value": value, "default": default})
    return out

"""Build the report model from a findings document: one ``AccountReport`` per account, rows in display order.

Statuses are read from the document, never recomputed; the remediation plan (``reports/plan.py``) and the
system survey (``reports/survey.py``) are attached per account.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from reports.model import AccountReport, Row
from reports.plan import plan
from reports.survey import survey
from scanner import inventory as inventory_mod
from scanner.assess import parameter_changes
from scanner.catalogue import CLASS_ORDER, load_catalogue
from scanner.checks import load_checks
from scanner.highrisk import cases_for
from scanner.model import ReqStatus, severity_rank
from scanner.sanitize import deep_visible
from scanner.scope import UNKNOWN as UNKNOWN_SCOPE
from scanner.waivers import open_failures


def build(doc: dict[str, Any], inv: inventory_mod.Inventory | None) -> list[AccountReport]:
    catalogue = load_catalogue()
    items = catalogue.by_id()
    checks = {c.key: c for c in load_checks()}
    level = int(doc["level"])
    out = []
    for meta in doc["inventories"]:
        for acct in meta["accounts"]:
            aid = acct["id"]
            reqs = [r for r in doc["requirements"] if r["account"] == aid]
            fails = [f for f in open_failures(doc) if f["account"] == aid]
            accepted = [f for f in doc["findings"] if f["account"] == aid and "waiver" in f]
            by_check: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for f in fails:
                by_check[f["check"]].append(f)
            rows = []
            for r in reqs:
                it = items[r["item"]]
                hr = [
                    {"case": c.case, "zh": c.label("zh"), "en": c.label("en")}
                    for c in cases_for(it.id, level, {c for c in r["checks"] if by_check.get(c)})
                ]
                rows.append(
                    Row(
                        item=it.id,
                        class_code=it.class_code,
                        class_zh=it.class_zh,
                        class_en=it.class_en,
                        extension=it.extension,
                        cp_zh=it.control_point_zh,
                        cp_en=it.control_point_en,
                        clause=r["clause"],
                        unit_id=r["unit_id"],
                        text_zh=it.text(level, "zh"),
                        text_en=it.text(level, "en"),
                        status=r["status"],
                        reason_zh=r["reason"]["zh"],
                        reason_en=r["reason"]["en"],
                        checks=r["checks"],
                        failing_resources=r["failing_resources"],
                        max_fail_severity=r["max_fail_severity"],
                        unverified=r["unverified"],
                        high_risk=hr,
                        responsibility=it.responsibility,
                        accepted=r.get("accepted_findings", 0),
                    )
                )
            rows.sort(
                key=lambda x: (
                    ReqStatus.from_key(x.status).rank,
                    -severity_rank(x.max_fail_severity),
                    not x.high_risk,
                    -x.failing_resources,
                    x.class_code,
                    x.clause,
                )
            )
            entries = plan(by_check, checks, rows)
            manual = [r for r in rows if r.status in ("manual", "provider") and not r.checks]
            account_inv = inv if inv is not None and aid in inv.account_ids else None
            out.append(
                AccountReport(
                    provider=meta["provider"],
                    account=aid,
                    account_name=acct.get("name"),
                    regions=meta["regions"],
                    identity=meta["identity"],
                    started_at=meta["scan"]["started_at"],
                    finished_at=meta["scan"]["finished_at"],
                    tool_version=meta["tool_version"],
                    catalogue_version=doc["catalogue_version"],
                    level=level,
                    rows=rows,
                    failures=fails,
                    plan=entries,
                    manual=manual,
                    collection_errors=[e for e in meta["collection_errors"] if e["account"] == aid],
                    survey=survey(account_inv, aid, doc["findings"]) if account_inv else None,
                    scope=meta.get("scope") or UNKNOWN_SCOPE.to_dict(),
                    parameter_changes=parameter_changes(doc),
                    pack_verification=doc.get("pack_verification"),
                    summary=dict(Counter(r.status for r in rows)),
                    by_class=_by_class(rows),
                    accepted=accepted,
                    expired_waivers=[
                        w for w in (doc.get("waivers") or {}).get("expired", []) if w.get("account") in (None, aid)
                    ],
                )
            )
    # names, tags and reasons come from clouds and files we do not control: no control or bidi character
    # reaches any report (they would break a workbook, move a cursor or reorder text)
    return [deep_visible(a) for a in out]


def _by_class(rows: list[Row]) -> list[dict[str, Any]]:
    """Status counts per 安全类, general classes before cloud-extension rows of the same class."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in sorted(rows, key=lambda r: CLASS_ORDER.index(r.class_code) if r.class_code in CLASS_ORDER else 99):
        entry = out.setdefault(
            (r.class_code, r.class_zh), {"code": r.class_code, "zh": r.class_zh, "en": r.class_en, "counts": Counter()}
        )
        entry["counts"][r.status] += 1
    return [{**e, "counts": dict(e["counts"]), "total": sum(e["counts"].values())} for e in out.values()]

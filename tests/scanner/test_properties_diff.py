"""Properties of comparing findings documents (``scanner.diff.diff``) and of applying waivers
(``scanner.waivers.apply_to_doc``).

``mlps diff`` tells a team what they fixed and what is new, and waivers record accepted risk; both are
read by people deciding whether a system passes. A document compared with itself must show no change,
every earlier failure must land in exactly one bucket, and no waiver may ever move a requirement's
verdict (scanner/waivers.py: "it never turns a requirement into 符合"). The documents come from the strategies of
tests/scanner/test_properties_findings.py, which are checked against findings.schema.json there.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.diff import diff
from scanner.model import ReqStatus, Status
from scanner.waivers import Waiver, apply_to_doc, open_failures
from tests.scanner.test_properties_findings import ACCOUNTS, CHECK_IDS, FINDINGS, ITEMS, REQUIREMENTS, findings_docs

SETTINGS = settings(max_examples=100, deadline=None)
BUCKETS = ("new", "fixed", "still_open", "unassessed", "removed")


def _key(f: dict[str, Any]) -> tuple[Any, ...]:
    """What diff matches findings on, written out here rather than imported: a null id and "" are one."""
    return (f["account"], f["check"], f["resource_type"], f["resource_id"] or "", f["region"])


def _failing(doc: dict[str, Any]) -> set[tuple[Any, ...]]:
    last = {_key(f): f["status"] for f in doc["findings"]}  # a repeated key: the last row stands
    return {k for k, s in last.items() if s == "FAIL"}


@SETTINGS
@given(findings_docs(unique_requirements=True))
def test_a_document_compared_with_itself_shows_no_change(doc: dict[str, Any]) -> None:
    d = diff(doc, copy.deepcopy(doc))
    unchanged = ("new", "fixed", "removed", "unassessed", "status_changes")
    assert [d["counts"][k] for k in unchanged] == [0] * len(unchanged)
    assert d["status_changes"] == []
    assert d["counts"]["still_open"] == len(_failing(doc))  # every failure is still open, once
    assert {k: len(v) for k, v in d["findings"].items()} == {k: d["counts"][k] for k in BUCKETS}


@st.composite
def rescans(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """An earlier document and a later scan of the same estate: findings kept, re-judged, gone or new,
    requirements kept, moved, dropped or added (two independent documents would rarely share a key)."""
    old = draw(findings_docs(unique_requirements=True))
    new = draw(findings_docs(unique_requirements=True))
    statuses = st.sampled_from([s.value for s in Status])
    kept = []
    for f in old["findings"]:
        fate = draw(st.sampled_from(["same", "rejudged", "gone"]))
        if fate != "gone":
            kept.append(f | {"status": draw(statuses)} if fate == "rejudged" else dict(f))
    new["findings"] = draw(st.permutations(kept + new["findings"]))
    reqs = []
    for r in old["requirements"]:
        fate = draw(st.sampled_from(["same", "moved", "gone"]))
        if fate != "gone":
            status = draw(st.sampled_from(list(ReqStatus))) if fate == "moved" else None
            reqs.append(r | {"status": status.key, "status_zh": status.value} if status else dict(r))
    taken = {(r["account"], r["item"]) for r in reqs}
    new["requirements"] = reqs + [r for r in new["requirements"] if (r["account"], r["item"]) not in taken]
    return old, new


@SETTINGS
@given(rescans())
def test_every_failure_lands_in_exactly_one_bucket(scans: tuple[dict[str, Any], dict[str, Any]]) -> None:
    old, new = scans
    d = diff(old, new)
    keys = {b: [_key(f) for f in d["findings"][b]] for b in BUCKETS}
    assert all(len(v) == len(set(v)) for v in keys.values())  # no finding twice in a bucket
    was, now = _failing(old), _failing(new)
    # earlier failures: still open, fixed, gone from the scan, or no longer assessed; never two of these
    assert sorted(keys["still_open"] + keys["fixed"] + keys["removed"] + keys["unassessed"]) == sorted(was)
    # current failures: new or still open
    assert sorted(keys["new"] + keys["still_open"]) == sorted(now)
    assert set(keys["new"]).isdisjoint(was) and set(keys["still_open"]) <= was
    # losing sight of a resource is not remediation: "fixed" only when it now passes or does not apply
    assert all(f["now"] in ("PASS", "NOT_APPLICABLE") for f in d["findings"]["fixed"])
    assert all(f["status"] == "ERROR" for f in d["findings"]["unassessed"])
    # a status change is reported for exactly the requirements present in both whose status differs
    before = {(r["account"], r["item"]): r["status"] for r in old["requirements"]}
    after = {(r["account"], r["item"]): r["status"] for r in new["requirements"]}
    changed = sorted((k, before[k], after[k]) for k in before.keys() & after.keys() if before[k] != after[k])
    assert sorted(((c["account"], c["item"]), c["old"], c["new"]) for c in d["status_changes"]) == changed


TODAY = date(2026, 11, 28)
WAIVERS = st.lists(
    st.builds(
        Waiver,
        id=st.sampled_from(["W1", "W2", "W3", "W4"]),
        check=st.none() | CHECK_IDS | st.sampled_from(["aws/*", "*", "alibaba/?", "azure/[de]"]),
        item=st.none() | ITEMS,
        resource=st.sampled_from(["*", "*", "*", "r1", "r?", "", "*中*"]),
        account=st.none() | ACCOUNTS,
        reason=st.just("accepted"),
        owner=st.just("ops"),
        expires=st.integers(-3, 3).map(lambda n: TODAY + timedelta(days=n)),
    ),
    max_size=4,
    unique_by=lambda w: w.id,
)


@st.composite
def waived_documents(draw: st.DrawFn) -> tuple[dict[str, Any], list[Waiver]]:
    """A document with failures, requirements that link them, and waivers, some aimed at those failures
    (random waivers alone seldom match a finding, and a random requirement seldom links it)."""
    doc = draw(findings_docs())
    failures = draw(st.lists(FINDINGS.map(lambda f: f | {"status": "FAIL"}), min_size=1, max_size=3))
    doc["findings"] = draw(st.permutations(doc["findings"] + failures))
    waivers = draw(WAIVERS)
    for n, f in enumerate(failures):
        linked = draw(REQUIREMENTS)
        doc["requirements"].append(linked | {"account": f["account"], "checks": [*linked["checks"], f["check"]]})
        waivers.append(
            Waiver(
                id=f"A{n}",
                check=draw(st.sampled_from([f["check"], f["check"].split("/")[0] + "/*", None])),
                item=draw(st.sampled_from([None, linked["item"]])),
                resource=draw(st.sampled_from(["*", f["resource_id"] or "*"])),
                account=draw(st.sampled_from([f["account"], None])),
                reason="accepted",
                owner="ops",
                expires=TODAY + timedelta(days=draw(st.integers(-2, 2))),
            )
        )
    return doc, waivers


def _without(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != key} for r in rows]


@SETTINGS
@given(waived_documents())
def test_waivers_never_change_a_verdict_or_a_status(case: tuple[dict[str, Any], list[Waiver]]) -> None:
    doc, waivers = case
    before = copy.deepcopy(doc)
    out = apply_to_doc(doc, waivers, TODAY)
    assert doc == before  # the input is not touched
    # every requirement keeps its verdict, reason and counts: waivers only add accepted_findings
    assert _without(out["requirements"], "accepted_findings") == doc["requirements"]
    # every finding keeps its status: a waived failure stays a failure, with the waiver beside it
    assert _without(out["findings"], "waiver") == doc["findings"]
    waived = [f for f in out["findings"] if "waiver" in f]
    assert all(f["status"] == "FAIL" for f in waived)
    live = {w.id for w in waivers if w.expires >= TODAY}
    assert {f["waiver"]["id"] for f in waived} <= live  # an expired waiver waives nothing
    assert len(open_failures(out)) + len(waived) == sum(f["status"] == "FAIL" for f in doc["findings"])
    assert {k: v for k, v in out.items() if k not in ("requirements", "findings", "waivers")} == {
        k: v for k, v in doc.items() if k not in ("requirements", "findings")
    }

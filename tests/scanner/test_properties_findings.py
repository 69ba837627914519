"""Properties of the findings document writer (``scanner.findings.dumps`` and ``write``).

``dumps`` is a hand-written JSON serialiser (one requirement or finding per line, for diffs and speed), so
nothing but these tests checks that what it writes is JSON at all, that it reads back as the same
document, and that the same document always gives the same bytes, which baselines, diffs and evidence
packs rely on. The document strategies here are shared with tests/scanner/test_properties_diff.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from scanner.findings import KIND, SCHEMA_VERSION, dumps, write
from scanner.inventory import read_json
from scanner.load import schema
from scanner.model import SEVERITIES, ReqStatus, Status

# ---- strategies -------------------------------------------------------------------------------------

# Any Unicode text except lone surrogates (those are exercised by the surrogate test at the end).
TEXT = st.text(max_size=12)
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT
)  # NaN is not equal to itself and Infinity is not JSON: neither is a findings value
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=8
)
JSON_OBJECTS = st.dictionaries(TEXT, JSON, max_size=3)

# Small pools, so that two generated findings often share a key (what diff and waivers match on).
ACCOUNTS = st.sampled_from(["111122223333", "444455556666"])
CHECK_IDS = st.sampled_from(["aws/a", "aws/b-2", "alibaba/c", "azure/d"])
ITEMS = st.sampled_from(["L3-CES1-01", "L3-CES1-28", "L3-CNS2-02", "L2-X"])
# Free text the writer only copies: a few values, to spend the generation budget on findings.
LABELS = st.sampled_from(["", "8.1.4.2 a)", "身份鉴别", "x\ny", '"\\'])


FINDINGS = st.fixed_dictionaries(
    {
        "check": CHECK_IDS,
        "account": ACCOUNTS,
        "region": st.sampled_from(["cn-north-1", "cn-hangzhou", "chinaeast2", "*"]),
        "resource_type": st.sampled_from(["aws.s3.bucket", "alibaba.ecs.instance", "azure.vm"]),
        "resource_id": st.none() | st.sampled_from(["", "r1", "r2"]) | TEXT,
        "resource_name": st.none() | TEXT,
        "status": st.sampled_from(["FAIL", *(s.value for s in Status)]),  # FAIL twice: what diffs and waivers act on
        "severity": st.sampled_from(SEVERITIES),
        "message": TEXT,
        "evidence": JSON_OBJECTS,
    }
)


def _requirement(fields: dict[str, Any], status: ReqStatus) -> dict[str, Any]:
    keys = ("account", "item", "class", "extension", "clause", "unit_id")
    return {k: fields[k] for k in keys} | {"status": status.key, "status_zh": status.value} | fields


REQUIREMENTS = st.tuples(
    st.fixed_dictionaries(
        {
            "account": ACCOUNTS,
            "item": ITEMS,
            "class": LABELS,
            "extension": st.sampled_from(["general", "cloud"]),
            "clause": LABELS,
            "unit_id": st.none() | LABELS,
            "reason": st.fixed_dictionaries({"zh": LABELS, "en": LABELS}),
            "checks": st.lists(CHECK_IDS, max_size=3, unique=True),
            "counts": st.sampled_from([{}, {"PASS": 1}, {"FAIL": 2, "ERROR": 1}, {"NOT_APPLICABLE": 10**6}]),
            "failing_resources": st.integers(0, 10**6),
            "max_fail_severity": st.none() | st.sampled_from(SEVERITIES),
            "unverified": st.sampled_from([[], ["clause"], ["unit_id", "text"]]),
        }
    ),
    st.sampled_from(list(ReqStatus)),
).map(lambda t: _requirement(*t))


COVERAGE = st.fixed_dictionaries(
    {
        "account": LABELS,
        "region": LABELS,
        "type": LABELS,
        "status": st.sampled_from(["ok", "denied", "error", "not_available"]),
    },
    optional={"reason": LABELS, "permission": LABELS},
)
INVENTORY_META = st.fixed_dictionaries(
    {
        "provider": st.sampled_from(["aws", "alibaba", "azure"]),
        "source": st.sampled_from(["live", "iac", "example"]),
        "accounts": st.lists(st.fixed_dictionaries({"id": LABELS}, optional={"name": st.none() | LABELS}), max_size=2),
        "regions": st.lists(LABELS, max_size=2),
        "identity": JSON_OBJECTS,
        "scan": st.fixed_dictionaries({"started_at": LABELS, "finished_at": LABELS}),
        "tool_version": LABELS,
        "sha256": st.none() | st.text("0123456789abcdef", min_size=64, max_size=64),
        "resources": st.integers(0, 10**6),
        "collection_errors": st.lists(COVERAGE, max_size=2),
    }
)
SUMMARY = st.fixed_dictionaries({s.key: st.integers(0, 1000) for s in ReqStatus})


def findings_docs(unique_requirements: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Documents of the shape scanner.findings.build writes (valid against findings.schema.json).

    ``unique_requirements``: one row per (account, item), as the roll-up produces."""
    reqs = st.lists(
        REQUIREMENTS, max_size=5, unique_by=(lambda r: (r["account"], r["item"])) if unique_requirements else None
    )
    return st.fixed_dictionaries(
        {
            "kind": st.just(KIND),
            "schema_version": st.just(SCHEMA_VERSION),
            "tool": st.fixed_dictionaries({"name": st.just("mlps-scanner"), "version": LABELS}),
            "catalogue_version": LABELS,
            "generated_at": st.datetimes().map(lambda d: d.replace(microsecond=0).isoformat() + "Z"),
            "level": st.sampled_from([2, 3, 4]),
            "parameters": st.dictionaries(LABELS, JSON_OBJECTS, max_size=1),
            "inventories": st.lists(INVENTORY_META, max_size=1),
            "summary": SUMMARY,
            "requirements": reqs,
            "findings": st.lists(FINDINGS, max_size=6),
        }
    )


# Any JSON object at the top, with "requirements" and "findings" often present but holding any value.
ANY_DOCS = st.dictionaries(st.sampled_from(["requirements", "findings"]) | TEXT, JSON, max_size=6) | st.dictionaries(
    st.sampled_from(["requirements", "findings", "kind"]), st.lists(JSON, max_size=4), max_size=3
)

# ---- properties -------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(findings_docs())
def test_the_generated_documents_are_valid_findings_documents(doc: dict[str, Any]) -> None:
    """Keeps the strategy honest: if the schema moves, the properties below must move with it."""
    assert list(schema("findings").iter_errors(doc)) == []


@settings(max_examples=100, deadline=None)
@given(findings_docs() | ANY_DOCS)
@example({})
@example({"findings": [], "requirements": []})
@example({"findings": "not a list", "requirements": {"a": [1]}})
@example({"findings": [{"message": 'line\nbreak \u2028 \u2029 "quoted" \\ 中文'}]})
def test_dumps_reads_back_as_the_same_document(doc: dict[str, Any]) -> None:
    assert json.loads(dumps(doc)) == doc


@settings(max_examples=100, deadline=None)
@given(findings_docs() | ANY_DOCS)
def test_dumps_is_deterministic_and_a_fixed_point_of_reading(doc: dict[str, Any]) -> None:
    out = dumps(doc)
    assert dumps(copy.deepcopy(doc)) == out
    # reading the file and writing it again gives the same bytes: what baselines and packs compare
    assert dumps(json.loads(out)) == out
    assert out.endswith("}\n")


@settings(max_examples=100, deadline=None)
@given(findings_docs() | ANY_DOCS)
def test_each_requirement_and_finding_is_one_line(doc: dict[str, Any]) -> None:
    """The diff-friendly layout the docstring promises: one row per line, in order."""
    lines = dumps(doc).split("\n")
    for key in ("requirements", "findings"):
        rows = doc.get(key)
        if not isinstance(rows, list) or not rows:
            continue
        start = lines.index(f" {json.dumps(key)}: [")
        body = lines[start + 1 : start + 1 + len(rows)]
        assert all(line.startswith("  ") for line in body)
        assert [json.loads(line.strip().removesuffix(",")) for line in body] == rows
        assert lines[start + 1 + len(rows)] in (" ]", " ],")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(findings_docs())
def test_write_then_read_gives_the_document_back(tmp_path: Path, doc: dict[str, Any]) -> None:
    path = write(doc, tmp_path / "findings.json")
    assert read_json(path) == doc
    assert path.read_text(encoding="utf-8") == dumps(doc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.characters(categories=["Cs"]), min_size=1, max_size=2))
@example("\ud800")
def test_write_accepts_every_string_json_can_read(tmp_path: Path, name: str) -> None:
    """json.loads('"\\ud800"') is a valid read, so an inventory can carry such a string into a finding."""
    assume(json.loads(json.dumps(name)) == name)  # two surrogates json.loads would have read as one character
    doc = {"findings": [{"resource_name": name}]}
    assert read_json(write(doc, tmp_path / "findings.json")) == doc

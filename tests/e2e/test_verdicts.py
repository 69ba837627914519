"""The assessor review's reproduced cases, through the CLI: no false 符合, no false 不适用, provider items
never scored on tenant settings, the scope stated in every report, high-risk cases only where they apply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scanner.catalogue import load_catalogue
from scanner.load import package_path
from tests.e2e.test_cli import findings_of, mlps

EXAMPLES = package_path("scanner") / "examples"


def by_item(doc: dict) -> dict[str, dict]:
    return {r["item"]: r for r in doc["requirements"]}


def test_region_limited_clean_scan_is_not_compliant(tmp_path: Path):
    """Review §5.1 (b): a clean Alibaba scan limited to cn-hangzhou gave 8.2.4.5 a) and 8.2.1.1 符合."""
    doc = json.loads((EXAMPLES / "alibaba.json").read_text(encoding="utf-8"))
    doc["regions"] = ["cn-hangzhou"]
    doc["coverage"] = [dict(c, status="ok") for c in doc["coverage"] if c["region"] != "cn-hongkong"]
    for c in doc["coverage"]:
        c.pop("reason", None)
    doc["resources"] = [r for r in doc["resources"] if r["region"] in ("cn-hangzhou", "global")]
    for r in doc["resources"]:
        if r["type"] == "alibaba.oss.bucket":
            r["data"]["Replication"] = []
    path = tmp_path / "one-region.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    rows = by_item(findings_of(tmp_path, str(path)))
    ces = rows["L3-CES2-10"]
    assert ces["status"] == "manual", ces
    assert "regions not scanned: ap-southeast-1, cn-hongkong, cn-shanghai" in ces["reason"]["en"]
    assert "未扫描地域" in ces["reason"]["zh"]
    assert rows["L3-PES2-01"]["status"] == "provider"
    assert not [r["item"] for r in rows.values() if r["status"] in ("compliant", "not_applicable")]


@pytest.mark.parametrize(
    "example,level,items",
    [
        ("aws", "3", ["L3-CES1-34", "L3-CNS1-06", "L3-ABS1-13"]),
        ("azure", "3", ["L3-ABS1-16", "L3-SMC1-09", "L3-ABS1-09", "L3-ABS2-03", "L3-CES2-01", "L3-CES2-14"]),
        (
            "alibaba",
            "3",
            ["L3-CES1-23", "L3-ABS1-10", "L3-CES1-22", "L3-ABS2-05", "L3-ABS2-06", "L3-CES2-06", "L3-SMC1-12"],
        ),
        ("aws", "4", ["L4-ABS1-11", "L3-CES1-23"]),
    ],
)
def test_review_false_not_applicable_rows(tmp_path: Path, example: str, level: str, items: list[str]):
    """Review §5.2: every row that came out 不适用 because a control (or its service) was absent."""
    rows = by_item(findings_of(tmp_path, f"example:{example}", level=level))
    wrong = {i: rows[i]["status"] for i in items if rows[i]["status"] == "not_applicable"}
    assert wrong == {}
    if example == "azure":  # NSGs and no flow logs: the control is missing, so it fails
        assert rows["L3-ABS1-16"]["status"] in ("non_compliant", "partial")
    if example == "aws" and level == "4":  # 9.1.3.2 e) is its own, manual item; no WAF link reaches it
        assert rows["L4-ABS1-11"]["status"] == "manual" and rows["L4-ABS1-11"]["checks"] == []


@pytest.mark.parametrize("example", ["aws", "alibaba", "azure"])
@pytest.mark.parametrize("level", ["2", "3", "4"])
def test_no_provider_item_is_scored_on_tenant_evidence(tmp_path: Path, example: str, level: str):
    items = load_catalogue().by_id()
    doc = findings_of(tmp_path, f"example:{example}", level=level)
    for r in doc["requirements"]:
        if items[r["item"]].responsibility == "provider":
            assert r["status"] == "provider" and r["checks"] == [] and not any(r["counts"].values()), r
    rows = by_item(doc)
    for item in ("L3-ABS2-08", "L3-CES2-11", "L3-CNS2-03", "L3-MMS2-01", "L3-PES2-01"):
        assert rows[item]["status"] == "provider"
    if "L3-CNS2-01" in rows:
        assert "备案级别" in rows["L3-CNS2-01"]["reason"]["zh"]


@pytest.mark.parametrize("example", ["aws", "alibaba", "azure"])
def test_every_report_format_states_the_scope(tmp_path: Path, example: str):
    doc = findings_of(tmp_path, f"example:{example}")
    scope = doc["inventories"][0]["scope"]
    statement = scope["statement"]["zh"]
    assert statement
    out = tmp_path / "reports"
    r = mlps("report", f"example:{example}", "--out", str(out), "--format", "html,xlsx,md,json", "--lang", "zh")
    assert r.returncode == 0, r.stderr
    assert statement in (out / "report.md").read_text(encoding="utf-8")
    assert statement in (out / "report.html").read_text(encoding="utf-8")
    (acct,) = json.loads((out / "report.json").read_text(encoding="utf-8"))["accounts"]
    assert acct["scope"]["statement"]["zh"] == statement
    ws = load_workbook(out / "report.xlsx")["概览"]
    assert any(statement in str(c.value) for row in ws.iter_rows() for c in row if c.value)
    terminal = mlps("evaluate", f"example:{example}", "--lang", "zh")
    assert "扫描范围" in terminal.stdout and statement in terminal.stdout.replace("\n", "")


def test_alibaba_example_states_its_unscanned_regions_and_what_the_sweep_found(tmp_path: Path):
    doc = findings_of(tmp_path, "example:alibaba")
    scope = doc["inventories"][0]["scope"]
    assert scope["complete"] is False
    assert "enabled but not scanned: ap-southeast-1, cn-shanghai" in scope["statement"]["en"]
    assert "regions not scanned in detail: ap-southeast-1" in scope["statement"]["en"]
    sweep_fail = [
        f["resource_id"]
        for f in doc["findings"]
        if f["check"] == "alibaba/account-resources-in-mainland-china" and f["status"] == "FAIL"
    ]
    assert "ACS::ECS::Instance/i-t4nexport0000001" in sweep_fail  # only the sweep sees ap-southeast-1


def test_high_risk_cases_only_at_their_levels_and_items(tmp_path: Path):
    def plan(level: str) -> list[dict]:
        out = tmp_path / f"l{level}"
        r = mlps("report", "example:aws", "--level", level, "--out", str(out), "--format", "json", "--lang", "zh")
        assert r.returncode == 0, r.stderr
        (acct,) = json.loads((out / "report.json").read_text(encoding="utf-8"))["accounts"]
        return acct

    l3, l2 = plan("3"), plan("2")
    cases3 = {c["case"] for row in l3["rows"] for c in row["high_risk"]}
    cases2 = {c["case"] for row in l2["rows"] for c in row["high_risk"]}
    assert "6.5.1.2" in cases3 and "6.5.1.2" not in cases2  # retention case is level 3 and up
    for row in l3["rows"]:
        for c in row["high_risk"]:
            assert c["zh"].startswith("候选高风险（依据待核实）")
            if c["case"] == "6.5.1.2":
                assert row["item"] == "L3-SMC1-10"  # never on the trail-enabled items
    trail = [e for e in l3["plan"] if e["check"] == "aws/multi-region-cloudtrail-enabled"]
    assert all(not e["high_risk"] for e in trail)

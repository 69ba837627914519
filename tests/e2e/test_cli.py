"""End to end through the installed ``mlps`` command, on the built-in example inventories."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.load import schema

MLPS = shutil.which("mlps") or ""


def mlps(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    cmd = [MLPS, *args] if MLPS else [sys.executable, "-m", "cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=120)


def findings_of(tmp_path: Path, *inputs: str, level: str = "3") -> dict:
    out = tmp_path / "findings.json"
    r = mlps("evaluate", *inputs, "--level", level, "--format", "json", "--output", str(out))
    assert r.returncode == 0, r.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def req(doc: dict, unit_id: str) -> dict:
    (r,) = [r for r in doc["requirements"] if r["unit_id"] == unit_id]
    return r


def test_evaluate_aws_example_writes_schema_valid_findings(tmp_path: Path):
    doc = findings_of(tmp_path, "example:aws")
    errors = list(schema("findings").iter_errors(doc))
    assert errors == []
    assert doc["level"] == 3 and doc["inventories"][0]["provider"] == "aws"
    assert len(doc["inventories"][0]["sha256"]) == 64
    by = {(f["check"], f["resource_id"]): f["status"] for f in doc["findings"]}
    assert by[("aws/restricted-common-ports", "sg-0ssh0000000000002")] == "FAIL"
    assert by[("aws/restricted-common-ports", "sg-0web0000000000001")] == "PASS"
    assert by[("aws/iam-root-access-key-check", "123456789012")] == "FAIL"
    assert by[("aws/mfa-enabled-for-iam-console-access", "AIDAEXAMPLEBOB000002")] == "FAIL"
    assert by[("aws/cw-loggroup-retention-period-check", "/aws/vpc/flow")] == "FAIL"
    assert by[("aws/iam-policy-no-statements-with-admin-access", "ANPAEXAMPLEPOLICY002")] == "FAIL"
    # per requirement item
    assert req(doc, "L3-CES1-06")["status_zh"] == "不符合"  # root access key
    assert req(doc, "L3-CES1-04")["status_zh"] == "部分符合"  # root has MFA, bob does not
    assert req(doc, "L3-CNS2-02")["status_zh"] == "云服务商责任"
    # all resources in cn-north-1 / cn-northwest-1, yet region evidence covers the item only in part
    assert req(doc, "L3-CES2-10")["status_zh"] == "人工核查"
    # Security Hub was denied in the example: recorded as a collection error with the permission
    errs = doc["inventories"][0]["collection_errors"]
    assert {e["permission"] for e in errs} == {"securityhub:DescribeHub"}


def test_hong_kong_resources_fail_data_location(tmp_path: Path):
    doc = findings_of(tmp_path, "example:alibaba")
    loc = {
        f["resource_id"]: f
        for f in doc["findings"]
        if f["check"] == "alibaba/resource-region-in-mainland-china" and f["status"] == "FAIL"
    }
    assert set(loc) == {"hk-public-site", "vpc-j6cintl000000001"}
    assert loc["hk-public-site"]["evidence"] == {"region": "cn-hongkong"}
    assert req(doc, "L3-CES2-10")["status_zh"] == "部分符合"
    assert req(doc, "L3-PES2-01")["status"] == "provider"  # 8.2.1.1 is the platform's, never scored on tenant data
    # the throttled Redis collection is an error on Redis checks' types, never a pass
    assert any(f["status"] == "ERROR" and f["resource_type"] == "alibaba.kvstore.instance" for f in doc["findings"])


def test_level_2_uses_level_2_units_and_omits_mfa(tmp_path: Path):
    doc = findings_of(tmp_path, "example:azure", level="2")
    units = {r["unit_id"] for r in doc["requirements"]}
    assert "L2-CES2-05" in units and not any(u and u.startswith("L3-") for u in units)
    assert all(r["item"] not in ("L3-CES1-04", "L3-CES2-01") for r in doc["requirements"])


def test_output_is_deterministic(tmp_path: Path):
    a = findings_of(tmp_path, "example:all")
    b = findings_of(tmp_path, "example:all")
    a.pop("generated_at"), b.pop("generated_at")
    assert a == b
    assert a["findings"] == sorted(
        a["findings"], key=lambda f: (f["account"], f["check"], f["resource_type"], f["region"], f["resource_id"] or "")
    )


def test_table_output_and_fail_on(tmp_path: Path):
    r = mlps("evaluate", "example:aws", "--lang", "en", "--fail-on", "critical")
    assert r.returncode == 1  # root access key and public RDS are critical
    assert "Non-compliant" in r.stdout and "L3-CES1-06" in r.stdout
    r = mlps("evaluate", "example:azure", "--fail-on", "critical")
    assert r.returncode == 0, r.stdout  # azure example has no critical failure
    r = mlps("evaluate", "example:azure")
    assert r.returncode == 0 and "不符合" in r.stdout


def test_set_overrides_a_parameter(tmp_path: Path):
    out = tmp_path / "f.json"
    r = mlps(
        "evaluate",
        "example:aws",
        "--set",
        "aws/cw-loggroup-retention-period-check.min_retention_days=400",
        "--format",
        "json",
        "--output",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    assert doc["parameters"]["aws/cw-loggroup-retention-period-check"]["min_retention_days"] == 400
    st = {
        f["resource_id"]: f["status"] for f in doc["findings"] if f["check"] == "aws/cw-loggroup-retention-period-check"
    }
    assert st == {"/aws/vpc/flow": "FAIL", "/app/web": "FAIL"}


@pytest.mark.parametrize(
    "args,needle",
    [
        (["evaluate", "missing.json"], "missing.json: no such file"),
        (["evaluate", "example:aws", "--level", "5"], "unknown protection level"),
        (["evaluate", "example:gcp"], "unknown example 'gcp'"),
        (["evaluate", "example:aws", "--set", "nonsense"], "expected PROVIDER/CHECK-ID.PARAM=VALUE"),
        (["evaluate", "example:aws", "--set", "aws/encrypted-volumes.nope=1"], "has no parameter 'nope'"),
        (["evaluate", "example:aws", "example:aws"], "also in"),
        (["evaluate", "example:aws", "--bogus"], "unrecognized arguments"),
        (["catalog", "L9-XYZ"], "no requirement item matches"),
        (["frobnicate"], "unknown command"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, needle):
    r = mlps(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert needle in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_corrupt_and_wrong_version_inventories(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "mlps-inventory", "schema_version": 7}')
    r = mlps("evaluate", str(bad))
    assert r.returncode == 2 and "schema version 7 is not supported" in r.stderr
    bad.write_bytes(b"\x1f\x8b\x08garbage")
    r = mlps("evaluate", str(bad))
    assert r.returncode == 2 and "corrupt gzip" in r.stderr


def test_bad_config_file(tmp_path: Path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("level: 7\n")
    r = mlps("evaluate", "example:aws", "--config", str(cfg))
    assert r.returncode == 2 and "c.yaml: level" in r.stderr
    cfg.write_text("params:\n  aws/cw-loggroup-retention-period-check: {min_retention_days: 365}\nfail_on: high\n")
    r = mlps("evaluate", "example:aws", "--config", str(cfg))
    assert r.returncode == 1


def test_existing_output_survives_a_failed_run(tmp_path: Path):
    out = tmp_path / "f.json"
    out.write_text("previous")
    r = mlps("evaluate", "missing.json", "--format", "json", "--output", str(out))
    assert r.returncode == 2 and out.read_text() == "previous"


def test_catalog_json_filters():
    r = mlps("catalog", "--level", "3", "--class", "安全计算环境", "--extension", "cloud", "--format", "json")
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert [i["levels"][0]["unit_id"] for i in doc["items"]] == [f"L3-CES2-{n:02d}" for n in range(1, 20)]
    r = mlps("catalog", "--level", "2", "--responsibility", "provider", "--format", "json", "--lang", "en")
    items = json.loads(r.stdout)["items"]
    assert items and all(i["responsibility"] == "provider" for i in items)


def test_catalog_show_and_table():
    r = mlps("catalog", "show", "L3-CES2-10", "--lang", "en")
    assert r.returncode == 0
    assert "8.2.4.5 a)" in r.stdout and "7.2.4.3 a)" in r.stdout and "unit_id=derived" in r.stdout
    r = mlps("catalog", "--level", "4", "--class", "CNS", "--extension", "cloud")
    assert "L4-CNS2-08" in r.stdout and "独立的资源池" in r.stdout


def test_help_and_version():
    r = mlps("--help")
    assert r.returncode == 0 and "evaluate" in r.stdout and "catalog" in r.stdout
    r = mlps("--version")
    assert r.returncode == 0 and r.stdout.startswith("mlps-scanner ")
    r = mlps("checks", "--format", "json")
    rows = json.loads(r.stdout)
    assert len(rows) >= 50 and all(row["requirements"] or row.get("evidences_no_item") for row in rows)
    assert not [row["check"] for row in rows if row["requirements"] and "evidences_no_item" in row]

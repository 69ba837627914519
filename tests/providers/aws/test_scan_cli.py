"""End to end: the `mlps scan aws` command against a moto server, boto3 pointed at it."""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scanner.load import schema


@pytest.fixture(scope="module")
def moto_server(aws_env):
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    srv = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    srv.start()
    host, port = srv.get_host_and_port()
    url = f"http://{host}:{port}"
    import boto3

    from providers.aws.sim import scenario

    scenario.seed(boto3.Session(region_name="cn-north-1"), endpoint_url=url)
    yield url
    srv.stop()


def test_scan_aws_cli_writes_inventory_and_findings(moto_server, tmp_path):
    env = {**os.environ, "AWS_ENDPOINT_URL": moto_server}
    from cli.demo import AWS_CHILD

    # through the demo's harness: S3 Control's <account>.127.0.0.1 host resolves to the loopback server
    cmd = [sys.executable, "-c", AWS_CHILD]
    out = tmp_path / "out"
    r = subprocess.run(
        [*cmd, "scan", "aws", "--out", str(out), "--quiet", "--fail-on", "critical"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert r.returncode == 1, r.stderr  # public RDS instance and public-buckets are critical failures
    assert "Traceback" not in r.stderr
    inv = json.loads(gzip.decompress((out / "inventory.json.gz").read_bytes()))
    assert inv["kind"] == "mlps-inventory" and inv["provider"] == "aws"
    assert inv["identity"]["partition"] == "aws-cn" and inv["regions"] == ["cn-north-1", "cn-northwest-1"]
    types = {r["type"] for r in inv["resources"]}
    assert {
        "aws.iam.user",
        "aws.s3.bucket",
        "aws.rds.instance",
        "aws.ec2.security-group",
        "aws.cloudtrail.trail",
        "aws.lambda.function",
    } <= types
    errors = [(c["type"], c["status"]) for c in inv["coverage"] if c["status"] not in ("ok", "not_available")]
    assert errors == []

    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert list(schema("findings").iter_errors(doc)) == []
    f = {(x["check"], x["resource_name"]): x["status"] for x in doc["findings"]}
    assert f[("aws/rds-instance-public-access-check", "reporting-db")] == "FAIL"
    assert f[("aws/mfa-enabled-for-iam-console-access", "bob")] == "FAIL"
    assert f[("aws/mfa-enabled-for-iam-console-access", "alice")] == "PASS"
    req = {x["unit_id"]: x["status_zh"] for x in doc["requirements"]}
    # every resource is in China, but the location sweep fell back to the tagging API (moto has no Resource
    # Explorer, no recorder is on), which cannot see untagged resources: the assessor reviews, never 符合
    assert inv["scope"]["sweep"]["method"] == "tagging-api" and inv["scope"]["sweep"]["complete"] is False
    assert req["L3-CES2-10"] == "人工核查" and req["L3-CES1-04"] == "部分符合"
    assert "sk_live_SEEDED_LAMBDA_SECRET" not in (out / "findings.json").read_text()
    # scan --out writes the report set beside the findings, with the same statuses
    for name in ("report.html", "report.xlsx", "report.md", "report.json"):
        assert (out / name).stat().st_size > 0, name
        assert b"sk_live_SEEDED_LAMBDA_SECRET" not in _plain_bytes(out / name)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    (acct,) = report["accounts"]
    assert acct["summary"] == {k: v for k, v in doc["summary"].items() if v}
    assert "reporting-db" in {d["name"] for d in acct["survey"]["data_stores"]}
    # and the scan folder packs into an evidence pack that verifies
    pack = tmp_path / "pack.zip"
    packed = subprocess.run(
        [*cmd, "evidence", "pack", str(out), "--out", str(pack)], capture_output=True, text=True, timeout=120
    )
    assert packed.returncode == 0, packed.stderr
    verified = subprocess.run([*cmd, "evidence", "verify", str(pack)], capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0 and "OK" in verified.stdout

    # the same waivers file format serves live scans: accepting every critical failure opens the gate
    critical = sorted({x["check"] for x in doc["findings"] if x["status"] == "FAIL" and x["severity"] == "critical"})
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        + "".join(f"  - check: {c}\n    reason: 评估中\n    owner: sec\n    expires: '2099-01-01'\n" for c in critical),
        encoding="utf-8",
    )
    again = subprocess.run(
        [
            *cmd,
            "scan",
            "aws",
            "--out",
            str(tmp_path / "out2"),
            "--quiet",
            "--fail-on",
            "critical",
            "--waivers",
            str(waivers),
            "--report-format",
            "none",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    waived = json.loads((tmp_path / "out2" / "findings.json").read_text(encoding="utf-8"))
    assert {x["check"] for x in waived["findings"] if "waiver" in x} == set(critical)
    assert not (tmp_path / "out2" / "report.html").exists()


def test_scan_with_unknown_region_is_one_line_error(moto_server, tmp_path):
    env = {**os.environ, "AWS_ENDPOINT_URL": moto_server}
    mlps = shutil.which("mlps") or "mlps"
    r = subprocess.run(
        [mlps, "scan", "aws", "--regions", "us-east-1", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 2 and "not in partition aws-cn" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def _plain_bytes(path: Path) -> bytes:
    """A file's bytes as a reader sees them: an XLSX is a deflated zip, so its members are inflated first
    (a secret in a cell would never show in the compressed bytes)."""
    if path.suffix != ".xlsx":
        return path.read_bytes()
    with zipfile.ZipFile(path) as z:
        return b"".join(z.read(n) for n in z.namelist())

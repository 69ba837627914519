"""checkov's graph checks (CKV2_* and the S3 checks checkov moved to its graph engine) run through the
wrapper and roll up through their live twins' links, like resource checks."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.iac.test_iac_cli import iac_python

TF = """
resource "aws_vpc" "open" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_s3_bucket" "plain" {
  bucket = "plain"
}
"""


def test_graph_checks_fail_and_roll_up_through_their_twins(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF, encoding="utf-8")
    r = subprocess.run(
        [iac_python(), "-m", "cli", "iac", ".", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    failed = {(f["evidence"]["checkov_id"], f["resource_id"]) for f in doc["findings"] if f["status"] == "FAIL"}
    assert ("CKV2_AWS_11", "aws_vpc.open") in failed  # no flow log: twin of aws/vpc-flow-logs-enabled
    assert ("CKV_AWS_18", "aws_s3_bucket.plain") in failed  # no access logging: twin of aws/s3-bucket-logging-enabled
    flow = next(f for f in doc["findings"] if f["evidence"]["checkov_id"] == "CKV2_AWS_11")
    assert flow["check"] == "aws/ckv2-aws-11"
    linked = {r_["unit_id"] for r_ in doc["requirements"] if "aws/ckv2-aws-11" in r_["checks"]}
    assert linked == {"L3-ABS1-16", "L3-SMC1-09"}  # exactly the items aws/vpc-flow-logs-enabled evidences at level 3

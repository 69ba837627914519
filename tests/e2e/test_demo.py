"""``mlps demo`` end to end: three simulated clouds scanned by the real adapters, reports and signed packs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tests.e2e.test_cli import mlps


def statuses(out: Path, provider: str) -> dict[tuple[str, str], str]:
    doc = json.loads((out / provider / "findings.json").read_text(encoding="utf-8"))
    return {(f["check"], f["resource_name"] or f["resource_id"]): f["status"] for f in doc["findings"]}


def test_demo_assesses_three_clouds(tmp_path: Path):
    out = tmp_path / "demo"
    r = mlps("demo", "--out", str(out), "--lang", "en")
    assert r.returncode == 0, r.stderr[-3000:]
    assert "demo assessment at level 3 done" in r.stdout
    # it leads with the seeded company's story, read off the real findings, and no error of its own
    story = r.stdout.split("what each scan found first", 1)[1]
    assert "hk-public-site" in story and "collection errors 0" in r.stdout
    assert "collection errors 1" not in r.stdout
    for p in ("aws", "alibaba", "azure"):
        for name in ("inventory.json.gz", "findings.json", "report.html", "report.xlsx", "report.md"):
            assert (out / p / name).stat().st_size > 0, (p, name)
    # the harness causes no collection error of its own: S3 Control at <account>.127.0.0.1 resolves, moto's missing
    # Resource Explorer reads as "no index"; and moto's public AMI snapshots of other accounts are not judged
    inv = json.loads(gzip.decompress((out / "aws" / "inventory.json.gz").read_bytes()))
    assert [c for c in inv["coverage"] if c["status"] in ("error", "denied")] == []
    assert not any("500" in s or "Error" in s for s in inv["scope"]["sweep"]["skipped"]), inv["scope"]["sweep"]
    assert {r["data"]["OwnerId"] for r in inv["resources"] if r["type"] == "aws.ec2.snapshot"} <= {"123456789012"}
    pab = [r for r in inv["resources"] if r["type"] == "aws.s3.account-public-access-block"]
    assert [r["data"] for r in pab] == [{"Configured": False}]
    aws = statuses(out, "aws")  # seeded faults found, good configuration passes
    assert aws[("aws/s3-account-level-public-access-blocks", "123456789012")] == "FAIL"
    assert aws[("aws/rds-instance-public-access-check", "reporting-db")] == "FAIL"
    assert aws[("aws/mfa-enabled-for-iam-console-access", "bob")] == "FAIL"
    assert aws[("aws/mfa-enabled-for-iam-console-access", "alice")] == "PASS"
    ali = statuses(out, "alibaba")
    assert ali[("alibaba/oss-bucket-public-read-prohibited", "hk-public-site")] == "FAIL"
    assert ali[("alibaba/ram-user-mfa-check", "dev-li")] == "FAIL"
    assert ali[("alibaba/resource-region-in-mainland-china", "hk-public-site")] == "FAIL"
    az = statuses(out, "azure")
    assert az[("azure/ssh-access-from-the-internet-should-be-blocked", "web-nsg")] == "FAIL"
    assert az[("azure/secure-transfer-to-storage-accounts-should-be-enabled", "appdata01")] == "PASS"
    pub = out / "demo-signing-key.pub.pem"
    for p in ("aws", "alibaba", "azure"):
        v = mlps("evidence", "verify", str(out / f"{p}-evidence.zip"), "--public-key", str(pub))
        assert v.returncode == 0 and "signature: valid" in v.stdout, v.stdout


def test_demo_ctrl_c_stops_servers_and_children(tmp_path: Path):
    import os
    import signal
    import subprocess
    import sys
    import time

    def interruptible() -> None:  # a shell may start us with SIGINT ignored; a terminal user would not
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.setpgrp()

    p = subprocess.Popen(
        [sys.executable, "-m", "cli", "demo", "--out", str(tmp_path / "d")],
        preexec_fn=interruptible,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert p.stdout is not None
    assert "scanning" in p.stdout.readline()  # servers are up and the scans have started
    os.killpg(p.pid, signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130 and "interrupted" in err
    for _ in range(50):  # the process group (servers' threads, scan children) empties
        try:
            os.killpg(p.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("demo left processes behind after Ctrl-C")

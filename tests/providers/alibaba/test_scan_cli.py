"""End to end: `mlps scan alibaba` against the local fake, through the CLI."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys

from scanner.load import schema
from tests.providers.alibaba.conftest import SEEDED


def test_scan_alibaba_cli(fake, tmp_path):
    env = {**os.environ, "MLPS_ALIBABA_ENDPOINT": json.dumps(fake.endpoints)}
    mlps = shutil.which("mlps")
    cmd = [mlps] if mlps else [sys.executable, "-m", "cli"]
    out = tmp_path / "out"
    r = subprocess.run(
        [*cmd, "scan", "alibaba", "--out", str(out), "--lang", "en", "--fail-on", "critical"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert r.returncode == 1, r.stderr  # a public-read bucket and an open RDS whitelist are critical
    assert r.stderr == ""  # no progress bar off a terminal, no library noise
    assert "Non-compliant" in r.stdout or "Partially compliant" in r.stdout
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert list(schema("findings").iter_errors(doc)) == []
    f = {(x["check"], x["resource_name"]): x["status"] for x in doc["findings"]}
    assert f[("alibaba/oss-bucket-public-read-prohibited", "hk-public-site")] == "FAIL"
    assert f[("alibaba/ram-user-mfa-check", "dev-li")] == "FAIL"
    # the inventory is searched as the JSON text it holds, not as compressed bytes (where no secret could show)
    text = (out / "findings.json").read_text() + gzip.decompress((out / "inventory.json.gz").read_bytes()).decode()
    assert [s for s in SEEDED if s in text] == []

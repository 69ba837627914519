"""End to end: `mlps scan azure` against the fake ARM over real HTTPS, through DefaultAzureCredential.

The credential chain reaches the Azure CLI step, which runs a stand-in ``az`` placed first on PATH; the
ARM endpoint is the local HTTPS fake, trusted through REQUESTS_CA_BUNDLE. Nothing disables TLS checks.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time

import pytest

from providers.azure.sim.fake import ArmServer, FakeArm, load_scenario
from scanner.load import schema

FAKE_AZ = """#!{python}
import json, sys, time
args = sys.argv[1:]
with open({log!r}, "a") as f:
    f.write(" ".join(args) + "\\n")
if args[:2] == ["account", "get-access-token"]:
    exp = int(time.time()) + 3600
    print(json.dumps({{"accessToken": "fake-cli-token", "expiresOn": time.strftime("%Y-%m-%d %H:%M:%S.000000",
          time.localtime(exp)), "expires_on": exp, "subscription": "x", "tenant": "t", "tokenType": "Bearer"}}))
    sys.exit(0)
sys.exit(1)
"""


@pytest.fixture
def server(tmp_path):
    srv = ArmServer(FakeArm(load_scenario("company")), tmp_path)
    srv.start()
    yield srv
    srv.stop()


def test_scan_azure_cli(server, tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "az.log"
    az = bindir / "az"
    az.write_text(FAKE_AZ.format(python=sys.executable, log=str(log)))
    az.chmod(az.stat().st_mode | stat.S_IEXEC)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "MSI_"))}
    env.update(
        PATH=f"{bindir}{os.pathsep}{env['PATH']}",
        REQUESTS_CA_BUNDLE=str(server.cert),
        MLPS_AZURE_ARM_ENDPOINT=server.endpoint,
        AZURE_EXCLUDE_MANAGED_IDENTITY="true",
    )
    mlps = shutil.which("mlps")
    cmd = [mlps] if mlps else [sys.executable, "-m", "cli"]
    out = tmp_path / "out"
    t = time.time()
    r = subprocess.run(
        [*cmd, "scan", "azure", "--out", str(out), "--quiet", "--fail-on", "high"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert r.returncode == 1, (r.stdout[-2000:], r.stderr[-2000:])  # SSH open to any source is high
    assert "--resource https://management.chinacloudapi.cn" in log.read_text()  # China token audience
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert list(schema("findings").iter_errors(doc)) == []
    f = {(x["check"], x["resource_name"]): x["status"] for x in doc["findings"]}
    assert f[("azure/ssh-access-from-the-internet-should-be-blocked", "web-nsg")] == "FAIL"
    assert f[("azure/secure-transfer-to-storage-accounts-should-be-enabled", "appdata01")] == "PASS"
    assert doc["inventories"][0]["accounts"][0]["id"] == "00000000-1111-2222-3333-444444444444"
    assert time.time() - t < 120

"""``mlps demo``: a whole assessment of three simulated cloud accounts, on loopback, in under a minute.

The simulated clouds are the same fakes the adapters are tested against (moto for AWS China, the
Alibaba Cloud and Azure China fakes in providers/<cloud>/sim/), seeded with one small company. Each is
scanned by the real ``mlps scan`` in a child process (real SDK calls over loopback, the same code
paths as a real scan); then every account gets its reports and a signed evidence pack.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cli.common import add_level, level_arg, read_input
from scanner.atomic import write_atomic
from scanner.errors import MlpsError

# answers DefaultAzureCredential's Azure CLI step with a token for the fake ARM; nothing else
FAKE_AZ = """#!{python}
import json, sys, time
if sys.argv[1:3] == ["account", "get-access-token"]:
    exp = int(time.time()) + 3600
    print(json.dumps({{"accessToken": "demo-token", "expiresOn": time.strftime("%Y-%m-%d %H:%M:%S.000000",
          time.localtime(exp)), "expires_on": exp, "subscription": "demo", "tenant": "demo", "tokenType": "Bearer"}}))
    sys.exit(0)
sys.exit(1)
"""
# Runs the AWS scan child: the real ``mlps scan aws``, with two gaps of the simulated cloud filled in this
# process only. S3 Control addresses <account-id>.<endpoint host> (botocore's endpoint rules prepend the account), so
# with the moto server at 127.0.0.1 the host is 123456789012.127.0.0.1, which no resolver knows: such names resolve to
# 127.0.0.1 here. And moto has no Resource Explorer: ListIndexes answers "no index", as an account without one does,
# instead of a 500 from the server. Nothing of this exists in a real scan.
AWS_CHILD = """
import io, json, runpy, socket, sys
import botocore.handlers
from botocore.awsrequest import AWSResponse

_resolve = socket.getaddrinfo


def _loopback(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".127.0.0.1"):
        host = "127.0.0.1"
    return _resolve(host, *args, **kwargs)


class _Body(io.BytesIO):
    def stream(self, **_):
        yield self.read()


def _no_index(request, **_):
    body = json.dumps({"Indexes": []}).encode()
    return AWSResponse(request.url, 200, {"Content-Type": "application/json"}, _Body(body))


socket.getaddrinfo = _loopback
botocore.handlers.BUILTIN_HANDLERS.append(("before-send.resource-explorer-2.ListIndexes", _no_index))
sys.argv = ["mlps", *sys.argv[1:]]
runpy.run_module("cli.main", run_name="__main__", alter_sys=True)
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="mlps-demo", metavar="DIR", help="output folder (default: ./mlps-demo)")
    add_level(parser)
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")


def _clean_env() -> dict[str, str]:
    """The parent environment without any real cloud credentials or endpoints."""
    drop = ("AWS_", "ALIBABA_CLOUD_", "ALICLOUD_", "AZURE_", "IDENTITY_", "MSI_", "MLPS_")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def run(args: argparse.Namespace) -> int:
    try:
        import moto.server  # noqa: F401
    except ImportError:
        raise MlpsError("the demo needs moto's server", "pip install 'mlps-scanner[demo]'") from None
    level = level_arg(args.level)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise MlpsError(f"{out}: exists and is not a folder")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        envs = {
            "aws": _start_aws(stack),
            "alibaba": _start_alibaba(stack),
            "azure": _start_azure(stack, Path(tmp)),
        }
        print(f"simulated clouds up on 127.0.0.1 ({time.perf_counter() - t0:.1f} s); scanning ...", flush=True)
        procs = {
            p: subprocess.Popen(
                [
                    sys.executable,
                    *(["-c", AWS_CHILD] if p == "aws" else ["-m", "cli"]),
                    "scan",
                    p,
                    "--out",
                    str(out / p),
                    "--quiet",
                    "--level",
                    str(level),
                    "--lang",
                    args.lang,
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for p, env in envs.items()
        }
        for p, proc in procs.items():
            stdout, stderr = proc.communicate(timeout=300)
            if proc.returncode not in (0, 1):
                raise MlpsError(f"demo scan of {p} failed: {(stderr or stdout).strip().splitlines()[-1:]}")
    key = _demo_key(out)
    from reports.pack import build_pack

    lines: list[str] = []
    story: list[str] = []
    for p in envs:  # the simulated clouds, in the order they were started
        doc, inv = read_input(out / p, None)
        build_pack(doc, inv, out / f"{p}-evidence.zip", "both", sign_key=key)
        s = doc["summary"]
        fails = sum(1 for f in doc["findings"] if f["status"] == "FAIL")
        errors = len(doc["inventories"][0]["collection_errors"])
        nc, pa, co, fc, ce = (
            ("不符合", "部分符合", "符合", "不通过检查", "采集错误")
            if args.lang == "zh"
            else ("non-compliant", "partial", "compliant", "failed checks", "collection errors")
        )
        lines.append(
            f"  {p:<8} {doc['inventories'][0]['accounts'][0]['id']:<38} {nc} {s['non_compliant']:>3}  "
            f"{pa} {s['partial']:>3}  {co} {s['compliant']:>3}  {fc} {fails}  {ce} {errors}"
        )
        story.extend(f"  {p:<8} {line}" for line in _headlines(doc, args.lang))
    print(f"demo assessment at level {level} done in {time.perf_counter() - t0:.1f} s")
    print("\n".join(lines))
    print("what each scan found first (most severe failing checks, one resource each):")
    print("\n".join(story))
    print(
        f"open: {out}/<cloud>/report.html (gap report), report.xlsx (assessor workbook), "
        f"{out}/<cloud>-evidence.zip (signed pack; verify with "
        f"'mlps evidence verify {out}/aws-evidence.zip --public-key {out}/demo-signing-key.pub.pem')"
    )
    return 0


def _headlines(doc: dict, lang: str, n: int = 5) -> list[str]:
    """The most severe failing checks of one scan, with one resource and the items they evidence: the
    story the seeded company tells (open SSH, a public bucket, a user without MFA, short retention, a
    resource in Hong Kong), read off the real findings."""
    from scanner.checks import load_checks
    from scanner.model import severity_rank
    from scanner.sanitize import one_line

    checks = {c.key: c for c in load_checks()}
    units: dict[str, set[str]] = {}
    for r in doc["requirements"]:
        for c in r["checks"]:
            units.setdefault(c, set()).add(r["unit_id"] or r["item"])
    first: dict[str, dict] = {}
    for f in doc["findings"]:
        if f["status"] == "FAIL" and f["check"] in units:
            first.setdefault(f["check"], f)
    ranked = sorted(first.values(), key=lambda f: (-severity_rank(f["severity"]), f["check"]))[:n]
    title_lang = "zh" if lang == "zh" else "en"
    return [
        one_line(
            f"{f['severity']:<8} {_said(checks, f['check'], title_lang)}: "
            f"{f['resource_name'] or f['resource_id']} ({', '.join(sorted(units[f['check']])[:3])})"
        )
        for f in ranked
    ]


def _said(checks: dict, key: str, lang: str) -> str:
    return checks[key].fail_message(lang) if key in checks else key


def _start_aws(stack: contextlib.ExitStack) -> dict[str, str]:
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    from providers.aws.sim import scenario

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    srv = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    srv.start()
    stack.callback(srv.stop)
    host, port = srv.get_host_and_port()
    url = f"http://{host}:{port}"
    session = boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name="cn-north-1")
    scenario.seed(session, endpoint_url=url)
    return {
        **_clean_env(),
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_ENDPOINT_URL": url,
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    }


def _start_alibaba(stack: contextlib.ExitStack) -> dict[str, str]:
    from providers.alibaba.sim.fake import FAKE_AK, FAKE_SK, FakeAlibabaCloud, load_scenario

    fake = FakeAlibabaCloud(load_scenario("company"))
    fake.start()
    stack.callback(fake.stop)
    return {
        **_clean_env(),
        "ALIBABA_CLOUD_ACCESS_KEY_ID": FAKE_AK,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": FAKE_SK,
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
        "ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true",
        "MLPS_ALIBABA_ENDPOINT": json.dumps(fake.endpoints),
    }


def _start_azure(stack: contextlib.ExitStack, tmp: Path) -> dict[str, str]:
    from providers.azure.sim.fake import ArmServer, FakeArm, load_scenario

    srv = ArmServer(FakeArm(load_scenario("company")), tmp)
    srv.start()
    stack.callback(srv.stop)
    bindir = tmp / "bin"
    bindir.mkdir()
    az = bindir / "az"
    az.write_text(FAKE_AZ.format(python=sys.executable), encoding="utf-8")
    az.chmod(az.stat().st_mode | stat.S_IEXEC)
    env = _clean_env()
    return {
        **env,
        "PATH": f"{bindir}{os.pathsep}{env.get('PATH', '')}",
        "REQUESTS_CA_BUNDLE": str(srv.cert),
        "MLPS_AZURE_ARM_ENDPOINT": srv.endpoint,
        "AZURE_EXCLUDE_MANAGED_IDENTITY": "true",
    }


def _demo_key(out: Path) -> Path:
    """A throwaway Ed25519 key for signing the demo packs; its public half sits beside them."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

    key = Ed25519PrivateKey.generate()
    path = write_atomic(
        out / "demo-signing-key.pem", key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    write_atomic(
        out / "demo-signing-key.pub.pem", key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    return path

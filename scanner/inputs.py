"""Input resolution: what a user passes to report, diff, evidence pack or demo, told apart in one place.

An inventory is assessed (``scanner/assess.py``); a findings file or a scan folder is read and validated;
an evidence pack is verified and re-assessed (``scanner/evidence.py``) before a byte of it is believed.
The core knows no renderer: reading a pack re-renders its reports to prove they are what the packed
inventory gives, so the caller hands in the renderer (``render``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner import findings as findings_doc
from scanner import inventory as inventory_mod
from scanner.assess import Document, Renderer, assess_inventory
from scanner.errors import MlpsError
from scanner.evidence import pack_contents
from scanner.inventory import Inventory
from scanner.load import validate


def load_input(
    path: str | Path,
    level: int | None = None,
    *,
    render: Renderer,
    public_key: Path | None = None,
    insecure: bool = False,
) -> tuple[Document, Inventory | None]:
    """(findings document, inventory or None) from an inventory, a findings file, a scan folder
    (inventory.json.gz + findings.json, as ``mlps scan --out`` writes) or an evidence pack."""
    p = Path(path)
    if p.suffix == ".zip":
        return pack_contents(p, render, public_key, insecure)
    if p.is_dir():
        inv_path, doc_path = p / "inventory.json.gz", p / "findings.json"
        if not inv_path.is_file() or not doc_path.is_file():
            raise MlpsError(f"{p}: a scan folder needs inventory.json.gz and findings.json")
        return read_findings(doc_path), inventory_mod.load(inv_path)
    doc = inventory_mod.read_json(p)
    kind = doc.get("kind") if isinstance(doc, dict) else None
    if kind == findings_doc.KIND:
        return read_findings(p, doc), None
    inv = inventory_mod.from_dict(doc, str(p))
    return assess_inventory(inv, level or 3, findings_doc.sha256_file(p)), inv


def read_findings(p: Path, doc: Any = None) -> Document:
    """A findings document this version can read, validated against its schema."""
    doc = inventory_mod.read_json(p) if doc is None else doc
    if not isinstance(doc, dict) or doc.get("kind") != findings_doc.KIND:
        raise MlpsError(f"{p}: not a findings document")
    if doc.get("schema_version") != findings_doc.SCHEMA_VERSION:
        raise MlpsError(f"{p}: findings schema version {doc.get('schema_version')!r} is not supported")
    validate(doc, "findings", str(p))
    return doc

"""The findings document: what ``mlps evaluate --format json`` writes and later commands read.

Stable and sorted so that two runs over the same inventory produce byte-identical files (apart from
``generated_at``), which is what diffs, baselines and evidence packs rely on. The format is
documented in docs/findings-format.md and validated by scanner/schemas/findings.schema.json.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.atomic import write_atomic
from scanner.catalogue import Catalogue
from scanner.inventory import Inventory, utc_now
from scanner.model import Finding
from scanner.rollup import ItemResult, summary
from scanner.scope import scope_of

SCHEMA_VERSION = 1
KIND = "mlps-findings"


def build(
    inventories: list[tuple[Inventory, str | None]],
    findings: list[Finding],
    results: list[ItemResult],
    level: int,
    catalogue: Catalogue,
    params: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``inventories`` pairs each inventory with the SHA-256 of the file it was read from (or None)."""
    return {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mlps-scanner", "version": __version__},
        "catalogue_version": catalogue.version,
        "generated_at": utc_now(),
        "level": level,
        "parameters": {k: v for k, v in sorted((params or {}).items())},
        "inventories": [_inventory_meta(inv, digest) for inv, digest in inventories],
        "summary": summary(results),
        "requirements": [r.to_dict() for r in sorted(results, key=_result_key)],
        "findings": [f.to_dict() for f in sorted(findings, key=Finding.sort_key)],
    }


def _result_key(r: ItemResult) -> tuple[str, str]:
    return (r.account, r.item.id)


def _inventory_meta(inv: Inventory, digest: str | None) -> dict[str, Any]:
    return {
        "provider": inv.provider,
        "source": inv.source,
        "accounts": inv.accounts,
        "regions": inv.regions,
        "identity": inv.identity,
        "scan": {"started_at": inv.started_at, "finished_at": inv.finished_at},
        "tool_version": inv.tool_version,
        "sha256": digest,
        "resources": len(inv.resources),
        "collection_errors": [c.to_dict() for c in inv.errors],
        "scope": scope_of(inv).to_dict(),
    }


def write(doc: dict[str, Any], path: str | Path) -> Path:
    """Atomic write: an interrupted run never leaves a truncated findings file behind."""
    # a lone surrogate (JSON can carry "\\ud800") cannot be UTF-8: it is written back as the same JSON escape
    return write_atomic(path, dumps(doc).encode("utf-8", "backslashreplace"))


def dumps(doc: dict[str, Any]) -> str:
    """JSON with one requirement or finding per line: diff-friendly, and ~5x faster than ``indent=``
    (which forces the pure-Python encoder) on 100k-finding documents."""

    def compact(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    parts = ["{"]
    keys = list(doc)
    for n, key in enumerate(keys):
        value = doc[key]
        comma = "," if n < len(keys) - 1 else ""
        if isinstance(value, list) and key in ("requirements", "findings"):
            rows = ",\n  ".join(compact(v) for v in value)
            parts.append(f" {json.dumps(key)}: [\n  {rows}\n ]{comma}" if value else f" {json.dumps(key)}: []{comma}")
        else:
            parts.append(f" {json.dumps(key)}: {compact(value)}{comma}")
    parts.append("}\n")
    return "\n".join(parts)


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

"""Baselines: adopt the tool on an existing code base and fail only on new MLPS gaps.

A failure is identified by check, resource address and file, not by line: lines move with every
edit above a resource, and a baseline that breaks on reformatting is worse than none.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner.atomic import write_atomic
from scanner.errors import MlpsError

KIND = "mlps-iac-baseline"


def fingerprint(f: dict[str, Any]) -> str:
    return f"{f['check']}|{f['resource_id']}|{f['evidence'].get('file', '')}"


def write_baseline(doc: dict[str, Any], path: Path) -> int:
    prints = sorted({fingerprint(f) for f in doc["findings"] if f["status"] == "FAIL"})
    write_atomic(path, json.dumps({"kind": KIND, "version": 1, "failures": prints}, indent=1) + "\n")
    return len(prints)


def load_baseline(path: Path) -> set[str]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MlpsError(f"{path}: baseline file not found", "create one with --create-baseline") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise MlpsError(f"{path}: not a baseline file ({e})") from None
    if not isinstance(doc, dict) or doc.get("kind") != KIND or not isinstance(doc.get("failures"), list):
        raise MlpsError(f"{path}: not a baseline file (kind must be {KIND!r})")
    return set(map(str, doc["failures"]))


def apply_baseline(doc: dict[str, Any], known: set[str]) -> None:
    """Mark failures already in the baseline; they stay in every output but no longer fail the build."""
    for f in doc["findings"]:
        if f["status"] == "FAIL" and fingerprint(f) in known:
            f["baseline"] = True

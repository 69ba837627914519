"""User configuration: a YAML file (``--config``) plus ``--set`` overrides of check parameters.

Thresholds such as the 180-day log retention live in the checks' ``params``; an organisation with a
stricter policy raises them here instead of editing shipped checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scanner.errors import MlpsError
from scanner.load import load_validated


@dataclass
class Config:
    level: int | None = None
    fail_on: str | None = None
    params: dict[str, dict[str, Any]] = field(default_factory=dict)


def load_config(path: str | None, sets: list[str] | None = None) -> Config:
    cfg = Config()
    if path:
        p = Path(path)
        if not p.is_file():
            raise MlpsError(f"{p}: config file not found")
        doc = load_validated(p, "config") or {}
        cfg.level = doc.get("level")
        cfg.fail_on = doc.get("fail_on")
        cfg.params = {k: dict(v) for k, v in (doc.get("params") or {}).items()}
    for item in sets or ():
        check, name, value = parse_set(item)
        cfg.params.setdefault(check, {})[name] = value
    return cfg


def parse_set(text: str) -> tuple[str, str, Any]:
    """'aws/cw-loggroup-retention-period-check.min_retention_days=365' -> (check, param, 365)."""
    left, sep, raw = text.partition("=")
    check, dot, name = left.rpartition(".")
    if not sep or not dot or "/" not in check or not name:
        raise MlpsError(
            f"--set {text!r}: expected PROVIDER/CHECK-ID.PARAM=VALUE",
            "e.g. --set aws/cw-loggroup-retention-period-check.min_retention_days=365",
        )
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        raise MlpsError(f"--set {text!r}: value is not a valid scalar or list") from None
    return check, name, value

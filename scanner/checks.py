"""Load resource types and declarative checks from ``providers/<cloud>/<service>/``.

A check is one YAML file; its provider and service come from its path. Loading validates the file,
checks that its resource types exist, substitutes ``$param`` placeholders and compiles every
JMESPath expression once, so that evaluation never parses anything.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError

from scanner.clouds import clouds
from scanner.errors import MlpsError
from scanner.load import load_validated, package_path

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class ResourceType:
    type: str
    provider: str
    service: str
    description: str
    scope: str = "regional"
    data_store: bool = False
    setting: bool = False
    sweep_type_of: str | None = None  # set for a whole-account inventory-service listing (JMESPath to the native type)


@dataclass
class Check:
    id: str
    provider: str
    service: str
    title: dict[str, str]
    resources: tuple[str, ...]  # concrete types, "*" expanded
    scope: str
    target: str
    severity: str
    pass_if_src: str
    applies_if_src: str | None
    requires: tuple[tuple[str, ...], ...]
    on_missing: str
    absent: str  # not_applicable: no resources = no subject; fail: no resources = the control is missing
    params: dict[str, Any]
    evidence_src: dict[str, str]
    message: dict[str, dict[str, str]]
    remediation: dict[str, str]
    references: tuple[str, ...]
    path: str
    description: dict[str, str] | None = None  # why the check matters, {zh, en}: shown by 'mlps checks'
    # compiled forms
    pass_if: Any = field(default=None, repr=False)
    applies_if: Any = field(default=None, repr=False)
    evidence: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> str:
        """How links and findings name a check: '<provider>/<id>'."""
        return f"{self.provider}/{self.id}"

    def compile(self, overrides: dict[str, Any] | None = None) -> Check:
        """(Re)compile with parameter overrides applied; returns self."""
        params = dict(self.params)
        for name, value in (overrides or {}).items():
            if name not in params:
                raise MlpsError(
                    f"check {self.key} has no parameter {name!r}",
                    f"its parameters are: {', '.join(sorted(params)) or 'none'}",
                )
            if type(value) is not type(params[name]) and not (
                isinstance(value, (int, float)) and isinstance(params[name], (int, float))
            ):
                raise MlpsError(f"check {self.key}: parameter {name!r} must be a {type(params[name]).__name__}")
            _check_param(self.key, name, value, params[name])
            params[name] = value
        self.params = params
        self.pass_if = _compile(self, "pass_if", self.pass_if_src, params)
        self.applies_if = _compile(self, "applies_if", self.applies_if_src, params) if self.applies_if_src else None
        self.evidence = {k: _compile(self, f"evidence.{k}", v, params) for k, v in self.evidence_src.items()}
        return self

    def fail_message(self, lang: str = "en") -> str:
        return (self.message.get("fail") or {}).get(lang) or self.title[lang]

    def pass_message(self, lang: str = "en") -> str:
        return (self.message.get("pass") or {}).get(lang) or self.title[lang]


def _check_param(check: str, name: str, value: Any, default: Any) -> None:
    """An override must be shaped like the default: list elements of the default's element type, numbers
    not negative where the default is not, and a pattern must compile (L6, M6 of the reliability review)."""
    if isinstance(value, bool) != isinstance(default, bool):
        raise MlpsError(f"check {check}: parameter {name!r} must be a {type(default).__name__}")
    if isinstance(default, (int, float)) and not isinstance(default, bool) and default >= 0 and value < 0:
        raise MlpsError(f"check {check}: parameter {name!r} must not be negative")
    if isinstance(default, list) and default:
        kind = type(default[0])
        bad = [v for v in value if type(v) is not kind and not (kind in (int, float) and type(v) in (int, float))]
        if bad:
            raise MlpsError(f"check {check}: parameter {name!r} must be a list of {kind.__name__} (got {bad[0]!r})")
    if isinstance(value, str) and "pattern" in name:
        import regex

        try:
            regex.compile(value)
        except regex.error as e:
            raise MlpsError(f"check {check}: parameter {name!r} is not a valid regular expression ({e})") from None


def substitute(expr: str, params: dict[str, Any], where: str) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in params:
            raise MlpsError(f"{where}: uses ${name} but declares no such parameter")
        return "`" + json.dumps(params[name]) + "`"

    return _PARAM.sub(repl, expr)


def _compile(check: Check, field_name: str, src: str, params: dict[str, Any]) -> Any:
    where = f"{check.path}: {field_name}"
    text = substitute(src, params, where)
    try:
        return jmespath.compile(text)
    except JMESPathError as e:
        raise MlpsError(f"{where}: invalid JMESPath: {str(e).splitlines()[0]}") from None


def providers_root() -> Path:
    return package_path("providers")


def cloud_folders(root: Path | None = None) -> tuple[tuple[str, Path], ...]:
    """(cloud, folder) pairs to load: every registered cloud's folder, or every folder under ``root``."""
    if root is None:
        return tuple((c.name, c.root) for c in clouds().values())
    return tuple((p.name, p) for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(("_", ".")))


def _files(folders: tuple[tuple[str, Path], ...], pattern: str) -> list[tuple[str, Path]]:
    return [(cloud, path) for cloud, folder in folders for path in sorted(folder.glob(pattern))]


def load_resource_types(root: Path | None = None) -> dict[str, ResourceType]:
    return _load_resource_types(cloud_folders(root))


@lru_cache(maxsize=4)
def _load_resource_types(folders: tuple[tuple[str, Path], ...]) -> dict[str, ResourceType]:
    out: dict[str, ResourceType] = {}
    for provider, path in _files(folders, "*/resources.yaml"):
        service = path.parent.name
        doc = load_validated(path, "resources")
        for n, t in enumerate(doc["types"]):
            name = t["type"]
            expected = f"{provider}.{service}."
            if not name.startswith(expected):
                raise MlpsError(f"{path}: types[{n}]: type {name} must start with {expected!r}")
            if name in out:
                raise MlpsError(f"{path}: types[{n}]: type {name} declared twice")
            out[name] = ResourceType(
                type=name,
                provider=provider,
                service=service,
                description=t["description"],
                scope=t.get("scope", "regional"),
                data_store=bool(t.get("data_store")),
                setting=bool(t.get("setting")),
                sweep_type_of=(t.get("sweep") or {}).get("type_of"),
            )
    return out


def load_checks(root: Path | None = None, overrides: dict[str, dict[str, Any]] | None = None) -> list[Check]:
    """Every shipped check, compiled. ``overrides`` maps '<provider>/<id>' to parameter values."""
    folders = cloud_folders(root)
    types = _load_resource_types(folders)
    checks: list[Check] = []
    seen: dict[str, str] = {}
    for provider, path in _files(folders, "*/checks/*.yaml"):
        service = path.parent.parent.name
        doc = load_validated(path, "check")
        if doc["id"] != path.stem:
            raise MlpsError(f"{path}: id {doc['id']!r} must equal the file name {path.stem!r}")
        key = f"{provider}/{doc['id']}"
        if key in seen:
            raise MlpsError(f"{path}: check {key} also defined in {seen[key]}")
        seen[key] = str(path)
        res = doc["resource"]
        if res == "*":
            # every collected resource of the provider; settings and status records have no location of their
            # own, and a whole-account sweep listing is judged by checks of its own
            resources = tuple(
                sorted(t for t, rt in types.items() if rt.provider == provider and not (rt.setting or rt.sweep_type_of))
            )
        else:
            resources = (res,) if isinstance(res, str) else tuple(res)
        for r in resources:
            if r not in types:
                raise MlpsError(f"{path}: resource type {r} is not declared in any resources.yaml")
            if types[r].provider != provider:
                raise MlpsError(f"{path}: resource type {r} belongs to another provider")
        check = Check(
            id=doc["id"],
            provider=provider,
            service=service,
            title=doc["title"],
            resources=resources,
            scope=doc.get("scope", "resource"),
            target=doc.get("target", "data"),
            severity=doc["severity"],
            pass_if_src=doc["pass_if"],
            applies_if_src=doc.get("applies_if"),
            requires=tuple(tuple(p.split(".")) for p in doc.get("requires", ())),
            on_missing=doc.get("on_missing", "error"),
            absent=doc.get("absent", "not_applicable"),
            params=dict(doc.get("params") or {}),
            evidence_src=dict(doc.get("evidence") or {}),
            message=doc.get("message") or {},
            remediation=doc["remediation"],
            description=doc.get("description"),
            references=tuple(doc.get("references", ())),
            path=str(path),
        )
        checks.append(check.compile((overrides or {}).get(key)))
    unknown = set(overrides or {}) - set(seen)
    if unknown:
        raise MlpsError(f"parameter override for unknown check(s): {', '.join(sorted(unknown))}")
    return checks

"""The normalised, versioned inventory: what an adapter collected, saved as JSON (optionally gzipped).

An inventory is the unit of evidence: everything the checks judge comes from it, so it records who
collected it, when, with which identity, over which regions, and every place collection failed.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scanner import __version__, clouds
from scanner.atomic import write_atomic
from scanner.errors import MlpsError
from scanner.model import Coverage, CoverageStatus, Resource

SCHEMA_VERSION = 1
KIND = "mlps-inventory"
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class Inventory:
    provider: str
    accounts: list[dict[str, Any]]
    regions: list[str]
    identity: dict[str, Any]
    started_at: str
    finished_at: str
    resources: list[Resource] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    tool_version: str = __version__
    schema_version: int = SCHEMA_VERSION
    source: str = "live"  # live | iac | example
    notes: list[str] = field(default_factory=list)
    # What the account could have been scanned over, beside what was (see docs/verdicts.md):
    #   regions_available: regions the account can use (None = unknown, so never a complete scan)
    #   accounts_available: accounts/subscriptions the identity can read (None = only those scanned)
    #   sweep: {type, method, complete, limits}: the whole-account inventory-service listing, if any
    scope: dict[str, Any] = field(default_factory=dict)

    @property
    def account_ids(self) -> list[str]:
        return [a["id"] for a in self.accounts]

    @property
    def errors(self) -> list[Coverage]:
        """Every collection error: coverage records that are neither ok nor not-available."""
        return [c for c in self.coverage if c.status in (CoverageStatus.DENIED, CoverageStatus.ERROR)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": KIND,
            "schema_version": self.schema_version,
            "tool": {"name": "mlps-scanner", "version": self.tool_version},
            "provider": self.provider,
            "source": self.source,
            "scan": {"started_at": self.started_at, "finished_at": self.finished_at},
            "identity": self.identity,
            "accounts": self.accounts,
            "regions": self.regions,
            "notes": self.notes,
            "scope": self.scope,
            "coverage": [c.to_dict() for c in self.coverage],
            "resources": [r.to_dict() for r in self.resources],
        }

    @classmethod
    def new(
        cls, provider: str, accounts: list[dict[str, Any]], regions: list[str], identity: dict[str, Any]
    ) -> Inventory:
        now = utc_now()
        return cls(
            provider=provider, accounts=accounts, regions=regions, identity=identity, started_at=now, finished_at=now
        )


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def dumps(inv: Inventory, gz: bool = False) -> bytes:
    """The file's bytes: compact JSON, gzipped with a zero timestamp so that equal inventories give equal bytes."""
    # a lone surrogate (JSON can carry "\\ud800") cannot be UTF-8: it is written back as the same JSON escape
    text = json.dumps(inv.to_dict(), ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    data = text.encode("utf-8", "backslashreplace")
    return gzip.compress(data, compresslevel=6, mtime=0) if gz else data


def save(inv: Inventory, path: str | Path) -> Path:
    """Write atomically, gzipped when the name ends in .gz."""
    path = Path(path)
    return write_atomic(path, dumps(inv, gz=path.suffix == ".gz"))


def read_json(path: str | Path) -> Any:
    """Read a JSON file, transparently gunzipping; every failure becomes a one-line MlpsError."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MlpsError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise MlpsError(f"{path}: is a directory, expected a file") from None
    except OSError as e:
        raise MlpsError(f"{path}: cannot read ({e.strerror})") from None
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise MlpsError(f"{path}: corrupt gzip data ({e})") from None
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise MlpsError(f"{path}: not UTF-8 JSON") from None
    except json.JSONDecodeError as e:
        raise MlpsError(f"{path}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise MlpsError(f"{path}: JSON nested too deeply to be an inventory or findings file") from None
    except ValueError as e:  # e.g. a number longer than Python's integer-string limit
        raise MlpsError(f"{path}: invalid JSON ({str(e).splitlines()[0]})") from None


def load(path: str | Path) -> Inventory:
    doc = read_json(path)
    return from_dict(doc, str(path))


def from_dict(doc: Any, where: str = "inventory") -> Inventory:
    """Validate and build. Field checks are hand-written: a JSON-Schema pass over 100k resources
    costs seconds, and these few checks catch what matters (wrong kind, wrong version, bad shapes)."""
    if not isinstance(doc, dict):
        raise MlpsError(f"{where}: not an inventory (top level is {type(doc).__name__}, expected an object)")
    kind = doc.get("kind")
    if kind != KIND:
        hint = "this looks like a findings file; pass an inventory" if kind == "mlps-findings" else None
        raise MlpsError(f"{where}: not an inventory (kind is {kind!r}, expected {KIND!r})", hint)
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        raise MlpsError(
            f"{where}: inventory schema version {version!r} is not supported (this tool reads version "
            f"{SCHEMA_VERSION})",
            "re-collect with this version of mlps-scanner",
        )
    provider = doc.get("provider")
    if provider not in clouds.names():
        raise MlpsError(f"{where}: unknown provider {provider!r} (expected one of {', '.join(clouds.names())})")
    _require(doc, where, {"scan": dict, "accounts": list, "regions": list, "coverage": list, "resources": list})
    accounts = doc["accounts"]
    for i, a in enumerate(accounts):
        if not isinstance(a, dict) or not isinstance(a.get("id"), str):
            raise MlpsError(f"{where}: accounts[{i}] needs a string 'id'")
    coverage = []
    for i, c in enumerate(doc["coverage"]):
        try:
            coverage.append(
                Coverage(
                    account=str(c["account"]),
                    region=str(c["region"]),
                    type=str(c["type"]),
                    status=CoverageStatus(c["status"]),
                    reason=c.get("reason"),
                    permission=c.get("permission"),
                )
            )
        except (KeyError, TypeError, ValueError) as e:
            raise MlpsError(f"{where}: coverage[{i}] is malformed ({_describe(e)})") from None
    resources = []
    for i, r in enumerate(doc["resources"]):
        try:
            data = r["data"]
            tags = r.get("tags") or {}
            if not isinstance(data, dict) or not isinstance(tags, dict):
                raise TypeError("'data' and 'tags' must be objects")
            if r.get("name") is not None and not isinstance(r["name"], str):
                raise TypeError("'name' must be a string")
            resources.append(
                Resource(
                    provider=provider,
                    account=str(r["account"]),
                    region=str(r["region"]),
                    type=str(r["type"]),
                    id=str(r["id"]),
                    name=r.get("name"),
                    tags=tags,
                    data=data,
                    source=r.get("source", "live"),
                    location=r.get("location"),
                )
            )
        except (KeyError, TypeError) as e:
            raise MlpsError(f"{where}: resources[{i}] is malformed ({_describe(e)})") from None
    scan = doc["scan"]
    for key in ("identity", "tool"):
        if doc.get(key) is not None and not isinstance(doc[key], dict):
            raise MlpsError(f"{where}: field {key!r} must be an object")
    for i, a in enumerate(accounts):
        if a.get("name") is not None and not isinstance(a["name"], str):
            raise MlpsError(f"{where}: accounts[{i}].name must be a string")
    return Inventory(
        provider=provider,
        accounts=accounts,
        regions=[str(x) for x in doc["regions"]],
        identity=doc.get("identity") or {},
        started_at=str(scan.get("started_at", "")),
        finished_at=str(scan.get("finished_at", "")),
        resources=resources,
        coverage=coverage,
        tool_version=str((doc.get("tool") or {}).get("version", "unknown")),
        schema_version=version,
        source=doc.get("source", "live"),
        notes=list(doc.get("notes") or []),
        scope=_scope(doc.get("scope"), where),
    )


def _scope(raw: Any, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise MlpsError(f"{where}: field 'scope' must be an object")
    for key in ("regions_available", "accounts_available"):
        v = raw.get(key)
        if v is not None and not (isinstance(v, list) and all(isinstance(x, str) for x in v)):
            raise MlpsError(f"{where}: scope.{key} must be a list of strings")
    sweep = raw.get("sweep")
    if sweep is not None and not (isinstance(sweep, dict) and isinstance(sweep.get("type"), str)):
        raise MlpsError(f"{where}: scope.sweep must be an object with a string 'type'")
    return dict(raw)


def _require(doc: dict[str, Any], where: str, fields: dict[str, type]) -> None:
    for name, typ in fields.items():
        if name not in doc:
            raise MlpsError(f"{where}: missing field {name!r}")
        if not isinstance(doc[name], typ):
            raise MlpsError(
                f"{where}: field {name!r} must be a{'n' if typ is list else ''} {'array' if typ is list else 'object'}"
            )


def _describe(e: Exception) -> str:
    if isinstance(e, KeyError):
        return f"missing field {e.args[0]!r}"
    return str(e)

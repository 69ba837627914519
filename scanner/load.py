"""Read YAML data files and validate each against its JSON Schema, naming file and field on error.

All shipped data (catalogue, links, checks, resource types) and user data (config, waivers) goes
through here, so a bad file always fails the same way: one line, exit code 2.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

import yaml

from scanner.errors import MlpsError

try:  # the C loader is ~10x faster and ships with most PyYAML wheels
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python PyYAML
    _Loader = yaml.SafeLoader


def package_path(package: str) -> Path:
    """Filesystem path of an installed package's data folder."""
    return Path(str(importlib_resources.files(package)))


class _NoAliasLoader(yaml.SafeLoader):
    """For files users write (config, waivers): an alias can expand a few hundred bytes into gigabytes."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed here", event.start_mark)
        return super().compose_node(parent, index)


def read_yaml(path: Path, *, user: bool = False, data: bytes | None = None) -> Any:
    """Parse YAML; ``user`` files (config, waivers) may not use anchors and aliases. ``data`` is the file's
    bytes when they are already in memory (a file inside an evidence pack); ``path`` then only names it."""
    try:
        if data is None:
            with open(path, "rb") as f:
                data = f.read()
        return yaml.load(data.decode("utf-8"), Loader=_NoAliasLoader if user else _Loader)
    except FileNotFoundError:
        raise MlpsError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise MlpsError(f"{path}: is a directory, expected a file") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise MlpsError(f"{path}: invalid YAML{where}: {problem}") from None
    except UnicodeDecodeError:
        raise MlpsError(f"{path}: not UTF-8 text") from None


@cache
def schema(name: str) -> Any:
    """A validator for ``scanner/schemas/<name>.schema.json``."""
    import jsonschema  # deferred: ~50 ms, not needed for --help

    path = package_path("scanner") / "schemas" / f"{name}.schema.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(doc)
    return cls(doc)


def validate(doc: Any, schema_name: str, where: str) -> None:
    """Raise MlpsError naming the first (shallowest) schema violation."""
    validator = schema(schema_name)
    errors = sorted(validator.iter_errors(doc), key=lambda e: (len(e.absolute_path), list(map(str, e.path))))
    if errors:
        err = errors[0]
        field = _field_path(err.absolute_path)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise MlpsError(f"{where}: {field or 'top level'}: {_short(err.message)}{more}")


USER_SCHEMAS = ("config", "waivers")


def load_validated(path: Path, schema_name: str, data: bytes | None = None) -> Any:
    doc = read_yaml(path, user=schema_name in USER_SCHEMAS, data=data)
    validate(doc, schema_name, str(path))
    return doc


def _field_path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _short(message: str, limit: int = 200) -> str:
    message = message.replace("\n", " ")
    return message if len(message) <= limit else message[: limit - 3] + "..."

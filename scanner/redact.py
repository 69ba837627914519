"""Remove secrets from collected configuration before it reaches an inventory, log or report.

Three rules, the patterns of the first two kept as data in ``scanner/redaction.yaml``: any key (or tag
key) whose name says it holds a secret (password, secret, private key, user data, token, ...) has its
value replaced; any value shaped like a secret (a PEM private key, a JWT, a SAS signature, credentials in
a URL) is replaced wherever it sits; and each resource type may name further paths whose values are all
secret (e.g. Lambda environment variables, whose names say nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

REDACTED = "[REDACTED]"


def _rules() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Key-name and value-shape rules from ``scanner/redaction.yaml`` (data, so they can be reviewed)."""
    from scanner.load import package_path, read_yaml

    doc = read_yaml(package_path("scanner") / "redaction.yaml")

    def squash(s: str) -> str:  # the folded YAML scalars carry line breaks
        return "".join(s.split())

    values = "|".join(f"(?:{v})" for v in doc["secret_values"])
    keys, allowed = re.compile(squash(doc["secret_keys"]), re.I), re.compile(squash(doc["allowed_keys"]), re.I)
    return keys, allowed, re.compile(values)


_SECRET_KEY, _ALLOWED, _SECRET_VALUE = _rules()
_TAG_PAIRS = (("Key", "Value"), ("TagKey", "TagValue"), ("key", "value"))


def secret_name(name: str) -> bool:
    return bool(_SECRET_KEY.search(name)) and not _ALLOWED.match(name)


def redact(data: Any, paths: Iterable[str] = ()) -> Any:
    """Return a copy of ``data`` with secrets replaced by "[REDACTED]"."""
    out = _walk(data)
    for path in paths:
        _redact_values_at(out, path.split("."))
    return out


def redact_tags(tags: dict[str, str]) -> dict[str, str]:
    """Tags as a map: a secret-sounding key or a secret-shaped value loses its value."""
    return {k: REDACTED if (secret_name(k) or _SECRET_VALUE.search(str(v))) and v else v for k, v in tags.items()}


def redact_resource(r: Any) -> Any:
    """A resource with its configuration and its tags redacted (tags are copied out of the data, so
    they need the same rules)."""
    import dataclasses

    return dataclasses.replace(r, data=_walk(r.data), tags=redact_tags(r.tags))


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        # a tag entry ({Key, Value}, {TagKey, TagValue}): the tag's own key decides, not the word "Value"; every
        # pair an entry holds is judged, and its other keys by their own names like any dict's
        tagged = {
            vname
            for kname, vname in _TAG_PAIRS
            if isinstance(value.get(kname), str) and vname in value and secret_name(value[kname])
        }
        out = {}
        for k, v in value.items():
            named = k in tagged or (isinstance(k, str) and secret_name(k))
            out[k] = REDACTED if named and v not in (None, "", [], {}) else _walk(v)
        return out
    if isinstance(value, list):
        return [_walk(v) for v in value]
    if isinstance(value, str) and _SECRET_VALUE.search(value):
        return REDACTED
    return value


def jsonable(value: Any) -> Any:
    """SDK responses hold datetimes and bytes; inventories hold JSON. Times become UTC ISO-8601."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _redact_values_at(doc: Any, parts: list[str]) -> None:
    """Replace every leaf value under the path (dicts: each value; lists: each element)."""
    if not parts:
        return
    if isinstance(doc, list):
        for d in doc:
            _redact_values_at(d, parts)
        return
    if not isinstance(doc, dict) or parts[0] not in doc:
        return
    if len(parts) == 1:
        target = doc[parts[0]]
        if isinstance(target, dict):
            doc[parts[0]] = {k: REDACTED for k in target}
        elif target not in (None, "", [], {}):
            doc[parts[0]] = REDACTED
        return
    _redact_values_at(doc[parts[0]], parts[1:])

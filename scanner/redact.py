"""Remove secrets from collected configuration before it reaches an inventory, log or report.

Two rules: any key whose name says it holds a secret (password, secret, private key, user data,
connection string, ...) has its value replaced; and each resource type may name further paths whose
values are all secret (e.g. Lambda environment variables, whose names say nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

REDACTED = "[REDACTED]"
_SECRET_KEY = re.compile(
    r"(passw(or)?d|secret|private.?key|user.?data|custom.?data|connection.?string|session.?token|"
    r"access.?key.?secret|accesskeysecret|credential(s)?$|auth.?token|sas.?token|api.?key$)",
    re.I,
)
# keys that match the pattern but hold no secret (flags, ids, policies about secrets)
_ALLOWED = re.compile(
    r"^(PasswordLastUsed|PasswordResetRequired|PasswordPolicy|PasswordReusePrevention|MinimumPasswordLength|"
    r"MaxPasswordAge|RequirePassword.*|HardExpiry|AllowUsersToChangePassword|ExpirePasswords|"
    r".*Enabled|.*Required|.*Arn|.*Id|.*Ids|.*Type|.*Status|.*Configured|.*Date|.*Time|.*Policy|"
    r"password_enabled|password_last_used|password_last_changed|password_next_rotation|secretsEncryption|"
    r"encryptionConfig|.*Count|.*Length|.*Age|disablePasswordAuthentication)$",
    re.I,
)


def redact(data: Any, paths: Iterable[str] = ()) -> Any:
    """Return a copy of ``data`` with secrets replaced by "[REDACTED]"."""
    out = _walk(data)
    for path in paths:
        _redact_values_at(out, path.split("."))
    return out


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(k, str) and _SECRET_KEY.search(k) and not _ALLOWED.match(k) and v not in (None, "", [], {}):
                out[k] = REDACTED
            else:
                out[k] = _walk(v)
        return out
    if isinstance(value, list):
        return [_walk(v) for v in value]
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

"""Properties of secret redaction (``scanner.redact``): nothing secret survives, and redacting twice is
redacting once.

Redaction runs on everything an adapter collects before it reaches an inventory, log or report, over
shapes nobody enumerated in advance (nested configuration, tag lists, tag maps). The example-based tests
in tests/scanner/test_redact_rules.py pin the rules of scanner/redaction.yaml one case at a time; these
check the walk that applies them, over arbitrary nesting. "Secret-named" is what the YAML says, read
through ``secret_name``; the name pools below are checked against it, so they exercise both sides.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from scanner.redact import REDACTED, redact, redact_tags, secret_name

SECRET_NAMES = [
    "password", "Password", "MasterUserPassword", "db_passwd", "pw", "AdminPw", "secret", "ClientSecret",
    "PrivateKey", "private_key", "UserData", "customData", "connection_string", "SessionToken",
    "AccessKeySecret", "Credentials", "auth_token", "SasToken", "api_key", "ApiToken", "token", "refresh_token",
    "Bearer",
]  # fmt: skip
ALLOWED_NAMES = [
    "PasswordLastUsed", "PasswordResetRequired", "MinimumPasswordLength", "SecretArn", "KeyId", "TokenType",
    "ConnectionString", "secretsEncryption", "secrets", "PasswordPolicy", "MfaEnabled",
]  # fmt: skip
PLAIN_NAMES = ["Name", "Description", "Config", "Items", "Tags"]
TAG_FIELDS = ["Key", "Value", "TagKey", "TagValue", "key", "value"]
# Values whose shape alone makes them secret (the secret_values of redaction.yaml), each within its word
# boundaries, so that they can be embedded in other text.
SECRET_VALUES = [
    "-----BEGIN RSA PRIVATE KEY-----",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3.sig",
    "https://a.blob.core.chinacloudapi.cn/c?sv=2020&sig=abcdefghijklmnop1234",
    "DefaultEndpointsProtocol=https;AccountKey=abcdefghijklmnopqrstuvwxyz==",
    "Server=db;Password=hunter22;",
    "postgres://admin:hunter22@db.internal:5432/app",
    "LTAI5tAbCdEfGhIjKlMnOp",
    "AKIAABCDEFGHIJKLMNOP",
]
EMPTY: tuple[Any, ...] = (None, "", [], {})

TEXT = st.text(max_size=8)
EMBEDDED_SECRET = st.builds(lambda a, s, b: f"{a} {s} {b}", TEXT, st.sampled_from(SECRET_VALUES), TEXT)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from(["", REDACTED, *SECRET_NAMES, *ALLOWED_NAMES])  # also the Key of a tag entry
    | EMBEDDED_SECRET
    | TEXT
)


def documents(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4), max_leaves=14
    )


NAMES = st.sampled_from(SECRET_NAMES + ALLOWED_NAMES + PLAIN_NAMES) | TEXT
ALL_KEYS = NAMES | st.sampled_from(TAG_FIELDS)
# Documents without tag entries ({Key, Value}, {TagKey, TagValue}, {key, value}): where the plain rule applies.
NO_TAG_DOCS = documents(NAMES.filter(lambda k: k not in TAG_FIELDS))
DOCS = documents(ALL_KEYS)
PATHS = st.lists(st.lists(ALL_KEYS, min_size=1, max_size=3).map(".".join), max_size=3)

SETTINGS = settings(max_examples=200, deadline=None)


def _dicts(value: Any) -> Iterator[dict[Any, Any]]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _dicts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _dicts(v)


def _strings(value: Any) -> Iterator[str]:
    """Every string value (not key) anywhere in the document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _leaks(out: Any) -> list[tuple[str, Any]]:
    """(name, value) pairs where a non-empty value sits under a secret name: a key, or a tag entry's Key."""
    found = []
    for d in _dicts(out):
        for k, v in d.items():
            if isinstance(k, str) and secret_name(k) and v not in EMPTY and v != REDACTED:
                found.append((k, v))
        for kname, vname in (("Key", "Value"), ("TagKey", "TagValue"), ("key", "value")):
            tag = d.get(kname)
            if isinstance(tag, str) and secret_name(tag) and d.get(vname) not in (*EMPTY, REDACTED):
                found.append((tag, d[vname]))
    return found


def test_the_name_and_value_pools_are_what_they_claim() -> None:
    """Without this, a pool drifting from redaction.yaml would silently stop exercising the rules."""
    assert [n for n in SECRET_NAMES if not secret_name(n)] == []
    assert [n for n in ALLOWED_NAMES + PLAIN_NAMES + TAG_FIELDS if secret_name(n)] == []
    assert [v for v in SECRET_VALUES if redact(f"x {v} y") != REDACTED] == []


@SETTINGS
@given(NO_TAG_DOCS)
@example({"Config": {"MasterUserPassword": {"nested": ["x"]}, "PasswordLastUsed": "2026-01-01"}})
def test_no_value_survives_under_a_secret_name(doc: Any) -> None:
    assert _leaks(redact(doc)) == []


@SETTINGS
@given(DOCS)
@example({"Key": "password", "Value": "x", "secret": "abc"})
def test_no_value_survives_under_a_secret_name_in_tag_entries_too(doc: Any) -> None:
    assert _leaks(redact(doc)) == []


@SETTINGS
@given(DOCS, PATHS)
def test_no_secret_shaped_value_survives_anywhere(doc: Any, paths: list[str]) -> None:
    """Values only: a dict key is never rewritten, whatever its shape."""
    leaked = [s for s in _strings(redact(doc, paths)) for v in SECRET_VALUES if v in s]
    assert leaked == []


@SETTINGS
@given(DOCS, PATHS)
@example({"Key": "password", "Value": "", "TagKey": "token", "TagValue": "t"}, [])
@example({"Env": {"A": None, "B": ""}}, ["Env"])
def test_redaction_is_idempotent(doc: Any, paths: list[str]) -> None:
    once = redact(doc, paths)
    assert redact(once, paths) == once


@SETTINGS
@given(DOCS, PATHS)
def test_redaction_returns_a_copy(doc: Any, paths: list[str]) -> None:
    before = copy.deepcopy(doc)
    redact(doc, paths)
    assert doc == before


TAG_MAPS = st.dictionaries(NAMES, st.sampled_from(["", REDACTED]) | EMBEDDED_SECRET | TEXT, max_size=6)


@SETTINGS
@given(TAG_MAPS)
@example({"db_password": "hunter22", "Owner": "ops", "Note": "AKIAABCDEFGHIJKLMNOP", "token": ""})
def test_tag_maps_keep_no_secret_and_redact_idempotently(tags: dict[str, str]) -> None:
    out = redact_tags(tags)
    assert list(out) == list(tags)  # keys are kept, in order
    assert [(k, v) for k, v in out.items() if secret_name(k) and v not in ("", REDACTED)] == []
    assert [(k, v) for k, v in out.items() for s in SECRET_VALUES if s in v] == []
    assert all(out[k] in (v, REDACTED) for k, v in tags.items())  # a value is kept or redacted, never altered
    assert redact_tags(out) == out

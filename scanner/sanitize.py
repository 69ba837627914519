"""Make untrusted text safe to show: resource names, tags, reasons and pack fields come from clouds and
files the tool does not control.

Control characters (C0, C1, DEL), bidirectional overrides and lone surrogates are shown as visible escapes, so no
value can move the cursor, clear the screen, fake a verdict line, break a workbook or reorder text; Markdown
metacharacters are escaped so a value cannot add headings, links or HTML to a report.
"""

from __future__ import annotations

import re
from typing import Any

# \t and \n are kept by ``visible`` (multi-line texts), replaced by ``one_line``
# lone surrogates (JSON can carry "\\ud800") are no text at all: no encoder writes them
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_MD = re.compile(r"([\\`*_\[\]<>!|#~{}])")


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"<U+{ord(ch):04X}>"


def visible(text: Any) -> Any:
    """Control and bidi characters made visible; non-strings pass through."""
    return _CONTROL.sub(_escape, text) if isinstance(text, str) else text


def one_line(text: Any) -> str:
    """``visible``, and line breaks and tabs shown as ``\\n``, ``\\r``, ``\\t``: a value stays on its line."""
    s = str(text)
    return str(visible(s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")))


def markdown(text: Any) -> str:
    """A value inside Markdown prose or a table cell: one line, metacharacters escaped."""
    return _MD.sub(r"\\\1", one_line(text))


def deep_visible(value: Any) -> Any:
    """``visible`` over every string in nested dicts, lists and dataclasses (a copy)."""
    import dataclasses

    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {deep_visible(k): deep_visible(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep_visible(v) for v in value]
    if isinstance(value, tuple):
        return tuple(deep_visible(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: deep_visible(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        )
    return value

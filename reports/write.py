"""Write the chosen report formats into one folder; shared by ``mlps report``, ``scan --out`` and evidence packs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.atomic import folder_lock, write_atomic
from scanner.errors import MlpsError
from scanner.inventory import Inventory

FORMATS = ("html", "xlsx", "md", "json")
LANGS = ("zh", "en", "both")


def parse_formats(value: str) -> list[str]:
    wanted = [f.strip().lower() for f in value.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise MlpsError(f"unknown report format {', '.join(bad) or value!r}", f"choose from {','.join(FORMATS)}")
    return list(dict.fromkeys(wanted))


def render_reports(doc: dict[str, Any], inv: Inventory | None, formats: list[str], lang: str) -> dict[str, bytes]:
    """Every chosen format, rendered in memory from one AccountReport list, so all formats agree row for
    row and a failure in any of them leaves nothing half-written."""
    from reports.data import build

    accounts = build(doc, inv)
    out: dict[str, bytes] = {}
    for fmt in formats:
        if fmt == "html":
            from reports.html import render

            out[fmt] = render(accounts, lang).encode()
        elif fmt == "md":
            from reports.markdown import render as render_md

            out[fmt] = render_md(accounts, lang).encode()
        elif fmt == "json":
            from reports.json_report import render as render_json

            out[fmt] = render_json(accounts).encode()
        elif fmt == "xlsx":
            from reports.xlsx import render as render_xlsx

            out[fmt] = render_xlsx(accounts, lang)
    return out


def write_reports(doc: dict[str, Any], inv: Inventory | None, out: Path, formats: list[str], lang: str) -> list[Path]:
    """Render everything first, then, holding the folder's lock, replace each file atomically (unique temp
    names in the folder, so neither a concurrent run nor a planted symlink can redirect a write)."""
    if out.exists() and not out.is_dir():
        raise MlpsError(f"{out}: exists and is not a folder")
    rendered = render_reports(doc, inv, formats, lang)
    out.mkdir(parents=True, exist_ok=True)
    with folder_lock(out):
        return [write_atomic(out / f"report.{fmt}", data) for fmt, data in rendered.items()]

"""Write the chosen report formats into one folder; shared by ``mlps report``, ``scan --out`` and evidence packs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.atomic import write_atomic
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


def write_reports(doc: dict[str, Any], inv: Inventory | None, out: Path, formats: list[str], lang: str) -> list[Path]:
    """Render every format from one AccountReport list, so all formats agree row for row."""
    from reports.data import build

    if out.exists() and not out.is_dir():
        raise MlpsError(f"{out}: exists and is not a folder")
    accounts = build(doc, inv)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for fmt in formats:
        path = out / f"report.{fmt}"
        if fmt == "html":
            from reports.html import render

            written.append(write_atomic(path, render(accounts, lang)))
        elif fmt == "md":
            from reports.markdown import render as render_md

            written.append(write_atomic(path, render_md(accounts, lang)))
        elif fmt == "json":
            from reports.json_report import render as render_json

            written.append(write_atomic(path, render_json(accounts)))
        elif fmt == "xlsx":
            from reports.xlsx import write

            tmp = path.with_name(path.name + ".tmp")
            write(accounts, tmp, lang)
            tmp.replace(path)
            written.append(path)
    return written

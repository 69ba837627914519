"""Write the chosen report formats into one folder; shared by ``mlps report``, ``scan --out`` and evidence packs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from reports.model import AccountReport
from scanner.atomic import folder_lock, write_atomic
from scanner.errors import MlpsError
from scanner.inventory import Inventory

FORMATS = ("html", "xlsx", "md", "json")  # the report set (report.<format>) that report, scan and packs write
LANGS = ("zh", "en", "both")


def parse_formats(value: str) -> list[str]:
    wanted = [f.strip().lower() for f in value.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise MlpsError(f"unknown report format {', '.join(bad) or value!r}", f"choose from {','.join(FORMATS)}")
    return list(dict.fromkeys(wanted))


@dataclass
class RenderInput:
    """What a renderer may use: the findings document, the inventory (for the survey), the language, and for
    SARIF the titles of the checkov checks that ran. The report model is built once, on first use."""

    doc: dict[str, Any]
    inv: Inventory | None = None
    lang: str = "zh"
    titles: dict[str, str] = field(default_factory=dict)

    @cached_property
    def accounts(self) -> list[AccountReport]:
        from reports.build import build

        return build(self.doc, self.inv)


def _html(r: RenderInput) -> bytes:
    from reports.html import render

    return render(r.accounts, r.lang).encode()


def _md(r: RenderInput) -> bytes:
    from reports.markdown import render

    return render(r.accounts, r.lang).encode()


def _json(r: RenderInput) -> bytes:
    from reports.json_report import render

    return render(r.accounts).encode()


def _xlsx(r: RenderInput) -> bytes:
    from reports.xlsx import render

    return render(r.accounts, r.lang)


def _sarif(r: RenderInput) -> bytes:
    from reports.sarif import render

    return render(r.doc, r.titles).encode()


def _junit(r: RenderInput) -> bytes:
    from reports.junit import render

    return render(r.doc).encode()


# every output format, one line each; renderers import their libraries (openpyxl, Jinja2) only when used
RENDERERS: dict[str, Callable[[RenderInput], bytes]] = {
    "html": _html,
    "xlsx": _xlsx,
    "md": _md,
    "json": _json,
    "sarif": _sarif,
    "junit": _junit,
}


def render_reports(doc: dict[str, Any], inv: Inventory | None, formats: list[str], lang: str) -> dict[str, bytes]:
    """Every chosen format, rendered in memory from one report model, so all formats agree row for
    row and a failure in any of them leaves nothing half-written."""
    source = RenderInput(doc, inv, lang)
    return {fmt: RENDERERS[fmt](source) for fmt in formats}


def write_reports(doc: dict[str, Any], inv: Inventory | None, out: Path, formats: list[str], lang: str) -> list[Path]:
    """Render everything first, then, holding the folder's lock, replace each file atomically (unique temp
    names in the folder, so neither a concurrent run nor a planted symlink can redirect a write)."""
    if out.exists() and not out.is_dir():
        raise MlpsError(f"{out}: exists and is not a folder")
    rendered = render_reports(doc, inv, formats, lang)
    out.mkdir(parents=True, exist_ok=True)
    with folder_lock(out):
        return [write_atomic(out / f"report.{fmt}", data) for fmt, data in rendered.items()]

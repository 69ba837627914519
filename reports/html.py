"""One self-contained HTML report (no external fonts, scripts or CDNs): filterable, print-friendly."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from reports.model import (
    AccountReport,
    high_risk_text,
    identity_label,
    manual_evidence,
    pack_text,
    parameters_text,
    scope_text,
    status_label,
    text,
)
from reports.survey import verdict
from scanner.model import STATUS_KEYS

ORDER = STATUS_KEYS


def render(reports: list[AccountReport], lang: str) -> str:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    classes = sorted({(row.class_code, text(row.class_zh, row.class_en, lang)) for r in reports for row in r.rows})
    return env.get_template("report.html.j2").render(
        reports=reports,
        lang=lang,
        order=ORDER,
        classes=classes,
        t=lambda zh, en: text(zh, en, lang),
        label=lambda key: status_label(key, lang),
        identity=identity_label,
        evidence=manual_evidence,
        verdict=lambda value, exposure: text(*verdict(value, exposure), lang),
        hr_text=lambda cases: high_risk_text(cases, lang),
        scope=lambda r: scope_text(r, lang),
        params=lambda r: parameters_text(r, lang),
        pack=lambda r: pack_text(r, lang),
        verdict_class=_verdict_class,
    )


def _verdict_class(value: str, exposure: bool) -> str:
    """Colour a survey cell: green when safe, red when exposed or unencrypted, purple when unknown."""
    if value in ("unknown", "error"):
        return "s-not_assessed"
    # both kinds of check pass when things are safe: encryption on, exposure closed
    safe = value == "pass"
    return "s-compliant" if safe else "s-non_compliant"

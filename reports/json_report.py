"""The report as JSON: the same rows, plan and survey the other formats show."""

from __future__ import annotations

import json
from dataclasses import asdict

from reports.model import AccountReport

KIND = "mlps-report"


def render(reports: list[AccountReport]) -> str:
    doc = {"kind": KIND, "schema_version": 1, "accounts": [asdict(r) for r in reports]}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"

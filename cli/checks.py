"""``mlps checks``: list the shipped checks with severity and the requirement items they evidence."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli.common import add_lang
from scanner.catalogue import load_catalogue
from scanner.checks import load_checks
from scanner.clouds import names
from scanner.links import links_by_check, load_links, load_unmapped


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--provider", choices=names(), action="append")
    add_lang(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")


def run(args: argparse.Namespace) -> int:
    catalogue = load_catalogue()
    by_id = catalogue.by_id()
    by_check = links_by_check(load_links(catalogue))
    unmapped = load_unmapped()
    rows: list[dict[str, Any]] = []
    for c in load_checks():
        if args.provider and c.provider not in args.provider:
            continue
        units: list[str] = []
        for link in by_check.get(c.key, ()):
            item = by_id[link.item]
            units.extend(info.unit_id or item.id for lv, info in sorted(item.levels.items()) if link.applies_at(lv))
        rows.append(
            {
                "check": c.key,
                "title": c.title,
                "severity": c.severity,
                "resources": list(c.resources),
                "scope": c.scope,
                "params": c.params,
                "requirements": sorted(set(units)),
                **({"description": c.description} if c.description else {}),
            }
        )
        if c.key in unmapped:
            rows[-1]["evidences_no_item"] = unmapped[c.key]
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    from rich.table import Table

    from reports.terminal import console

    t = Table(title=f"{len(rows)} checks")
    for col in ("check", "severity", "title", "requirement units"):
        t.add_column(col)
    for r in rows:
        shown = ", ".join(r["requirements"]) or (
            "无（见 mappings/unmapped.yaml）" if args.lang == "zh" else "none (see mappings/unmapped.yaml)"
        )
        t.add_row(str(r["check"]), str(r["severity"]), str(r["title"][args.lang]), shown)
    console().print(t)
    return 0

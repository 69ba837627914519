"""``mlps report``: gap report, remediation plan and survey as HTML, XLSX, Markdown and JSON."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import add_level, add_pack_options, level_arg, read_input, resolve_inputs
from scanner.errors import MlpsError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input",
        metavar="INPUT",
        help="an inventory (evaluated here), a findings file, an evidence pack (.zip), or example:NAME",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="folder for report.html, report.xlsx, ...")
    parser.add_argument(
        "--format",
        default="html,xlsx,md,json",
        metavar="LIST",
        help="comma-separated: html,xlsx,md,json (default: all four)",
    )
    parser.add_argument("--lang", choices=("zh", "en", "both"), default="zh", help="report language (default: zh)")
    add_level(parser, default=None)
    parser.add_argument("--waivers", metavar="FILE", help="YAML waivers: accepted risks shown with reason and owner")
    add_pack_options(parser)


def run(args: argparse.Namespace) -> int:
    from reports.write import parse_formats, write_reports

    formats = parse_formats(args.format)
    paths = resolve_inputs([args.input])
    if len(paths) != 1:
        raise MlpsError("mlps report takes one input", "run it once per account, or pass a findings file")
    level = level_arg(args.level) if args.level else None
    doc, inv = read_input(paths[0], level, args)
    if level and doc["level"] != level:
        raise MlpsError(
            f"{paths[0]}: evaluated at level {doc['level']}, not {level}",
            "re-evaluate the inventory at the wanted level, or drop --level",
        )
    if args.waivers:
        from scanner.waivers import apply_to_doc, load_waivers

        doc = apply_to_doc(doc, load_waivers(Path(args.waivers)))
    for p in write_reports(doc, inv, Path(args.out), formats, args.lang):
        print(p)
    return 0

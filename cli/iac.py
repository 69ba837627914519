"""``mlps iac``: scan Terraform with checkov, roll the results up per MLPS requirement, gate the build."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.common import add_level, level_arg
from scanner.errors import EXIT_GAPS, MlpsError
from scanner.model import SEVERITIES

EXIT_INCOMPLETE = 4
FORMATS = ("terminal", "json", "sarif", "junit")
FILES = {"json": "mlps-findings.json", "sarif": "mlps.sarif", "junit": "mlps-junit.xml"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="IaC folders or files: Terraform (.tf, plan JSON), CloudFormation, ARM, Bicep",
    )
    add_level(parser, default=None)
    parser.add_argument(
        "--format",
        default="terminal",
        metavar="LIST",
        help="terminal, json, sarif, junit; several (comma-separated) need --output-dir",
    )
    parser.add_argument(
        "--output-dir", metavar="DIR", help="write mlps-findings.json, mlps.sarif, mlps-junit.xml and the reports here"
    )
    parser.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        metavar="SEVERITY",
        help="exit 1 if a check fails at this severity or above, or a waiver has expired",
    )
    parser.add_argument("--waivers", metavar="FILE", help="YAML waivers (same file as for live scans)")
    parser.add_argument("--create-baseline", metavar="FILE", help="record today's failures; later runs pass --baseline")
    parser.add_argument("--baseline", metavar="FILE", help="fail only on failures not recorded in this baseline")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")


def run(args: argparse.Namespace) -> int:
    from iac.scan import pseudo_inventory, scan
    from scanner.assess import assess, gate
    from scanner.catalogue import load_catalogue
    from scanner.links import load_links
    from scanner.twins import iac_links

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise MlpsError(f"unknown format {', '.join(bad) or args.format!r}", f"choose from {','.join(FORMATS)}")
    if len([f for f in formats if f != "terminal"]) > 1 and not args.output_dir:
        raise MlpsError("several formats need --output-dir")
    level = level_arg(args.level)
    waivers = None
    if args.waivers:
        from scanner.waivers import load_waivers

        waivers = load_waivers(Path(args.waivers))
    paths = [Path(p) for p in args.paths]
    result = scan(paths)
    catalogue = load_catalogue()
    links = iac_links(catalogue, load_links(catalogue))
    invs = [(pseudo_inventory(provider, paths), None) for provider in result.providers]
    doc = assess(
        invs,
        level,
        findings_of=lambda inv: [f for f in result.findings if f.check.startswith(inv.provider + "/")],
        links=links,
        catalogue=catalogue,
        waivers=waivers,
    ).doc
    doc["parse_errors"] = result.parse_errors
    doc["suppressed"] = result.suppressed
    if args.baseline:
        from iac.baseline import apply_baseline, load_baseline

        apply_baseline(doc, load_baseline(Path(args.baseline)))
    if args.create_baseline:
        from iac.baseline import write_baseline

        n = write_baseline(doc, Path(args.create_baseline))
        print(f"baseline: {n} failure(s) recorded in {args.create_baseline}", file=sys.stderr)
    _emit(doc, result.titles, formats, args)
    gated = {**doc, "findings": [f for f in doc["findings"] if not f.get("baseline")]}
    code = gate(gated, args.fail_on)
    if args.fail_on and doc.get("waivers", {}).get("expired"):
        code = EXIT_GAPS
    if code == 0 and result.parse_errors:
        return EXIT_INCOMPLETE
    return code


def _emit(doc: dict, titles: dict[str, str], formats: list[str], args: argparse.Namespace) -> None:
    from reports.write import RENDERERS, RenderInput
    from scanner import findings as findings_doc
    from scanner.atomic import write_atomic

    source = RenderInput(doc, titles=titles)
    render = {
        "json": lambda: findings_doc.dumps(doc).encode(),  # the findings document, not the report model
        "sarif": lambda: RENDERERS["sarif"](source),
        "junit": lambda: RENDERERS["junit"](source),
    }
    out = Path(args.output_dir) if args.output_dir else None
    for fmt in formats:
        if fmt == "terminal":
            _terminal(doc, args.lang)
        elif out is not None:
            write_atomic(out / FILES[fmt], render[fmt]())
        else:
            sys.stdout.write(render[fmt]().decode())
    if out is not None and doc["inventories"]:
        from reports.write import write_reports

        write_reports(
            {k: v for k, v in doc.items() if k not in ("parse_errors", "suppressed")},
            None,
            out,
            ["html", "md", "json"],
            args.lang,
        )


def _terminal(doc: dict, lang: str) -> None:
    """Quiet when clean; otherwise failures grouped by requirement item with file:line."""
    fails: dict[str, list[dict[str, Any]]] = {}
    for f in doc["findings"]:
        if f["status"] == "FAIL":
            fails.setdefault(f["check"], []).append(f)
    shown = set()
    several = len(doc["inventories"]) > 1
    for r in doc["requirements"]:
        hits = [f for c in r["checks"] for f in fails.get(c, ()) if f["account"] == r["account"]]
        if not hits:
            continue
        label = r["status_zh"] if lang == "zh" else r["status"]
        where = f"  [{r['account']}]" if several else ""
        print(f"{r['unit_id'] or r['item']}  {r['clause']}  {label}{where}")
        for f in hits:
            ev = f["evidence"]
            mark = "  [accepted risk]" if "waiver" in f else ("  [baseline]" if f.get("baseline") else "")
            print(
                f"  {f['severity']:<8} {ev['checkov_id']:<12} {f['resource_id']}  {ev['file']}:{ev['start_line']}{mark}"
            )
            shown.add((f["check"], f["resource_id"]))
    for f in (f for fs in fails.values() for f in fs if (f["check"], f["resource_id"]) not in shown):
        ev = f["evidence"]
        print(
            f"(no requirement at this level) {f['severity']} {ev['checkov_id']} {f['resource_id']} "
            f"{ev['file']}:{ev['start_line']}"
        )
    for s in doc.get("suppressed", []):
        print(f"suppressed: {s['checkov_id']} {s['resource']} {s['file']}:{s['line']} — {s['reason']}")
    for e in doc.get("parse_errors", []):
        print(f"parse error: {e['file']}: {e['error']}", file=sys.stderr)
    n = sum(len(v) for v in fails.values())
    passed = sum(1 for f in doc["findings"] if f["status"] == "PASS")
    print(
        f"mlps iac: {n} failed, {passed} passed, level {doc['level']}"
        + (f", {len(doc['parse_errors'])} file(s) not parsed" if doc.get("parse_errors") else "")
    )

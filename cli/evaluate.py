"""``mlps evaluate``: evaluate saved inventories offline and roll findings up per requirement item."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cli.common import add_lang, add_level, add_pack_options, level_arg, pack_options, resolve_inputs
from scanner import findings as findings_doc
from scanner import inventory as inventory_mod
from scanner.assess import assess, gate, parameter_changes
from scanner.catalogue import load_catalogue
from scanner.checks import load_checks
from scanner.config import load_config
from scanner.errors import EXIT_GAPS, MlpsError
from scanner.links import load_links
from scanner.model import SEVERITIES
from scanner.waivers import load_waivers


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inventory",
        nargs="+",
        metavar="INVENTORY",
        help="inventory file(s) (.json or .json.gz), example:aws|alibaba|azure|all, or one evidence pack "
        "(.zip): its inventory is re-evaluated and must reproduce its findings",
    )
    add_level(parser, default=None)
    add_lang(parser)
    parser.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table: per-requirement summary on the terminal; json: the findings document",
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the findings document here (implies json "
        "unless --format table is given, in which case the table is printed too)",
    )
    parser.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        metavar="SEVERITY",
        help="exit 1 if a check fails at this severity or above (low|medium|high|critical)",
    )
    parser.add_argument("--all", action="store_true", help="list every requirement item, not only the gaps")
    parser.add_argument("--config", metavar="FILE", help="YAML config: level, fail_on, check parameters")
    parser.add_argument("--waivers", metavar="FILE", help="YAML waivers: accepted risks do not fail --fail-on")
    parser.add_argument(
        "--set",
        action="append",
        metavar="CHECK.PARAM=VALUE",
        help="override a check parameter, e.g. aws/cw-loggroup-retention-period-check."
        "min_retention_days=365 (repeatable)",
    )
    add_pack_options(parser)


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args.config, args.set)
    level = level_arg(args.level, cfg.level)
    fail_on = args.fail_on or cfg.fail_on
    catalogue = load_catalogue()
    links = load_links(catalogue)
    checks = load_checks(overrides=cfg.params)
    paths = resolve_inputs(args.inventory)
    if any(p.suffix == ".zip" for p in paths):
        if len(paths) != 1:
            raise MlpsError("evaluate one evidence pack at a time, without other inventories")
        return _reproduce_pack(paths[0], args)
    inventories = [(inventory_mod.load(p), findings_doc.sha256_file(p)) for p in paths]
    _check_distinct_accounts([inv for inv, _ in inventories], paths)
    waivers = load_waivers(Path(args.waivers)) if args.waivers else None
    result = assess(inventories, level, checks=checks, links=links, catalogue=catalogue, waivers=waivers)
    doc = result.doc
    if waivers is not None:
        w = doc["waivers"]
        accepted = sum(x["findings"] for x in w["applied"])
        print(
            f"waivers: {accepted} finding(s) accepted as risk, {len(w['expired'])} expired waiver(s)"
            + "".join(
                f"\n  expired: {x['id']} ({x['check'] or x['item']}, {x['owner']}, {x['expires']})"
                for x in w["expired"]
            ),
            file=sys.stderr,
        )
    want_json = args.format == "json" or (args.output and args.format != "table")
    if args.output:
        findings_doc.write(doc, args.output)
    if args.format == "table":
        from reports.terminal import evaluation_summary

        evaluation_summary(
            [inv for inv, _ in inventories],
            result.results,
            result.findings,
            level,
            args.lang,
            args.all,
            catalogue.version,
        )
        if args.output:
            print(f"findings written to {args.output}")
    elif want_json and not args.output:
        sys.stdout.write(findings_doc.dumps(doc))
    return gate(doc, fail_on)


def _reproduce_pack(path: Path, args: argparse.Namespace) -> int:
    """Verify a pack (container, hashes, signature), re-evaluate its inventory with its level and
    parameters, and re-render its reports: every output must be what the inventory gives."""
    from reports.write import render_reports
    from scanner.evidence import pack_contents
    from scanner.sanitize import one_line

    opts = pack_options(args)
    doc, inv = pack_contents(path, render_reports, opts["public_key"], insecure=True)
    pv = doc["pack_verification"]
    if inv is None:
        raise MlpsError(f"{path}: the pack holds no inventory, so there is nothing to re-evaluate")
    findings = {k: v for k, v in doc.items() if k != "pack_verification"}  # what evaluate writes for an inventory
    if args.output:
        findings_doc.write(findings, args.output)
    if args.format == "json" and not args.output:
        sys.stdout.write(findings_doc.dumps(findings))
    sig = {
        "valid": f"signature valid (Ed25519 key sha256:{pv['fingerprint']})"
        + ("" if opts["public_key"] else ", checked against the key inside the pack; pass --public-key to trust one"),
        "absent": "unsigned",
    }.get(pv["signature"], f"signature {pv['signature'].upper()}")
    for line in parameter_change_lines(doc):
        print(f"{path}: {line}", file=sys.stderr)
    if not pv["verified"]:
        print(f"{path}: {sig}; the pack does NOT verify or reproduce:", file=sys.stderr)
        for problem in pv["problems"]:  # names come from the pack: shown, never interpreted by the terminal
            print(f"  {one_line(problem)}", file=sys.stderr)
        return EXIT_GAPS
    print(
        f"{path}: {sig}; every file matches the manifest, and re-evaluation reproduces the findings and every "
        f"report: {len(doc['findings'])} findings, {len(doc['requirements'])} requirement statuses, "
        f"level {doc['level']}",
        file=sys.stderr,
    )
    return gate(doc, args.fail_on)


def parameter_change_lines(doc: dict[str, Any]) -> list[str]:
    """One line per check parameter that differs from this tool's default."""
    return [
        f"parameter {c['check']}.{c['param']} = {json.dumps(c['value'])} (default {json.dumps(c['default'])})"
        for c in parameter_changes(doc)
    ]


def _check_distinct_accounts(invs: list[inventory_mod.Inventory], paths: list[Path]) -> None:
    seen: dict[tuple[str, str], Path] = {}
    for inv, p in zip(invs, paths, strict=True):
        for a in inv.account_ids:
            key = (inv.provider, a)
            if key in seen:
                raise MlpsError(
                    f"{p}: {inv.provider} account {a} is also in {seen[key]}", "pass one inventory per account"
                )
            seen[key] = p

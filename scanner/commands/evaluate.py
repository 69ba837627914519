"""``mlps evaluate``: evaluate saved inventories offline and roll findings up per requirement item."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from scanner import findings as findings_doc
from scanner import inventory as inventory_mod
from scanner.catalogue import load_catalogue
from scanner.checks import load_checks
from scanner.commands.common import add_lang, add_level, add_pack_options, level_arg, pack_options, resolve_inputs
from scanner.config import load_config
from scanner.engine import evaluate
from scanner.errors import EXIT_GAPS, MlpsError
from scanner.links import load_links
from scanner.model import SEVERITIES, Finding
from scanner.rollup import rollup
from scanner.scope import scope_of


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
    inventories = []
    for p in paths:
        inv = inventory_mod.load(p)
        inventories.append((inv, findings_doc.sha256_file(p)))
    _check_distinct_accounts([inv for inv, _ in inventories], paths)

    all_findings: list[Finding] = []
    all_results = []
    for inv, _ in inventories:
        fs = evaluate(inv, checks)
        all_findings.extend(fs)
        all_results.extend(rollup(catalogue, links, fs, inv.provider, inv.account_ids, level, scope_of(inv)))

    params = {c.key: c.params for c in checks if c.params}
    doc = findings_doc.build(inventories, all_findings, all_results, level, catalogue, params)
    if args.waivers:
        from scanner.waivers import apply_to_doc, load_waivers

        doc = apply_to_doc(doc, load_waivers(Path(args.waivers)))
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
            [inv for inv, _ in inventories], all_results, all_findings, level, args.lang, args.all, catalogue.version
        )
        if args.output:
            print(f"findings written to {args.output}")
    elif want_json and not args.output:
        sys.stdout.write(findings_doc.dumps(doc))
    return gate_doc(doc, fail_on)


def gate_doc(doc: dict[str, Any], fail_on: str | None) -> int:
    """``gate`` on a findings document: FAIL findings that an active waiver covers do not count."""
    if not fail_on:
        return 0
    from scanner.waivers import open_failures

    threshold = SEVERITIES.index(fail_on)
    return EXIT_GAPS if any(SEVERITIES.index(f["severity"]) >= threshold for f in open_failures(doc)) else 0


def _reproduce_pack(path: Path, args: argparse.Namespace) -> int:
    """Verify a pack (container, hashes, signature), re-evaluate its inventory with its level and
    parameters, and re-render its reports: every output must be what the inventory gives."""
    from scanner.evidence import pack_contents
    from scanner.sanitize import one_line

    opts = pack_options(args)
    doc, inv = pack_contents(path, opts["public_key"], insecure=True)
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
    return gate_doc(doc, args.fail_on)


def parameter_change_lines(doc: dict[str, Any]) -> list[str]:
    """One line per check parameter that differs from this tool's default."""
    from reports.data import parameter_changes

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

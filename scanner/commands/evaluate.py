"""``mlps evaluate``: evaluate saved inventories offline and roll findings up per requirement item."""

from __future__ import annotations

import argparse
from pathlib import Path

from scanner import findings as findings_doc
from scanner import inventory as inventory_mod
from scanner.catalogue import load_catalogue
from scanner.checks import load_checks
from scanner.commands.common import add_lang, add_level, level_arg, resolve_inputs
from scanner.config import load_config
from scanner.engine import evaluate
from scanner.errors import EXIT_GAPS, MlpsError
from scanner.links import load_links
from scanner.model import SEVERITIES, Finding, Status
from scanner.rollup import rollup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inventory",
        nargs="+",
        metavar="INVENTORY",
        help="inventory file(s) (.json or .json.gz), or example:aws|alibaba|azure|all",
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
    parser.add_argument(
        "--set",
        action="append",
        metavar="CHECK.PARAM=VALUE",
        help="override a check parameter, e.g. aws/cw-loggroup-retention-period-check."
        "min_retention_days=365 (repeatable)",
    )


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args.config, args.set)
    level = level_arg(args.level, cfg.level)
    fail_on = args.fail_on or cfg.fail_on
    catalogue = load_catalogue()
    links = load_links(catalogue)
    checks = load_checks(overrides=cfg.params)
    paths = resolve_inputs(args.inventory)
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
        all_results.extend(rollup(catalogue, links, fs, inv.provider, inv.account_ids, level))

    params = {c.key: c.params for c in checks if c.params}
    doc = findings_doc.build(inventories, all_findings, all_results, level, catalogue, params)
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
        import sys

        sys.stdout.write(findings_doc.dumps(doc))
    return gate(all_findings, fail_on)


def gate(findings: list[Finding], fail_on: str | None) -> int:
    """Exit 1 when a FAIL finding meets the --fail-on severity; errors alone never fail the gate."""
    if not fail_on:
        return 0
    threshold = SEVERITIES.index(fail_on)
    for f in findings:
        if f.status is Status.FAIL and SEVERITIES.index(f.severity) >= threshold:
            return EXIT_GAPS
    return 0


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

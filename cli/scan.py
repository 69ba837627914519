"""``mlps scan``: collect a cloud account read-only through its SDK, save the inventory, evaluate it.

Writes ``<out>/inventory.json.gz`` and ``<out>/findings.json`` and prints the per-requirement summary.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any

from cli.common import add_lang, add_level, level_arg
from providers import Adapter
from scanner import findings as findings_doc
from scanner import inventory as inventory_mod
from scanner.assess import assess, gate
from scanner.atomic import folder_lock
from scanner.catalogue import load_catalogue
from scanner.checks import load_checks
from scanner.clouds import clouds, get
from scanner.config import load_config
from scanner.errors import MlpsError
from scanner.links import load_links
from scanner.model import SEVERITIES
from scanner.progress import Progress


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One subcommand per registered cloud (``mlps scan aws ...``): the shared options, then that cloud's
    own options from its adapter, so one cloud's options are never accepted for another."""
    sub = parser.add_subparsers(dest="provider", required=True, metavar="CLOUD", parser_class=type(parser))
    for cloud in clouds().values():
        p = sub.add_parser(
            cloud.name,
            help=f"scan one {cloud.en} account",
            description=f"collect one {cloud.en} ({cloud.zh}) account read-only and evaluate it",
        )
        _add_common(p)
        load_adapter(cloud.name).add_arguments(p)  # adapter option modules import no SDK


def load_adapter(name: str) -> Adapter:
    """The registered cloud's adapter module (providers.Adapter)."""
    module: Adapter = importlib.import_module(get(name).adapter)
    return module


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--regions",
        type=lambda s: [r.strip() for r in s.split(",") if r.strip()],
        help="comma-separated regions (default: every enabled region of the account's partition)",
    )
    parser.add_argument(
        "--out",
        default="mlps-out",
        metavar="DIR",
        help="folder for inventory.json.gz, findings.json and the reports (default: ./mlps-out)",
    )
    parser.add_argument(
        "--report-format",
        default="html,xlsx,md,json",
        metavar="LIST",
        help="reports written beside the findings (default: html,xlsx,md,json; 'none' for none)",
    )
    parser.add_argument("--workers", type=int, default=8, help="parallel API calls (default: 8)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    add_level(parser, default=None)
    add_lang(parser)
    parser.add_argument("--all", action="store_true", help="list every requirement item, not only the gaps")
    parser.add_argument(
        "--fail-on", choices=SEVERITIES, metavar="SEVERITY", help="exit 1 if a check fails at this severity or above"
    )
    parser.add_argument("--config", metavar="FILE", help="YAML config: level, fail_on, check parameters")
    parser.add_argument("--waivers", metavar="FILE", help="YAML waivers: accepted risks do not fail --fail-on")
    parser.add_argument("--set", action="append", metavar="CHECK.PARAM=VALUE", help="override a check parameter")


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args.config, args.set)
    level = level_arg(args.level, cfg.level)
    checks = load_checks(overrides=cfg.params)  # validate config and waivers before spending time on API calls
    waivers = None
    if args.waivers:
        from scanner.waivers import load_waivers

        waivers = load_waivers(Path(args.waivers))
    catalogue = load_catalogue()
    links = load_links(catalogue)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise MlpsError(f"{out}: exists and is not a folder")
    from reports.write import parse_formats

    formats = [] if args.report_format == "none" else parse_formats(args.report_format)
    adapter = load_adapter(args.provider)
    out.mkdir(parents=True, exist_ok=True)
    with folder_lock(out):  # one run per folder: a second scan into it refuses instead of mixing files
        return _scan_into(out, adapter, args, cfg, level, checks, waivers, catalogue, links, formats)


def _scan_into(
    out: Path,
    adapter: Adapter,
    args: argparse.Namespace,
    cfg: Any,
    level: int,
    checks: list[Any],
    waivers: Any,
    catalogue: Any,
    links: Any,
    formats: list[str],
) -> int:
    """Collect, evaluate and write one account's scan into ``out`` (the caller holds its lock)."""
    progress = Progress(f"collecting {args.provider}", enabled=None if not args.quiet else False)
    inv = adapter.collect(args, progress)
    _one_account_per_folder(out, inv)
    inv_path = inventory_mod.save(inv, out / "inventory.json.gz")
    result = assess(
        [(inv, findings_doc.sha256_file(inv_path))],
        level,
        checks=checks,
        links=links,
        catalogue=catalogue,
        waivers=waivers,
    )
    doc = result.doc
    findings_doc.write(doc, out / "findings.json")
    if formats:
        from reports.write import write_reports

        write_reports(doc, inv, out, formats, args.lang)
    if not args.quiet:
        from reports.terminal import evaluation_summary

        evaluation_summary([inv], result.results, result.findings, level, args.lang, args.all, catalogue.version)
    print(
        f"inventory: {inv_path}\nfindings:  {out / 'findings.json'}"
        + (f"\nreports:   {out}/report.{{{','.join(formats)}}}" if formats else "")
    )
    return gate(doc, args.fail_on or cfg.fail_on)


def _one_account_per_folder(out: Path, inv: inventory_mod.Inventory) -> None:
    """A folder holds one account's scan: reports, findings and inventory must never mix two accounts."""
    previous = out / "inventory.json.gz"
    if not previous.is_file():
        return
    try:
        old = inventory_mod.load(previous)
    except MlpsError:
        return  # unreadable: it is replaced
    if (old.provider, old.account_ids) != (inv.provider, inv.account_ids):
        raise MlpsError(
            f"{out}: holds the scan of {old.provider} {', '.join(old.account_ids)}, not {inv.provider} "
            f"{', '.join(inv.account_ids)}",
            "choose another --out for each account",
        )

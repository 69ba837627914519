"""``mlps diff OLD NEW``: new, fixed and still-open findings and requirement status changes."""

from __future__ import annotations

import argparse
import json
import sys

from cli.common import add_level, add_pack_options, level_arg, read_input, resolve_inputs
from scanner.errors import EXIT_GAPS, MlpsError
from scanner.sanitize import one_line

_LABELS = {
    "new": "new",
    "fixed": "fixed",
    "still_open": "still open",
    "unassessed": "no longer assessed (error)",
    "removed": "resource gone",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="inventory, findings file, scan folder or evidence pack")
    parser.add_argument("new", metavar="NEW", help="the same kinds of input, from a later scan")
    add_level(parser, default=None)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--fail-on-new", action="store_true", help="exit 1 when NEW has a failure OLD did not")
    add_pack_options(parser)


def run(args: argparse.Namespace) -> int:
    from scanner.diff import diff

    level = level_arg(args.level) if args.level else None
    olds, news = resolve_inputs([args.old]), resolve_inputs([args.new])
    if len(olds) != 1 or len(news) != 1:
        raise MlpsError("mlps diff compares one input with one input", "pass one account's scan on each side")
    (old_path,), (new_path,) = olds, news
    old, _ = read_input(old_path, level, args)
    new, _ = read_input(new_path, level, args)
    for side, d_ in (("OLD", old), ("NEW", new)):
        pv = d_.get("pack_verification")
        if pv and not pv["verified"]:
            print(one_line(f"{side} is an UNVERIFIED evidence pack: " + "; ".join(pv["problems"][:5])), file=sys.stderr)
    if old["level"] != new["level"]:
        raise MlpsError(
            f"OLD is level {old['level']} and NEW is level {new['level']}; compare like with like",
            "re-evaluate one side with --level",
        )
    d = diff(old, new)
    if args.format == "json":
        sys.stdout.write(json.dumps(d, ensure_ascii=False, indent=1) + "\n")
    else:
        c = d["counts"]
        print("findings: " + ", ".join(f"{c[k]} {label}" for k, label in _LABELS.items()))
        for k, label in _LABELS.items():
            for f in d["findings"][k][:50]:
                print(
                    one_line(
                        f"  {label:<10} {f['severity']:<8} {f['check']}  {f['resource_name'] or f['resource_id']}"
                        f"  ({f['account']}, {f['region']})"
                    )
                )
            if len(d["findings"][k]) > 50:
                print(f"  ... and {len(d['findings'][k]) - 50} more {label}")
        print(f"requirement status changes: {c['status_changes']}")
        for s in d["status_changes"]:
            print(
                one_line(
                    f"  {s['unit_id'] or s['item']:<12} {s['clause']:<14} {s['old_zh']} -> {s['new_zh']}"
                    f"  ({s['account']})"
                )
            )
    return EXIT_GAPS if args.fail_on_new and d["counts"]["new"] else 0

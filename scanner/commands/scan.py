"""``mlps scan``: collect a cloud account read-only through its SDK, then evaluate it."""

from __future__ import annotations

import argparse

from scanner.errors import MlpsError

PROVIDERS = ("aws", "alibaba", "azure")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("provider", choices=PROVIDERS, help="which cloud to scan")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    raise MlpsError(
        f"the {args.provider} adapter is not available in this version of mlps-scanner",
        "evaluate a saved inventory with 'mlps evaluate', e.g. 'mlps evaluate example:" + args.provider + "'",
    )

"""Options and argument helpers shared by several subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path

from scanner.catalogue import parse_level
from scanner.errors import MlpsError
from scanner.load import package_path

EXAMPLES = ("aws", "alibaba", "azure")


def add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language (default: zh)")


def add_level(parser: argparse.ArgumentParser, default: str | None = "3") -> None:
    parser.add_argument(
        "--level",
        default=default,
        metavar="N",
        help="protection level 2, 3 or 4 (default: 3, or the config file's level)",
    )


def level_arg(value: str | None, fallback: int | None = None) -> int:
    if value is None:
        return fallback or 3
    return parse_level(value)


def example_path(name: str) -> Path:
    if name not in EXAMPLES:
        raise MlpsError(
            f"unknown example {name!r}", f"built-in examples: {', '.join('example:' + e for e in EXAMPLES)}"
        )
    return package_path("scanner") / "examples" / f"{name}.json"


def resolve_inputs(values: list[str]) -> list[Path]:
    """Paths as given; 'example:NAME' (or 'example:all') names a built-in example inventory."""
    out: list[Path] = []
    for v in values:
        if v.startswith("example:"):
            name = v.split(":", 1)[1]
            out.extend(example_path(n) for n in (EXAMPLES if name == "all" else (name,)))
        else:
            out.append(Path(v))
    return out

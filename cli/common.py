"""Options and argument helpers shared by several subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scanner.catalogue import parse_level
from scanner.clouds import clouds
from scanner.errors import MlpsError
from scanner.load import package_path


def examples() -> tuple[str, ...]:
    """Built-in example inventories, one per registered cloud that ships one."""
    return tuple(c.example for c in clouds().values() if c.example)


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
    if name not in examples():
        raise MlpsError(
            f"unknown example {name!r}", f"built-in examples: {', '.join('example:' + e for e in examples())}"
        )
    return package_path("scanner") / "examples" / f"{name}.json"


def resolve_inputs(values: list[str]) -> list[Path]:
    """Paths as given; 'example:NAME' (or 'example:all') names a built-in example inventory."""
    out: list[Path] = []
    for v in values:
        if v.startswith("example:"):
            name = v.split(":", 1)[1]
            out.extend(example_path(n) for n in (examples() if name == "all" else (name,)))
        else:
            out.append(Path(v))
    return out


def add_pack_options(parser: argparse.ArgumentParser) -> None:
    """Evidence packs are verified (container, hashes, signature, reproduction) before anything is read."""
    parser.add_argument(
        "--public-key", metavar="PEM", help="verify an evidence pack's signature with this trusted Ed25519 key"
    )
    parser.add_argument(
        "--insecure-skip-verify",
        action="store_true",
        help="read an evidence pack that fails verification; every output then says so",
    )


def pack_options(args: argparse.Namespace) -> dict[str, Any]:
    key = getattr(args, "public_key", None)
    return {"public_key": Path(key) if key else None, "insecure": bool(getattr(args, "insecure_skip_verify", False))}


def read_input(path: Path, level: int | None, args: argparse.Namespace | None = None) -> tuple[dict[str, Any], Any]:
    """(findings document, inventory or None) of any input kind; packs are verified with the command's
    ``--public-key`` / ``--insecure-skip-verify`` and their reports re-rendered by the shipped renderers."""
    from reports.write import render_reports
    from scanner.inputs import load_input

    opts = pack_options(args) if args is not None else {}
    return load_input(path, level, render=render_reports, **opts)

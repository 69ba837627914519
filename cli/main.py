"""The ``mlps`` command: a table of subcommands, each imported only when it runs.

Exit codes are decided here and only here: 0 success, 1 gaps that ``--fail-on`` asked about,
2 usage or input error, 3 internal error, 130 interrupted. Tracebacks appear only with ``--debug``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import threading
from typing import NoReturn

from scanner import __version__
from scanner.errors import EXIT_USAGE, MlpsError
from scanner.sanitize import one_line

EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

# name -> (module, one-line summary)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("cli.demo", "assess three simulated cloud accounts end to end, offline, in under a minute"),
    "catalog": ("cli.catalog", "list and show MLPS 2.0 requirement items (GB/T 22239-2019)"),
    "checks": ("cli.checks", "list the checks and the requirement items they evidence"),
    "evaluate": ("cli.evaluate", "evaluate saved inventories offline against a protection level"),
    "report": ("cli.report", "write the gap report, remediation plan and survey (html, xlsx, md, json)"),
    "evidence": (
        "cli.evidence",
        "pack findings, inventory and reports into a signed, hashed zip; verify one",
    ),
    "diff": ("cli.diff", "compare two scans: new, fixed and still-open findings, status changes"),
    "iac": ("cli.iac", "scan Terraform (folders, .tf, plan JSON) with checkov and gate CI on MLPS gaps"),
    "scan": ("cli.scan", "collect one cloud account read-only (one subcommand per registered cloud) and evaluate it"),
}


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error and exit code 2 instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(EXIT_USAGE)


def _top_help() -> str:
    width = max(len(n) for n in COMMANDS)
    lines = [
        f"mlps-scanner {__version__}: check cloud accounts and IaC against MLPS 2.0 (网络安全等级保护 2.0)",
        "",
        "usage: mlps [--debug] COMMAND [options]",
        "",
        "commands:",
        *[f"  {name:<{width}}  {summary}" for name, (_, summary) in COMMANDS.items()],
        "",
        "options:",
        "  -h, --help     show this help",
        "  --version      show the version",
        "  --debug        show tracebacks for unexpected errors",
        "",
        "Run 'mlps COMMAND --help' for a command's options.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(_top_help())
        return 0 if args else EXIT_USAGE
    if args[0] == "--version":
        sys.stdout.write(f"mlps-scanner {__version__}\n")
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        sys.stderr.write(f"mlps: error: unknown command {name!r} (commands: {', '.join(COMMANDS)})\n")
        return EXIT_USAGE
    module_name, summary = COMMANDS[name]
    try:
        module = importlib.import_module(module_name)
        parser = Parser(prog=f"mlps {name}", description=summary, formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(parser)
        ns = parser.parse_args(rest)
        return int(module.run(ns) or 0)
    except SystemExit as e:  # argparse --help / errors
        return int(e.code or 0) if isinstance(e.code, int) else EXIT_USAGE
    except MlpsError as e:
        sys.stderr.write(f"mlps {name}: error: {one_line(e.one_line())}\n")
        return e.exit_code
    except KeyboardInterrupt:
        sys.stderr.write(f"mlps {name}: interrupted\n")
        if threading.active_count() > 1:
            # worker threads may be stuck on network reads; every output is written atomically, so nothing
            # is left half-written: leave now rather than wait for them
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `mlps catalog | head`
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's flush at exit
        return 0
    except OSError as e:  # a path the user gave cannot be read or written (a folder, /proc, no space, ...)
        if debug:
            raise
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        sys.stderr.write(f"mlps {name}: error: {one_line(where)}cannot read or write ({e.strerror or e})\n")
        return EXIT_USAGE
    except Exception as e:
        if debug:
            raise
        sys.stderr.write(
            f"mlps {name}: internal error: {type(e).__name__}: {one_line(e)} (run with --debug for the "
            "traceback, and please report it)\n"
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

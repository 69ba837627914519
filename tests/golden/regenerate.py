"""Regenerate the golden reports: ``python -m tests.golden.regenerate``, then review the diff and commit it.

The golden files are the report set of one built-in example (``example:aws`` at level 3, Chinese), rendered
through the same command a user runs. Any change to what a report shows (a status, a reason, a column, the
row order) appears as a reviewable diff of these files instead of scattered count and text pins.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from cli.main import main

HERE = Path(__file__).resolve().parent
CASES = {"example-aws": ["example:aws", "--level", "3", "--lang", "zh"]}
FILES = ("report.json", "report.md")


def render(case: str, out: Path) -> dict[str, bytes]:
    """The golden files of one case as the CLI writes them today."""
    code = main(["report", *CASES[case], "--format", "json,md", "--out", str(out)])
    if code != 0:
        raise RuntimeError(f"mlps report exited {code} for {case}")
    return {name: (out / name).read_bytes() for name in FILES}


def regenerate() -> list[Path]:
    written = []
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            for name, data in render(case, Path(tmp)).items():
                path = HERE / case / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                written.append(path)
    return written


if __name__ == "__main__":
    for p in regenerate():
        sys.stdout.write(f"{p}\n")

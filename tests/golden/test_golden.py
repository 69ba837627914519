"""The report set of one example must equal the reviewed golden files byte for byte.

On a deliberate change: ``python -m tests.golden.regenerate`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden.regenerate import CASES, FILES, HERE, render


@pytest.mark.parametrize("case", sorted(CASES))
def test_reports_match_the_golden_files(case: str, tmp_path: Path) -> None:
    got = render(case, tmp_path)
    for name in FILES:
        want = (HERE / case / name).read_bytes()
        assert got[name] == want, f"{case}/{name} differs; regenerate with: python -m tests.golden.regenerate"

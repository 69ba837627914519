"""Shared helpers: build tiny inventories in memory and run the real engine over them."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.checks import Check, load_checks
from scanner.engine import evaluate
from scanner.inventory import Inventory
from scanner.model import Coverage, CoverageStatus, Finding, Resource

SCAN_TIME = "2026-11-28T12:00:00Z"


@pytest.fixture(scope="session")
def all_checks() -> dict[str, Check]:
    return {c.key: c for c in load_checks()}


def make_inventory(
    provider: str,
    resources: list[dict[str, Any]],
    *,
    account: str = "111122223333",
    types: list[str] | None = None,
    coverage: list[Coverage] | None = None,
    regions: tuple[str, ...] = ("cn-north-1",),
) -> Inventory:
    """Resources are dicts with at least type and data; every listed type is covered ok in every region."""
    res = [
        Resource(
            provider=provider,
            account=account,
            region=r.get("region", regions[0]),
            type=r["type"],
            id=r.get("id", f"res-{n}"),
            name=r.get("name"),
            data=r.get("data", {}),
        )
        for n, r in enumerate(resources)
    ]
    cov = (
        coverage
        if coverage is not None
        else [
            Coverage(account=account, region=reg, type=t, status=CoverageStatus.OK)
            for t in sorted(set(types or []) | {r.type for r in res})
            for reg in (*regions, "global")
        ]
    )
    return Inventory(
        provider=provider,
        accounts=[{"id": account}],
        regions=list(regions),
        identity={},
        started_at=SCAN_TIME,
        finished_at=SCAN_TIME,
        resources=res,
        coverage=cov,
    )


def run_check(check: Check, inventory: Inventory) -> list[Finding]:
    return [f for f in evaluate(inventory, [check]) if f.check == check.key]

"""Synthetic inventories for benchmarks: N resources spread over every declared resource type.

Each resource's data is one of the check samples in tests/providers (API-shaped, pass and fail
variants), so evaluation exercises the same expressions and branches as real inventories.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import yaml

from scanner.checks import load_checks, load_resource_types
from scanner.inventory import Inventory
from scanner.model import Coverage, CoverageStatus, Resource

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "providers"
REGIONS = {
    "aws": ["cn-north-1", "cn-northwest-1"],
    "alibaba": ["cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "cn-hongkong"],
    "azure": ["chinaeast2", "chinanorth2", "chinanorth3"],
}


def _templates() -> dict[str, list[dict[str, Any]]]:
    """Resource type -> sample data documents taken from the check samples."""
    out: dict[str, list[dict[str, Any]]] = {}
    for check in load_checks():
        if check.scope == "account" or check.target == "resource":
            continue
        path = SAMPLES / check.provider / check.service / f"{check.id}.yaml"
        if not path.exists():
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind in ("pass", "fail", "not_applicable"):
            for sample in doc.get(kind, []):
                out.setdefault(check.resources[0], []).append(sample)
    return out


def build(provider: str, n: int, seed: int = 7) -> Inventory:
    rng = random.Random(seed)
    types = sorted(t for t, rt in load_resource_types().items() if rt.provider == provider)
    templates = _templates()
    account = {"aws": "123456789012", "alibaba": "1234567890123456", "azure": "00000000-0000-0000-0000-000000000001"}[
        provider
    ]
    regions = REGIONS[provider]
    resources = []
    cycle = itertools.cycle(types)
    for i in range(n):
        rtype = next(cycle)
        choices = templates.get(rtype) or [{"Name": "x"}]
        data = dict(rng.choice(choices))
        data["_seq"] = i
        resources.append(
            Resource(
                provider=provider,
                account=account,
                region=rng.choice(regions),
                type=rtype,
                id=f"{rtype.rsplit('.', 1)[1]}-{i:07d}",
                name=f"r{i}",
                data=data,
            )
        )
    coverage = [Coverage(account, r, t, CoverageStatus.OK) for t in types for r in [*regions, "global"]]
    return Inventory(
        provider=provider,
        accounts=[{"id": account}],
        regions=regions,
        identity={"arn": "synthetic"},
        started_at="2026-11-28T00:00:00Z",
        finished_at="2026-11-28T00:05:00Z",
        resources=resources,
        coverage=coverage,
        source="synthetic",
    )

"""IaC twins: the checkov checks that test what a live check tests, and the links they inherit.

``mappings/iac/checkov.yaml`` names, for each checkov check we run, its live twin (``same_as``, plus
``also``). The twin's requirement links carry over, so an IaC finding rolls up exactly as the live
finding would. Plain data over the mapping layer: the coverage table reads it without checkov installed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from scanner.catalogue import Catalogue
from scanner.links import Link
from scanner.load import package_path, read_yaml


@cache
def mapping() -> dict[str, dict[str, Any]]:
    doc = read_yaml(package_path("mappings") / "iac" / "checkov.yaml")
    checks: dict[str, dict[str, Any]] = doc["checks"]
    return checks


def check_key(checkov_id: str, provider: str) -> str:
    return f"{provider}/{checkov_id.lower().replace('_', '-')}"


def iac_links(catalogue: Catalogue, links: dict[str, list[Link]]) -> dict[str, list[Link]]:
    """Item -> links for IaC check keys: each checkov check inherits the links of its live twin(s)."""
    twins: dict[str, list[tuple[str, str]]] = {}
    for cid, m in mapping().items():
        for live in [m["same_as"], *m.get("also", [])]:
            provider = live.split("/", 1)[0]
            twins.setdefault(live, []).append((cid, provider))
    out: dict[str, list[Link]] = {}
    for item, entries in links.items():
        for lk in entries:
            for cid, provider in twins.get(lk.check, ()):
                key = check_key(cid, provider)
                if all(x.check != key for x in out.get(item, [])):
                    out.setdefault(item, []).append(
                        Link(item=item, check=key, covers=lk.covers, why=f"same as {lk.check}", levels=lk.levels)
                    )
    return out

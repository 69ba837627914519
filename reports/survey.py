"""信息系统调查 (the system survey): regions, network, internet exposure, security services and data stores.

What the survey counts as network, security service, exposure check or encryption check is data
(``reports/survey.yaml``); a resource with no such check says "no check", never a guess.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from scanner import inventory as inventory_mod
from scanner.checks import load_resource_types
from scanner.functions import in_mainland_china
from scanner.load import read_yaml


@cache
def survey_spec() -> dict[str, Any]:
    return read_yaml(Path(__file__).parent / "survey.yaml")


def _verdict(statuses: list[str]) -> str:
    """fail beats error beats pass: one exposed path is enough, and an unreadable one is not 'closed'."""
    for s in ("FAIL", "ERROR", "PASS"):
        if s in statuses:
            return s.lower()
    return "unknown"


def survey(inv: inventory_mod.Inventory, account: str, findings: list[dict[str, Any]]) -> dict[str, Any]:
    """信息系统调查: where things are, how the network is laid out, which security services run, where
    data sits and whether it is encrypted and exposed. Exposure and encryption come only from the shipped
    checks listed in reports/survey.yaml; "unknown" means no such check ran on the resource."""
    spec = survey_spec()
    types = load_resource_types()
    res = [r for r in inv.resources if r.account == account]
    regions = Counter(r.region for r in res if r.region not in ("global", "*", "subscription"))
    exposure, encryption = set(spec["exposure_checks"]), set(spec["encryption_checks"])
    by_res: dict[tuple[str, str | None], list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        if f["account"] == account:
            by_res[(f["resource_type"], f["resource_id"])].append(f)

    def labelled(kind: str) -> list[dict[str, Any]]:
        counts = Counter(r.type for r in res if r.type in spec[kind])
        return [
            {"type": t, "zh": spec[kind][t]["zh"], "en": spec[kind][t]["en"], "count": n}
            for t, n in sorted(counts.items())
        ]

    exposed = []
    for (rtype, rid), fs in sorted(by_res.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        hits = sorted(f["check"] for f in fs if f["check"] in exposure and f["status"] == "FAIL")
        if hits:
            exposed.append(
                {"type": rtype, "id": rid, "name": fs[0]["resource_name"], "region": fs[0]["region"], "checks": hits}
            )
    stores = []
    for r in res:
        if not (types.get(r.type) and types[r.type].data_store):
            continue
        fs = by_res.get((r.type, r.id), [])
        stores.append(
            {
                "type": r.type,
                "id": r.id,
                "name": r.name,
                "region": r.region,
                "encryption": _verdict([f["status"] for f in fs if f["check"] in encryption]),
                "internet_exposure": _verdict([f["status"] for f in fs if f["check"] in exposure]),
                "failing_checks": sorted(f["check"] for f in fs if f["status"] == "FAIL"),
            }
        )
    return {
        "regions": [
            {"region": r, "resources": n, "mainland": in_mainland_china(r) is True} for r, n in sorted(regions.items())
        ],
        "network": labelled("network"),
        "internet_exposed": exposed,
        "security_services": labelled("security_services"),
        "data_stores": stores,
    }


_VERDICTS = {
    # (check verdict, exposure?) -> words; an exposure check that FAILs means "exposed"
    ("pass", False): ("已加密", "yes"),
    ("fail", False): ("未加密", "no"),
    ("pass", True): ("未暴露", "not exposed"),
    ("fail", True): ("暴露", "exposed"),
    ("error", False): ("未能评估", "not assessed"),
    ("error", True): ("未能评估", "not assessed"),
    ("unknown", False): ("无相关检查", "no check"),
    ("unknown", True): ("无相关检查", "no check"),
}


def verdict(value: str, exposure: bool) -> tuple[str, str]:
    return _VERDICTS[(value, exposure)]

"""The roll-up rule, case by case (it is also documented in the README)."""

from __future__ import annotations

import pytest

from scanner.catalogue import load_catalogue
from scanner.links import Link
from scanner.model import Finding, ReqStatus, Status
from scanner.rollup import rollup

CAT = load_catalogue()
ACCT = "acct"


def F(check: str, status: Status, rid: str = "r1", severity: str = "high") -> Finding:
    return Finding(
        check=check,
        account=ACCT,
        region="cn-north-1",
        resource_type="aws.x.y",
        resource_id=rid,
        resource_name=None,
        status=status,
        severity=severity,
        message=f"{status.value} message",
    )


def status_of(item: str, links: dict, findings: list, level: int = 3, provider: str = "aws"):
    (r,) = [r for r in rollup(CAT, links, findings, provider, [ACCT], level) if r.item.id == item]
    return r


L = {"L3-CES1-28": [Link("L3-CES1-28", "aws/a", "partial", "w", None), Link("L3-CES1-28", "aws/b", "full", "w", None)]}


@pytest.mark.parametrize(
    "statuses,expected",
    [
        ([("aws/a", Status.FAIL), ("aws/b", Status.FAIL)], ReqStatus.NON_COMPLIANT),
        ([("aws/a", Status.FAIL), ("aws/b", Status.PASS)], ReqStatus.PARTIAL),
        ([("aws/a", Status.FAIL), ("aws/b", Status.ERROR)], ReqStatus.NON_COMPLIANT),
        ([("aws/a", Status.PASS), ("aws/b", Status.ERROR)], ReqStatus.NOT_ASSESSED),
        ([("aws/a", Status.PASS), ("aws/b", Status.PASS)], ReqStatus.COMPLIANT),
        ([("aws/a", Status.PASS), ("aws/b", Status.NOT_APPLICABLE)], ReqStatus.MANUAL),
        ([("aws/a", Status.NOT_APPLICABLE), ("aws/b", Status.NOT_APPLICABLE)], ReqStatus.NOT_APPLICABLE),
    ],
)
def test_status_from_findings(statuses, expected):
    findings = [F(c, s, rid=f"r{n}") for n, (c, s) in enumerate(statuses)]
    r = status_of("L3-CES1-28", L, findings)
    assert r.status is expected
    assert r.reason("zh") and r.reason("en")


def test_error_never_rolls_up_to_compliant():
    r = status_of("L3-CES1-28", L, [F("aws/b", Status.PASS), F("aws/b", Status.ERROR, rid="r2")])
    assert r.status is ReqStatus.NOT_ASSESSED
    assert "ERROR message" in r.reason("en")


def test_without_links_provider_manual_or_not_assessed():
    assert status_of("L3-CNS2-02", {}, []).status is ReqStatus.PROVIDER
    assert status_of("PSS1-CP01", {}, []).status is ReqStatus.MANUAL
    assert status_of("L3-CES1-28", {}, []).status is ReqStatus.NOT_ASSESSED


def test_links_of_other_providers_are_ignored():
    links = {"L3-CES1-28": [Link("L3-CES1-28", "alibaba/x", "full", "w", None)]}
    r = status_of("L3-CES1-28", links, [F("alibaba/x", Status.FAIL)])
    assert r.status is ReqStatus.NOT_ASSESSED


def test_level_restricted_link():
    links = {"L3-CES2-10": [Link("L3-CES2-10", "aws/a", "full", "w", (3,))]}
    assert status_of("L3-CES2-10", links, [F("aws/a", Status.FAIL)], level=3).status is ReqStatus.NON_COMPLIANT
    assert status_of("L3-CES2-10", links, [F("aws/a", Status.FAIL)], level=2).status is ReqStatus.NOT_ASSESSED


def test_counts_failing_resources_and_worst_severity():
    findings = [
        F("aws/a", Status.FAIL, "r1", "medium"),
        F("aws/b", Status.FAIL, "r1", "critical"),
        F("aws/b", Status.FAIL, "r2", "low"),
    ]
    r = status_of("L3-CES1-28", L, findings)
    assert (r.failing_resources, r.max_fail_severity) == (2, "critical")


def test_item_absent_at_level_is_not_rolled_up():
    items = {r.item.id for r in rollup(CAT, {}, [], "aws", [ACCT], 2)}
    assert "L3-CES1-04" not in items and "L3-CES1-01" in items

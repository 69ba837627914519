"""The roll-up rule (docs/verdicts.md): case by case, and as properties over random finding sets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.catalogue import load_catalogue
from scanner.inventory import Inventory
from scanner.links import Link
from scanner.model import Finding, ReqStatus, Status
from scanner.rollup import rollup
from scanner.scope import Scope, scope_of

CAT = load_catalogue()
ACCT = "acct"
COMPLETE = Scope(
    statement_en="whole account", statement_zh="整个账号", sweep={"type": "aws.inventory.resource", "complete": True}
)
PARTIAL_SCOPE = Scope(gaps_en=("regions not scanned: cn-northwest-1",), gaps_zh=("未扫描地域：cn-northwest-1",))


def F(check: str, status: Status, rid: str = "r1", severity: str = "high", rtype: str = "aws.x.y", ev=None) -> Finding:
    return Finding(
        check=check,
        account=ACCT,
        region="cn-north-1",
        resource_type=rtype,
        resource_id=rid,
        resource_name=None,
        status=status,
        severity=severity,
        message=f"{status.value} message",
        evidence=ev,
    )


def status_of(item: str, links: dict, findings: list, level: int = 3, provider: str = "aws", scope=COMPLETE):
    (r,) = [r for r in rollup(CAT, links, findings, provider, [ACCT], level, scope) if r.item.id == item]
    return r


# L3-CES1-28 (存储保密性) is tenant / partial in the catalogue; L3-CES2-10 is shared / partial;
# a synthetic automated item is needed for 符合, so one is derived from a real item below.
L = {"L3-CES1-28": [Link("L3-CES1-28", "aws/a", "partial", "w", None), Link("L3-CES1-28", "aws/b", "full", "w", None)]}


@pytest.mark.parametrize(
    "statuses,expected",
    [
        ([("aws/a", Status.FAIL), ("aws/b", Status.FAIL)], ReqStatus.NON_COMPLIANT),
        ([("aws/a", Status.FAIL), ("aws/b", Status.PASS)], ReqStatus.PARTIAL),
        ([("aws/a", Status.FAIL), ("aws/b", Status.ERROR)], ReqStatus.NON_COMPLIANT),
        ([("aws/a", Status.PASS), ("aws/b", Status.ERROR)], ReqStatus.NOT_ASSESSED),
        # a full link on an item that is not automatable leaves the rest to the assessor
        ([("aws/a", Status.PASS), ("aws/b", Status.PASS)], ReqStatus.MANUAL),
        ([("aws/a", Status.PASS), ("aws/b", Status.NOT_APPLICABLE)], ReqStatus.MANUAL),
        # nothing to evaluate and no link says its resources are the item's subject: not 不适用
        ([("aws/a", Status.NOT_APPLICABLE), ("aws/b", Status.NOT_APPLICABLE)], ReqStatus.MANUAL),
    ],
)
def test_status_from_findings(statuses, expected):
    findings = [F(c, s, rid=f"r{n}") for n, (c, s) in enumerate(statuses)]
    r = status_of("L3-CES1-28", L, findings)
    assert r.status is expected
    assert r.reason("zh") and r.reason("en")


def _automated_catalogue():
    """A catalogue in which L3-CES1-28 is automatable, to test the only road to 符合."""
    import dataclasses

    from scanner.catalogue import Catalogue

    items = tuple(dataclasses.replace(i, assessment="automated") if i.id == "L3-CES1-28" else i for i in CAT.items)
    return Catalogue(items=items, version=CAT.version)


AUTO = _automated_catalogue()


def auto_status(findings, scope=COMPLETE, links=L):
    (r,) = [r for r in rollup(AUTO, links, findings, "aws", [ACCT], 3, scope) if r.item.id == "L3-CES1-28"]
    return r


def test_compliant_needs_a_full_link_an_automatable_item_and_the_whole_account():
    ok = [F("aws/a", Status.PASS), F("aws/b", Status.PASS, rid="r2")]
    assert auto_status(ok).status is ReqStatus.COMPLIANT
    limited = auto_status(ok, PARTIAL_SCOPE)
    assert limited.status is ReqStatus.MANUAL
    assert "not scanned: regions not scanned: cn-northwest-1" in limited.reason("en")
    assert "未扫描地域" in limited.reason("zh")
    assert auto_status(ok, None).status is ReqStatus.MANUAL  # scope unknown
    partial_only = {"L3-CES1-28": [Link("L3-CES1-28", "aws/a", "partial", "w", None)]}
    assert auto_status([F("aws/a", Status.PASS)], links=partial_only).status is ReqStatus.MANUAL


def test_incomplete_sweep_blocks_compliant_on_items_that_read_it():
    sweep = Scope(sweep={"type": "aws.inventory.resource", "complete": False, "limits": "tagged resources only"})
    ok = [F("aws/a", Status.PASS), F("aws/b", Status.PASS, rid="r2", rtype="aws.inventory.resource")]
    r = auto_status(ok, sweep)
    assert r.status is ReqStatus.MANUAL and "tagged resources only" in r.reason("en")


def test_failure_stays_a_failure_whatever_the_scope():
    r = auto_status([F("aws/a", Status.FAIL)], PARTIAL_SCOPE)
    assert r.status is ReqStatus.NON_COMPLIANT and "cn-northwest-1" in r.reason("en")


def test_error_never_rolls_up_to_compliant():
    r = auto_status([F("aws/b", Status.PASS), F("aws/b", Status.ERROR, rid="r2")])
    assert r.status is ReqStatus.NOT_ASSESSED
    assert "ERROR message" in r.reason("en")


def test_not_applicable_only_when_a_subject_link_finds_no_subject():
    subj = {"L3-CES2-09": [Link("L3-CES2-09", "aws/img", "partial", "w", None, subject=True)]}
    none = [F("aws/img", Status.NOT_APPLICABLE, rid=None)]
    r = status_of("L3-CES2-09", subj, none)
    assert r.status is ReqStatus.NOT_APPLICABLE and "subject is absent" in r.reason("en")
    # ... and only over the whole account
    assert status_of("L3-CES2-09", subj, none, scope=PARTIAL_SCOPE).status is ReqStatus.MANUAL
    # the same absence through a link that is not the item's subject shows nothing
    ctl = {"L3-CES2-09": [Link("L3-CES2-09", "aws/img", "partial", "w", None)]}
    assert status_of("L3-CES2-09", ctl, none).status is ReqStatus.MANUAL


def test_manual_items_are_never_not_applicable_through_links():
    links = {"L3-CES1-34": [Link("L3-CES1-34", "aws/m", "partial", "w", None, subject=True)]}
    r = status_of("L3-CES1-34", links, [F("aws/m", Status.NOT_APPLICABLE)])
    assert r.status is ReqStatus.MANUAL


def test_service_absent_from_the_partition_contributes_nothing():
    """Macie does not exist in aws-cn: its NOT_APPLICABLE must not make 8.1.4.11 a) 不适用."""
    links = {"L3-CES1-35": [Link("L3-CES1-35", "aws/macie", "partial", "w", None, subject=True)]}
    na = [F("aws/macie", Status.NOT_APPLICABLE, ev={"coverage": "not_available"})]
    r = status_of("L3-CES1-35", links, na)
    assert r.status is ReqStatus.NOT_ASSESSED and "not offered" in r.reason("en")


def test_provider_items_are_never_scored_on_tenant_findings():
    links = {"L3-CNS2-02": [Link("L3-CNS2-02", "aws/a", "full", "w", None)]}
    r = status_of("L3-CNS2-02", links, [F("aws/a", Status.FAIL)])
    assert r.status is ReqStatus.PROVIDER and r.counts == {}
    pes = status_of("L3-PES2-01", {}, [])
    assert pes.status is ReqStatus.PROVIDER and "测评结论" in pes.reason("zh")


def test_without_links_manual_or_not_assessed():
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


def test_scope_of_a_region_limited_scan_names_what_was_left_out():
    inv = Inventory.new("alibaba", [{"id": ACCT}], ["cn-hangzhou"], {})
    inv.scope = {"regions_available": ["cn-hangzhou", "ap-southeast-1"]}
    s = scope_of(inv)
    assert not s.complete and s.gaps_en == ("regions not scanned: ap-southeast-1",)
    assert "enabled but not scanned: ap-southeast-1" in s.statement_en
    assert not scope_of(Inventory.new("aws", [{"id": ACCT}], ["cn-north-1"], {})).complete  # nothing recorded


# ---- properties over random finding sets -------------------------------------------------------------

CHECKS = ("aws/a", "aws/b", "aws/c")
finding_sets = st.lists(
    st.tuples(
        st.sampled_from(CHECKS),
        st.sampled_from(list(Status)),
        st.booleans(),  # NOT_APPLICABLE because the service is absent from the partition
        st.sampled_from(["aws.x.y", "aws.inventory.resource"]),
    ),
    max_size=12,
)
link_sets = st.lists(
    st.tuples(st.sampled_from(CHECKS), st.sampled_from(["full", "partial"]), st.booleans()),
    min_size=1,
    max_size=3,
    unique_by=lambda t: t[0],
)
scopes = st.sampled_from(
    [COMPLETE, PARTIAL_SCOPE, None, Scope(sweep={"type": "aws.inventory.resource", "complete": False})]
)


def _build(fs, ls):
    findings = [
        F(c, s, rid=f"r{n}", rtype=t, ev={"coverage": "not_available"} if (s is Status.NOT_APPLICABLE and na) else None)
        for n, (c, s, na, t) in enumerate(fs)
    ]
    links = [Link("L3-CES1-28", c, cov, "w", None, subject=subj) for c, cov, subj in ls]
    return findings, {"L3-CES1-28": links}


@settings(max_examples=400, deadline=None)
@given(finding_sets, link_sets, scopes, st.booleans())
def test_property_verdict_says_only_what_the_evidence_proves(fs, ls, scope, automated):
    findings, links = _build(fs, ls)
    cat = AUTO if automated else CAT
    (r,) = [r for r in rollup(cat, links, findings, "aws", [ACCT], 3, scope) if r.item.id == "L3-CES1-28"]
    linked = {lk.check for lk in links["L3-CES1-28"]}
    counted = [f for f in findings if f.check in linked and (f.evidence or {}).get("coverage") != "not_available"]
    statuses = {f.status for f in counted}
    if r.status is ReqStatus.COMPLIANT:
        # a pass on a full link, no failure and no error anywhere, an automatable item, the whole account
        assert automated and scope is not None and not scope.gaps_en
        if any(f.resource_type == "aws.inventory.resource" for f in counted):
            assert scope.sweep.get("complete")  # an item that reads the sweep needs a complete one
        assert Status.FAIL not in statuses and Status.ERROR not in statuses
        assert any(f.status is Status.PASS for f in counted if any(c == f.check and cov == "full" for c, cov, _ in ls))
    if r.status is ReqStatus.NOT_APPLICABLE:
        # only absence of the subject, over the whole account, through a link that declares it
        assert statuses == {Status.NOT_APPLICABLE} and scope is not None and not scope.gaps_en
        assert any(subj for _, _, subj in ls)
    if Status.FAIL in statuses:
        assert r.status in (ReqStatus.NON_COMPLIANT, ReqStatus.PARTIAL)
    if Status.ERROR in statuses and Status.FAIL not in statuses:
        assert r.status is ReqStatus.NOT_ASSESSED
    if not counted:  # only services absent here, or nothing at all: never a verdict from links
        assert r.status in (ReqStatus.NOT_ASSESSED, ReqStatus.MANUAL)
    assert r.reason("zh") and r.reason("en")


@settings(max_examples=200, deadline=None)
@given(finding_sets, link_sets, scopes)
def test_property_provider_and_manual_items_ignore_tenant_results(fs, ls, scope):
    findings, _ = _build(fs, ls)
    for item, expected in (("L3-CNS2-02", {ReqStatus.PROVIDER}), ("L3-CES1-34", None)):
        lk = {item: [Link(item, c, cov, "w", None, subject=s) for c, cov, s in ls]}
        (r,) = [r for r in rollup(CAT, lk, findings, "aws", [ACCT], 3, scope) if r.item.id == item]
        if expected:
            assert r.status in expected
        else:  # a manual item: never 符合 or 不适用 from links
            assert r.status not in (ReqStatus.COMPLIANT, ReqStatus.NOT_APPLICABLE)

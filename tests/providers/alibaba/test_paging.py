"""Paging reads every page as each action really pages, and the paging guard stops a list that would loop or
end short with an ERROR for that type; and every type names its items' own id."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from providers.alibaba import client, collect
from providers.alibaba.sim.fake import FakeAlibabaCloud, load_scenario
from scanner.checks import load_checks
from scanner.engine import evaluate
from scanner.errors import MlpsError
from scanner.model import CoverageStatus, Status


def company() -> dict:
    return copy.deepcopy(load_scenario("company"))


def scan(scenario: dict, types: list[str], *, patch=None):
    with FakeAlibabaCloud(scenario) as fake:
        if patch:
            original = fake.answer

            def answer(version, action, query, host_region=None):
                got = patch(version, action, dict(query))
                return got if got is not None else original(version, action, query, host_region)

            fake.answer = answer
        ctx = client.connect(endpoint_override=fake.endpoints, regions=["cn-hangzhou"])
        return collect.collect(ctx, workers=2, types=types), fake


def statuses(inv, key: str) -> dict:
    return {f.resource_name or f.resource_id: f.status for f in evaluate(inv, load_checks()) if f.check == key}


def coverage(inv, rtype: str):
    return {c.region: c for c in inv.coverage if c.type == rtype}


# -- every page, as each action pages ------------------------------------------------------------------------------
def test_network_acls_are_paged_by_page_number(ali_env):
    sc = company()
    acls = sc["collections"]["vpc.network_acls"]["cn-hangzhou"]
    template = acls[0]
    for n in range(1, 55):
        acls.append({**copy.deepcopy(template), "NetworkAclId": f"nacl-bp1bulk{n:04d}", "NetworkAclName": f"bulk-{n}"})
    acls[-1]["IngressAclEntries"]["IngressAclEntry"].append(
        {"Policy": "accept", "Protocol": "tcp", "Port": "22/22", "SourceCidrIp": "0.0.0.0/0"}
    )
    inv, fake = scan(sc, ["alibaba.vpc.network-acl"])
    assert len([r for r in inv.resources if r.type == "alibaba.vpc.network-acl"]) == 55
    sent = [ex["query"] for ex in fake.exchanges if ex["action"] == "DescribeNetworkAcls"]
    assert [q.get("PageNumber") for q in sent] == ["1", "2"] and not any("MaxResults" in q for q in sent)
    assert statuses(inv, "alibaba/vpc-network-acl-risky-ports-check")["bulk-54"] is Status.FAIL


def test_slb_acl_entries_are_all_read(ali_env):
    sc = company()
    office = sc["details"]["DescribeAccessControlListAttribute"]["acl-bp1office0001"]
    office["AclEntrys"]["AclEntry"] = [
        {"AclEntryIP": f"203.0.{n}.0/24", "AclEntryComment": f"site {n}"} for n in range(59)
    ] + [{"AclEntryIP": "0.0.0.0/0", "AclEntryComment": "the 60th entry"}]
    inv, fake = scan(sc, ["alibaba.slb.acl"])
    (acl,) = [r for r in inv.resources if r.id == "acl-bp1office0001"]
    assert len(acl.data["AclEntrys"]) == 60 and acl.data["RelatedListeners"]
    pages = [ex["query"].get("Page") for ex in fake.exchanges if ex["query"].get("AclId") == "acl-bp1office0001"]
    assert sorted(p for p in pages if p) == ["1", "2"]
    assert statuses(inv, "alibaba/slb-acl-public-access-check")["office"] is Status.FAIL  # was PASS: 10 read


def test_security_group_rules_are_all_read(ali_env):
    sc = company()
    perms = sc["details"]["DescribeSecurityGroupAttribute"]["sg-bp1web0001"]["Permissions"]["Permission"]
    rule = {"Direction": "ingress", "IpProtocol": "TCP", "SourceCidrIp": "10.0.0.0/8", "Policy": "Accept"}
    perms[:] = [{**rule, "PortRange": f"{n}/{n}", "Priority": "1"} for n in range(1000, 2000)]
    perms.append({**rule, "PortRange": "3389/3389", "SourceCidrIp": "0.0.0.0/0", "Priority": "1"})
    inv, _ = scan(sc, ["alibaba.ecs.security-group"])
    (sg,) = [r for r in inv.resources if r.id == "sg-bp1web0001"]
    assert len(sg.data["Permissions"]) == 1001
    assert statuses(inv, "alibaba/ecs-security-group-risky-ports-check-with-protocol")["web"] is Status.FAIL


# -- the guard: never an endless loop, never a silent truncation ------------------------------------------------------
def _vpcs(n: int) -> list[dict]:
    return [{"VpcId": f"vpc-bp1bulk{i:04d}", "VpcName": f"v{i}", "Status": "Available"} for i in range(n)]


def test_a_repeating_next_token_ends_the_type_with_an_error(ali_env):
    def patch(version, action, query):
        if action == "DescribeInstances" and version == "2014-05-26":
            return 200, {"Instances": {"Instance": []}, "NextToken": "same", "TotalCount": 0}
        return None

    inv, fake = scan(company(), ["alibaba.ecs.instance"], patch=patch)
    cov = coverage(inv, "alibaba.ecs.instance")["cn-hangzhou"]
    assert cov.status is CoverageStatus.ERROR and "PagingError" in cov.reason and "second time" in cov.reason
    assert sum(a == "DescribeInstances" for a, _ in fake.calls) <= 2


def test_a_page_past_the_total_ends_the_type_with_an_error(ali_env):
    """An API that ignores PageNumber hands back page 1 again: the count passes the total."""

    def patch(version, action, query):
        if action == "DescribeVpcs":
            return 200, {"Vpcs": {"Vpc": _vpcs(50)}, "TotalCount": 60, "PageNumber": 1, "PageSize": 50}
        return None

    inv, _ = scan(company(), ["alibaba.vpc.vpc"], patch=patch)
    cov = coverage(inv, "alibaba.vpc.vpc")["cn-hangzhou"]
    assert cov.status is CoverageStatus.ERROR and "past the total of 60" in cov.reason
    assert not [r for r in inv.resources if r.type == "alibaba.vpc.vpc"]


def test_an_empty_page_before_the_total_ends_the_type_with_an_error(ali_env):
    def patch(version, action, query):
        if action == "DescribeVpcs":
            rows = _vpcs(50) if query.get("PageNumber") == "1" else []
            return 200, {"Vpcs": {"Vpc": rows}, "TotalCount": 120, "PageNumber": 1, "PageSize": 50}
        return None

    inv, _ = scan(company(), ["alibaba.vpc.vpc"], patch=patch)
    cov = coverage(inv, "alibaba.vpc.vpc")["cn-hangzhou"]
    assert cov.status is CoverageStatus.ERROR and "came back empty with 50 of 120" in cov.reason


def test_a_short_page_before_the_total_ends_the_type_with_an_error(ali_env):
    """An API that caps the page size below what was asked (ten of fifty) would otherwise skip items."""

    def patch(version, action, query):
        if action == "DescribeVpcs":
            return 200, {"Vpcs": {"Vpc": _vpcs(10)}, "TotalCount": 30, "PageNumber": 1, "PageSize": 10}
        return None

    inv, _ = scan(company(), ["alibaba.vpc.vpc"], patch=patch)
    cov = coverage(inv, "alibaba.vpc.vpc")["cn-hangzhou"]
    assert cov.status is CoverageStatus.ERROR and "holds 10 items" in cov.reason


def test_a_missing_total_ends_the_type_with_an_error(ali_env):
    def patch(version, action, query):
        if action == "DescribeVpcs":
            return 200, {"Vpcs": {"Vpc": _vpcs(50)}, "PageNumber": 1, "PageSize": 50}
        return None

    inv, _ = scan(company(), ["alibaba.vpc.vpc"], patch=patch)
    cov = coverage(inv, "alibaba.vpc.vpc")["cn-hangzhou"]
    assert cov.status is CoverageStatus.ERROR and "no total count" in cov.reason


def test_a_repeating_marker_ends_the_type_with_an_error(ali_env):
    def patch(version, action, query):
        if action == "ListUsers":
            user = {"UserName": "u", "UserId": "1", "CreateDate": "2025-01-01T00:00:00Z"}
            return 200, {"Users": {"User": [user]}, "IsTruncated": True, "Marker": "m1"}
        return None

    inv, _ = scan(company(), ["alibaba.ram.user"], patch=patch)
    cov = coverage(inv, "alibaba.ram.user")["global"]
    assert cov.status is CoverageStatus.ERROR and "Marker 'm1' came back a second time" in cov.reason


def test_a_truncated_list_without_a_marker_ends_the_type_with_an_error(ali_env):
    def patch(version, action, query):
        if action == "ListGroups":
            return 200, {"Groups": {"Group": [{"GroupName": "g"}]}, "IsTruncated": True}
        return None

    inv, _ = scan(company(), ["alibaba.ram.group"], patch=patch)
    cov = coverage(inv, "alibaba.ram.group")["global"]
    assert cov.status is CoverageStatus.ERROR and "gives no Marker" in cov.reason


def test_a_detail_list_that_loops_marks_its_type(ali_env):
    def patch(version, action, query):
        if action == "DescribeAccessControlListAttribute" and query.get("Page"):
            return 200, {"AclId": query["AclId"], "AclEntrys": {"AclEntry": []}, "TotalAclEntry": 5}
        return None

    inv, _ = scan(company(), ["alibaba.slb.acl"], patch=patch)
    cov = coverage(inv, "alibaba.slb.acl")["cn-hangzhou"]
    assert cov.status is CoverageStatus.ERROR and "came back empty with 0 of 5" in cov.reason
    assert all("AclEntrys" not in r.data for r in inv.resources if r.type == "alibaba.slb.acl")
    assert Status.PASS not in statuses(inv, "alibaba/slb-acl-public-access-check").values()


def test_cms_and_sas_pagers_are_guarded(ali_env):
    def patch(version, action, query):
        if action == "DescribeMetricRuleList":
            return 200, {"Alarms": {"Alarm": []}, "Total": "3", "Success": True, "Code": 200}
        if action == "DescribeCloudCenterInstances":
            return 200, {"Instances": [], "PageInfo": {"TotalCount": 2}, "Success": True}
        return None

    inv, _ = scan(company(), ["alibaba.cms.metric-rule", "alibaba.sas.agent"], patch=patch)
    for rtype in ("alibaba.cms.metric-rule", "alibaba.sas.agent"):
        (cov,) = coverage(inv, rtype).values()
        assert cov.status is CoverageStatus.ERROR and "came back empty" in cov.reason, rtype


# -- ids ---------------------------------------------------------------------------------------------------------
def test_every_listed_type_declares_its_id():
    for spec in collect.load_specs().values():
        assert spec.single or spec.id, spec.type


def test_a_type_without_an_id_is_a_load_time_error(tmp_path: Path):
    svc = tmp_path / "demo"
    svc.mkdir()
    (svc / "resources.yaml").write_text(
        "types:\n- type: alibaba.demo.thing\n  description: x\n  collect: {product: ecs, version: '2014-05-26',"
        " action: DescribeThings, items: Things.Thing, paging: token}\n",
        encoding="utf-8",
    )
    with pytest.raises(MlpsError, match=r"alibaba\.demo\.thing: collect\.id is missing"):
        collect.parse_specs(tmp_path)


def test_ids_are_the_clouds_own_short_strings(scan):
    inv, _ = scan
    assert all(isinstance(r.id, str) and 0 < len(r.id) < 200 for r in inv.resources)
    agents = {r.id: r.name for r in inv.resources if r.type == "alibaba.sas.agent"}
    assert agents == {"uuid-web-1": "web-1", "uuid-jump": "jump"}


def test_an_item_without_its_id_is_an_error_not_a_repr(ali_env):
    sc = company()
    del sc["collections"]["sas.instances"]["*"][0]["Uuid"]
    inv, _ = scan(sc, ["alibaba.sas.agent"])
    (cov,) = coverage(inv, "alibaba.sas.agent").values()
    assert cov.status is CoverageStatus.ERROR and "NoResourceId" in cov.reason


# -- a paging style that does not exist ----------------------------------------------------------------------------
def test_a_misspelt_paging_style_is_a_load_time_error(tmp_path: Path):
    """It used to load, and with an empty first page the pager looped for ever (the item guard never tripped)."""
    svc = tmp_path / "demo"
    svc.mkdir()
    (svc / "resources.yaml").write_text(
        "types:\n- type: alibaba.demo.thing\n  description: x\n  collect: {product: ecs, version: '2014-05-26',"
        " action: DescribeThings, items: Things.Thing, paging: tokens, id: ThingId}\n",
        encoding="utf-8",
    )
    with pytest.raises(MlpsError, match=r"demo/resources\.yaml: types\[0\]\.collect\.paging: 'tokens' is not one of"):
        collect.parse_specs(tmp_path)


def test_a_hook_asking_for_an_unknown_paging_style_fails_at_once():
    """The transport's own guard, for a style a hook passes in code (no schema sees it): an error, never a loop."""
    from providers.alibaba.transport import AlibabaTransport
    from scanner.collect import Op, Placement, Task

    class EmptyPages:
        account, regions, calls = "1", ["cn-hangzhou"], 0

        def call(self, *args, **kwargs):
            self.calls += 1
            return {"Things": {"Thing": []}}

    ctx = EmptyPages()
    transport = AlibabaTransport(ctx)  # type: ignore[arg-type]
    spec = collect.load_specs()["alibaba.ecs.instance"]
    task = Task(transport, spec, Placement("cn-hangzhou", "cn-hangzhou", "1"))
    op = Op("DescribeThings", {"product": "ecs", "version": "2014-05-26", "paging": "tokens"})
    with pytest.raises(client.ApiError) as e:
        transport.paginate(task, op, {}, "Things.Thing")
    assert e.value.code == "PagingError" and "unknown paging style 'tokens'" in e.value.message
    assert ctx.calls == 0

"""The whole-account location sweep (Resource Center), the inventory's scope record, and the CloudMonitor and
security-group egress checks, against the local fake."""

from __future__ import annotations

import copy

from providers.alibaba import client, collect
from providers.alibaba.sim.fake import FakeAlibabaCloud, load_scenario
from scanner.checks import load_checks
from scanner.engine import evaluate
from scanner.model import CoverageStatus, Status

SWEEP = "alibaba.inventory.resource"


def by_check(inv):
    out: dict = {}
    for f in evaluate(inv, load_checks()):
        out.setdefault(f.check, {})[f.resource_name or f.resource_id] = f.status
    return out


def test_scope_after_a_scan(scan):
    inv, _ = scan
    assert inv.scope["regions_available"] == ["cn-hangzhou", "cn-shanghai", "cn-hongkong"]
    sweep = inv.scope["sweep"]
    assert sweep["type"] == SWEEP and sweep["method"] == "resource-center" and sweep["complete"] is True
    assert "5 resource types" in sweep["limits"] and sweep["limits"].endswith(".")
    assert inv.to_dict()["scope"] == inv.scope


def test_sweep_lists_every_resource_with_its_region(scan):
    inv, _ = scan
    swept = {r.id: r for r in inv.resources if r.type == SWEEP}
    assert len(swept) == 8
    assert swept["vpc-j6cintl0001"].region == "cn-hongkong" and swept["hk-public-site"].region == "cn-hongkong"
    assert swept["i-bp1web0001"].region == "cn-hangzhou"
    assert swept["i-bp1web0001"].data["ResourceType"] == "ACS::ECS::Instance"
    assert swept["i-bp1web0001"].tags == {"env": "prod"}
    (cov,) = [c for c in inv.coverage if c.type == SWEEP]
    assert cov.status is CoverageStatus.OK and cov.region == "global"


def test_sweep_check_and_the_location_check_do_not_double_count(scan):
    inv, _ = scan
    by = by_check(inv)
    sweep = by["alibaba/account-resources-in-mainland-china"]
    assert sweep["intl"] is Status.FAIL and sweep["hk-public-site"] is Status.FAIL
    assert sweep["web-1"] is Status.PASS and sweep["corp-data"] is Status.PASS
    assert sum(s is Status.FAIL for s in sweep.values()) == 2
    location = load_checks_by_key()["alibaba/resource-region-in-mainland-china"]
    assert SWEEP not in location.resources


def load_checks_by_key():
    return {c.key: c for c in load_checks()}


def test_new_checks_over_the_scan(scan):
    inv, _ = scan
    by = by_check(inv)
    assert by["alibaba/ecs-security-group-egress-restricted"] == {"web": Status.PASS, "ops-open": Status.FAIL}
    assert by["alibaba/cms-alarm-rule-configured"] == {"1234567890123456": Status.PASS}
    assert by["alibaba/cms-event-alarm-ecs-instance-state-change"] == {"1234567890123456": Status.PASS}
    (rule,) = [r for r in inv.resources if r.type == "alibaba.cms.event-rule"]
    assert rule.data["Targets"]["ContactParameters"][0]["ContactGroupName"] == "ops-oncall"


def _scan(scenario, *, inject=(), regions=None):
    with FakeAlibabaCloud(scenario) as fake:
        for action, kind in inject:
            fake.inject(action, kind)
        ctx = client.connect(endpoint_override=fake.endpoints, regions=regions)
        return collect.collect(ctx, workers=4), fake


def test_denied_resource_center_is_a_denied_record_and_no_sweep(ali_env):
    inv, _ = _scan(copy.deepcopy(load_scenario("company")), inject=[("SearchResources", "denied")])
    (cov,) = [c for c in inv.coverage if c.type == SWEEP]
    assert cov.status is CoverageStatus.DENIED and cov.permission == "resourcecenter:SearchResources"
    sweep = inv.scope["sweep"]
    assert sweep["method"] == "none" and sweep["complete"] is False
    assert "resourcecenter:SearchResources" in sweep["limits"]
    assert not [r for r in inv.resources if r.type == SWEEP]
    key = "alibaba/account-resources-in-mainland-china"
    statuses = {f.status for f in evaluate(inv, load_checks()) if f.check == key}
    assert statuses == {Status.ERROR}  # never a pass, never "not applicable"


def test_disabled_resource_center_is_an_error_and_no_sweep(ali_env):
    sc = copy.deepcopy(load_scenario("company"))
    sc["details"]["GetResourceCenterServiceStatus"]["*"] = {"ServiceStatus": "Disabled", "InitialStatus": "Pending"}
    inv, fake = _scan(sc)
    (cov,) = [c for c in inv.coverage if c.type == SWEEP]
    assert cov.status is CoverageStatus.ERROR and "not enabled" in cov.reason
    assert inv.scope["sweep"]["method"] == "none"
    assert "SearchResources" not in {a for a, _ in fake.calls}


def test_sweep_pages_and_regions_subset_keeps_every_available_region(ali_env):
    sc = copy.deepcopy(load_scenario("company"))
    rows = sc["collections"]["resourcecenter.resources"]["*"]
    template = rows[0]
    rows.extend(
        {**template, "ResourceId": f"i-bp1bulk{n:04d}", "ResourceName": f"bulk-{n}", "Tags": []} for n in range(230)
    )
    sc["details"]["GetResourceCenterServiceStatus"]["*"]["InitialStatus"] = "Pending"
    inv, fake = _scan(sc, regions=["cn-hangzhou"])
    assert inv.regions == ["cn-hangzhou"]
    assert inv.scope["regions_available"] == ["cn-hangzhou", "cn-shanghai", "cn-hongkong"]
    assert len([r for r in inv.resources if r.type == SWEEP]) == 238
    assert sum(a == "SearchResources" for a, _ in fake.calls) == 3  # 100 + 100 + 38
    sweep = inv.scope["sweep"]
    assert sweep["method"] == "resource-center" and sweep["complete"] is False and "Pending" in sweep["limits"]
    # the sweep still sees Hong Kong although only cn-hangzhou was scanned service by service
    assert any(r.region == "cn-hongkong" for r in inv.resources if r.type == SWEEP)


def test_no_alarm_rules_fail_and_denied_rules_are_not_assessed(ali_env):
    sc = copy.deepcopy(load_scenario("company"))
    sc["collections"]["cms.metric_rules"]["*"] = []
    sc["collections"]["cms.event_rules"]["*"] = []
    inv, _ = _scan(sc, inject=[("DescribeEventRuleTargetList", "denied")])
    by = by_check(inv)
    assert by["alibaba/cms-alarm-rule-configured"] == {"1234567890123456": Status.FAIL}
    assert by["alibaba/cms-event-alarm-ecs-instance-state-change"] == {"1234567890123456": Status.FAIL}
    inv, _ = _scan(copy.deepcopy(load_scenario("company")), inject=[("DescribeEventRuleTargetList", "denied")])
    cov = {c.type: c for c in inv.coverage}
    assert cov["alibaba.cms.event-rule"].permission == "cms:DescribeEventRuleTargetList"
    key = "alibaba/cms-event-alarm-ecs-instance-state-change"
    statuses = {f.status for f in evaluate(inv, load_checks()) if f.check == key}
    assert Status.PASS not in statuses and Status.ERROR in statuses

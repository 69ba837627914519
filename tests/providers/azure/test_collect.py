"""The Azure adapter through the real azure-core pipeline against the in-process fake ARM."""

from __future__ import annotations

import pytest

from providers.azure import client, collect
from providers.azure.client import WriteAttempt, permission_for
from providers.azure.sim.fake import FakeArm, FakeCredential, load_scenario
from scanner.checks import load_checks
from scanner.engine import evaluate
from scanner.model import CoverageStatus, Status

SUB = "00000000-1111-2222-3333-444444444444"
FLOW_LOG_CHECK = "azure/network-watcher-flow-logs-should-have-retention-of-180-days"
VM_ALERT_CHECK = "azure/an-activity-log-alert-should-exist-for-virtual-machine-creation-and-restart"


@pytest.fixture(scope="module")
def scanned():
    fake = FakeArm(load_scenario("company"))
    cred = FakeCredential()
    ctx = client.connect(credential=cred, transport=fake.transport())
    return collect.collect(ctx, workers=4), ctx, fake, cred


def test_china_endpoint_scope_and_pinned_versions(scanned):
    _, _, fake, cred = scanned
    assert set(cred.scopes) == {"https://management.chinacloudapi.cn/.default"}
    assert all(url.startswith("https://management.chinacloudapi.cn/") for _, url in fake.requests)
    assert all("api-version=" in url for _, url in fake.requests)
    pinned = set(collect.api_versions().values())
    assert {url.split("api-version=")[1].split("&")[0] for _, url in fake.requests} <= pinned


def test_every_type_collected_with_paging(scanned):
    inv, _, fake, _ = scanned
    assert {c.type for c in inv.coverage} == set(collect.load_specs())
    assert [c for c in inv.coverage if c.status is not CoverageStatus.OK] == []
    assert any("skiptoken" in url for _, url in fake.requests)  # nextLink was followed
    assert len([r for r in inv.resources if r.type == "azure.resources.resource"]) == 6


def test_outcomes_per_check(scanned):
    inv, _, _, _ = scanned
    by: dict = {}
    for f in evaluate(inv, load_checks()):
        by.setdefault(f.check, {})[f.resource_name] = f.status
    assert by["azure/secure-transfer-to-storage-accounts-should-be-enabled"] == {
        "appdata01": Status.PASS,
        "legacyfiles": Status.FAIL,
    }
    assert by["azure/management-ports-should-be-closed-on-your-virtual-machines"] == {
        "web-nsg": Status.FAIL,
        "db-nsg": Status.PASS,
    }
    assert by["azure/sql-server-auditing-retention-180-days"] == {"orders-sql": Status.FAIL}
    assert by["azure/key-vaults-should-have-deletion-protection-enabled"] == {"app-kv": Status.PASS}
    loc = by["azure/resource-region-in-mainland-china"]
    assert loc and set(loc.values()) == {Status.PASS}
    sweep = by["azure/account-resources-in-mainland-china"]
    assert len(sweep) == 6 and set(sweep.values()) == {Status.PASS}
    assert by["azure/network-security-groups-should-restrict-outbound"] == {
        "web-nsg": Status.FAIL,
        "db-nsg": Status.PASS,
    }
    # web-nsg has a flow log kept 180 days; db-nsg has none, which now fails (it used to be NOT_APPLICABLE)
    assert by[FLOW_LOG_CHECK] == {
        "web-nsg": Status.PASS,
        "db-nsg": Status.FAIL,
    }
    assert by["azure/accounts-with-owner-permissions-should-be-mfa-enabled"] == {None: Status.FAIL}
    assert by["azure/accounts-with-write-permissions-should-be-mfa-enabled"] == {None: Status.PASS}
    assert by[VM_ALERT_CHECK] == {None: Status.PASS}
    assert by["azure/an-enabled-metric-alert-with-an-action-group-should-exist"] == {None: Status.PASS}


def test_custom_data_is_redacted(scanned):
    inv, _, _, _ = scanned
    (vm,) = [r for r in inv.resources if r.type == "azure.compute.virtual-machine"]
    assert vm.data["properties"]["osProfile"]["customData"] == "[REDACTED]"


def test_non_get_requests_are_refused_before_sending():
    fake = FakeArm(load_scenario("company"))
    ctx = client.connect(credential=FakeCredential(), transport=fake.transport())
    before = len(fake.requests)
    from azure.core.rest import HttpRequest

    with pytest.raises(WriteAttempt, match="refusing DELETE"):
        ctx.pipeline().send_request(
            HttpRequest("DELETE", ctx.arm_endpoint + f"/subscriptions/{SUB}/resourcegroups/app?api-version=2021-04-01")
        )
    assert len(fake.requests) == before


def test_faults_mark_only_their_types():
    fake = FakeArm(load_scenario("company"))
    fake.inject(r"/providers/Microsoft\.Sql/servers$", "denied")
    fake.inject(r"/providers/Microsoft\.KeyVault/vaults$", "throttle", times=2)  # recovers
    fake.inject(r"/providers/Microsoft\.Compute/disks$", "throttle")  # never recovers
    fake.inject(r"/providers/Microsoft\.Network/publicIPAddresses$", "timeout")
    ctx = client.connect(credential=FakeCredential(), transport=fake.transport())
    ctx.retry_total = 2
    inv = collect.collect(ctx, workers=4, resource_graph=False)  # exercise the per-service lists
    cov = {c.type: c for c in inv.coverage}
    sql = cov["azure.sql.server"]
    assert sql.status is CoverageStatus.DENIED and sql.permission == "Microsoft.Sql/servers/read"
    assert cov["azure.sql.database"].status is CoverageStatus.DENIED  # listed under the servers
    assert cov["azure.keyvault.vault"].status is CoverageStatus.OK
    assert cov["azure.compute.disk"].status is CoverageStatus.ERROR
    assert "429" in cov["azure.compute.disk"].reason or "TooManyRequests" in cov["azure.compute.disk"].reason
    assert cov["azure.network.public-ip"].status is CoverageStatus.ERROR
    assert cov["azure.storage.account"].status is CoverageStatus.OK


def test_rbac_permissions_are_reads_and_derived_from_paths():
    perms = collect.required_permissions()
    assert all(p.endswith("/read") for p in perms)
    assert "Microsoft.Storage/storageAccounts/blobServices/read" in perms
    assert (
        permission_for(
            f"/subscriptions/{SUB}/resourceGroups/app/providers/Microsoft.Sql/servers/s/auditingSettings/default"
        )
        == "Microsoft.Sql/servers/auditingSettings/read"
    )


def test_shipped_custom_role_matches_the_table_exactly():
    import json
    from pathlib import Path

    role = json.loads((Path(__file__).resolve().parents[3] / "providers" / "azure" / "custom-role.json").read_text())
    assert set(role["Actions"]) == set(collect.required_permissions())
    assert role["NotActions"] == [] and role["DataActions"] == []
    assert all(a.endswith("/read") and "*" not in a for a in role["Actions"])


def test_every_requested_path_is_a_declared_read(scanned):
    _, ctx, _, _ = scanned
    assert {m for m, _ in ctx.requests_seen} == {"GET", "POST"}
    assert {p for m, p in ctx.requests_seen if m == "POST"} == {"/providers/Microsoft.ResourceGraph/resources"}
    declared = {permission_for(p) for _, p in ctx.requests_seen}
    assert declared <= set(collect.required_permissions())


def test_resource_graph_fast_path_and_fallback():
    with_graph = FakeArm(load_scenario("company"))
    ctx = client.connect(credential=FakeCredential(), transport=with_graph.transport())
    fast = collect.collect(ctx, workers=4)
    without = FakeArm(load_scenario("company"))
    without.inject(r"Microsoft\.ResourceGraph", "denied")
    ctx2 = client.connect(credential=FakeCredential(), transport=without.transport())
    slow = collect.collect(ctx2, workers=4)
    assert fast.notes == ["Resource Graph listed 12 resources in one query"]
    assert slow.notes == [
        "Resource Graph unavailable to this identity, or its answer incomplete: listed per service instead"
    ]
    assert ctx.calls < ctx2.calls
    assert sorted((r.type, r.id) for r in fast.resources) == sorted((r.type, r.id) for r in slow.resources)
    assert [c for c in slow.coverage if c.status is not CoverageStatus.OK] == []


def test_global_cloud_resources_outside_china_fail_data_location():
    import copy

    sc = copy.deepcopy(load_scenario("company"))
    sub = sc["subscriptions"][0]
    sub["collections"]["/subscriptions/@SUB@/resources"].append(
        {
            "id": "/subscriptions/@SUB@/resourceGroups/hk/providers/Microsoft.Storage/storageAccounts/hkfiles",
            "name": "hkfiles",
            "type": "Microsoft.Storage/storageAccounts",
            "location": "eastasia",
        }
    )
    fake = FakeArm(sc)
    cred = FakeCredential()
    ctx = client.connect(cloud="AzureCloud", credential=cred, transport=fake.transport())
    inv = collect.collect(ctx, workers=4)
    assert set(cred.scopes) == {"https://management.azure.com/.default"}
    assert all(url.startswith("https://management.azure.com/") for _, url in fake.requests)
    (check,) = [c for c in load_checks() if c.key == "azure/account-resources-in-mainland-china"]
    fails = [(f.resource_name, f.evidence) for f in evaluate(inv, [check]) if f.status is Status.FAIL]
    assert fails == [("hkfiles", {"region": "eastasia", "type": "Microsoft.Storage/storageAccounts"})]


def _with(mutate):
    import copy

    sc = copy.deepcopy(load_scenario("company"))
    mutate(sc["subscriptions"][0]["collections"], sc)
    return sc


def _scan(sc, **kw):
    fake = FakeArm(sc)
    ctx = client.connect(credential=FakeCredential(), transport=fake.transport(), **kw)
    return collect.collect(ctx, workers=4), fake


def _by_check(inv, key):
    (check,) = [c for c in load_checks() if c.key == key]
    return [f for f in evaluate(inv, [check])]


def test_scope_records_accounts_and_the_sweep(scanned):
    inv, _, _, _ = scanned
    assert inv.scope["accounts_available"] == [SUB]
    assert inv.scope["regions_available"] is None
    sweep = inv.scope["sweep"]
    assert sweep["type"] == "azure.resources.resource"
    assert sweep["method"] == "arm-resources-list" and sweep["complete"] is True
    assert "tracked" in sweep["limits"] and sweep["limits"].endswith(".")
    doc = inv.to_dict()
    assert doc["scope"] == inv.scope


def test_subscription_subset_leaves_more_accounts_available():
    other = "99999999-8888-7777-6666-555555555555"

    def add(_, sc):
        sc["subscriptions"].append({"subscriptionId": other, "displayName": "dev-china", "collections": {}})

    inv, _ = _scan(_with(add), subscriptions=[SUB])
    assert inv.account_ids == [SUB]
    assert inv.scope["accounts_available"] == sorted([SUB, other])
    assert inv.scope["sweep"]["complete"] is True


def test_sweep_denied_is_recorded_as_incomplete():
    fake = FakeArm(load_scenario("company"))
    fake.inject(r"/subscriptions/[^/]+/resources$", "denied")
    ctx = client.connect(credential=FakeCredential(), transport=fake.transport())
    inv = collect.collect(ctx, workers=4)
    sweep = inv.scope["sweep"]
    assert sweep["method"] == "none" and sweep["complete"] is False and sweep["missing_accounts"] == [SUB]
    (f,) = _by_check(inv, "azure/account-resources-in-mainland-china")
    assert f.status is Status.ERROR and "Microsoft.Resources/subscriptions/resources/read" in f.message


def test_nsgs_without_flow_logs_fail():
    def no_flow_logs(cols, _):
        for k in list(cols):
            if k.endswith("/flowLogs"):
                cols[k] = []

    inv, _ = _scan(_with(no_flow_logs))
    nsgs = [r for r in inv.resources if r.type == "azure.network.network-security-group"]
    assert nsgs and all(r.data["flowLogs"] == [] for r in nsgs)
    statuses = {f.resource_name: f.status for f in _by_check(inv, FLOW_LOG_CHECK)}
    assert statuses == {"web-nsg": Status.FAIL, "db-nsg": Status.FAIL}


def test_vnet_flow_log_counts_for_the_nsgs_of_its_subnets():
    vnet = "/subscriptions/@SUB@/resourceGroups/app/providers/Microsoft.Network/virtualNetworks/app-vnet"

    def vnet_flow_log(cols, _):
        nsgs = cols["/subscriptions/@SUB@/providers/Microsoft.Network/networkSecurityGroups"]
        nsgs[1]["properties"]["subnets"] = [{"id": vnet + "/subnets/db"}]
        watcher = (
            "/subscriptions/@SUB@/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network"
            "/networkWatchers/NetworkWatcher_chinaeast2"
        )
        cols[watcher + "/flowLogs"].append(
            {
                "id": watcher + "/flowLogs/app-vnet-flow",
                "name": "app-vnet-flow",
                "location": "chinaeast2",
                "properties": {
                    "targetResourceId": vnet,
                    "enabled": True,
                    "retentionPolicy": {"days": 365, "enabled": True},
                },
            }
        )

    inv, _ = _scan(_with(vnet_flow_log))
    statuses = {f.resource_name: f.status for f in _by_check(inv, FLOW_LOG_CHECK)}
    assert statuses == {"web-nsg": Status.PASS, "db-nsg": Status.PASS}


def test_flow_logs_denied_leaves_nsgs_not_assessed():
    fake = FakeArm(load_scenario("company"))
    fake.inject(r"/flowLogs$", "denied")
    ctx = client.connect(credential=FakeCredential(), transport=fake.transport())
    inv = collect.collect(ctx, workers=4, resource_graph=False)
    assert all("flowLogs" not in r.data for r in inv.resources if r.type == "azure.network.network-security-group")
    findings = _by_check(inv, FLOW_LOG_CHECK)
    assert {f.status for f in findings} == {Status.ERROR}


def test_defender_assessments_only_identity_kept_and_unavailable_is_not_assessed():
    inv, _ = _scan(load_scenario("company"))
    kept = sorted(r.name for r in inv.resources if r.type == "azure.security.assessment")
    assert kept == ["57e98606-6b1e-6193-0e3d-fe621387c16b", "94290b00-4d0c-d7b4-7cea-064a9554e681"]

    fake = FakeArm(load_scenario("company"))
    fake.inject(r"/providers/Microsoft\.Security/assessments$", "denied")
    ctx = client.connect(credential=FakeCredential(), transport=fake.transport())
    denied = collect.collect(ctx, workers=4)
    (cov,) = [c for c in denied.coverage if c.type == "azure.security.assessment"]
    assert cov.status is CoverageStatus.DENIED and cov.permission == "Microsoft.Security/assessments/read"
    (f,) = _by_check(denied, "azure/accounts-with-owner-permissions-should-be-mfa-enabled")
    assert f.status is Status.ERROR and "Microsoft.Security/assessments/read" in f.message

    def no_identity_assessments(cols, _):
        rows = cols["/subscriptions/@SUB@/providers/Microsoft.Security/assessments"]
        cols["/subscriptions/@SUB@/providers/Microsoft.Security/assessments"] = [
            r for r in rows if r["name"].startswith("dbd0cb49")
        ]

    inv2, _ = _scan(_with(no_identity_assessments))
    (f,) = _by_check(inv2, "azure/accounts-with-owner-permissions-should-be-mfa-enabled")
    assert f.status is Status.ERROR  # Defender has not assessed MFA here: unknown, never NOT_APPLICABLE


def test_no_alert_rules_fail_and_metric_alerts_are_one_page():
    def no_alerts(cols, _):
        cols["/subscriptions/@SUB@/providers/Microsoft.Insights/activityLogAlerts"] = []
        cols["/subscriptions/@SUB@/providers/Microsoft.Insights/metricAlerts"] = []

    inv, _ = _scan(_with(no_alerts))
    for key in (
        VM_ALERT_CHECK,
        "azure/an-enabled-metric-alert-with-an-action-group-should-exist",
    ):
        (f,) = _by_check(inv, key)
        assert f.status is Status.FAIL, key

    def many_metric_alerts(cols, _):
        rows = cols["/subscriptions/@SUB@/providers/Microsoft.Insights/metricAlerts"]
        cols["/subscriptions/@SUB@/providers/Microsoft.Insights/metricAlerts"] = [
            {**rows[0], "id": rows[0]["id"] + str(n), "name": f"alert-{n}"} for n in range(5)
        ]

    inv, fake = _scan(_with(many_metric_alerts))
    assert len([r for r in inv.resources if r.type == "azure.monitor.metric-alert"]) == 5
    assert not any("metricAlerts" in url and "skiptoken" in url.lower() for _, url in fake.requests)

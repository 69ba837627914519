"""The Azure adapter through the real azure-core pipeline against the in-process fake ARM."""

from __future__ import annotations

import pytest

from providers.azure import client, collect
from providers.azure.client import WriteAttempt, permission_for
from providers.azure.fake import FakeArm, FakeCredential, load_scenario
from scanner.checks import load_checks
from scanner.engine import evaluate
from scanner.model import CoverageStatus, Status

SUB = "00000000-1111-2222-3333-444444444444"


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
    assert slow.notes == ["Resource Graph unavailable to this identity: listed per service instead"]
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
    (check,) = [c for c in load_checks() if c.key == "azure/resource-region-in-mainland-china"]
    fails = [(f.resource_name, f.evidence) for f in evaluate(inv, [check]) if f.status is Status.FAIL]
    assert fails == [("hkfiles", {"region": "eastasia"})]

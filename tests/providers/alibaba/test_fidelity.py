"""The five checks the API-shape audit found wrong (issue 12), each run against the model-conformant fake.

Each test would have failed before the fix: the shipped scenario no longer carries the keys the real API
never sends (test_contract.py proves that), so a check that read them from the wrong action gets nothing.
"""

from __future__ import annotations

import copy

from providers.alibaba import client, collect
from providers.alibaba.sim.fake import FakeAlibabaCloud, load_scenario
from scanner.checks import load_checks
from scanner.engine import evaluate
from scanner.model import CoverageStatus, Status
from tests.providers.alibaba import contract


def by_check(inv) -> dict:
    out: dict = {}
    for f in evaluate(inv, load_checks()):
        out.setdefault(f.check, {})[f.resource_name or f.resource_id] = f.status
    return out


def scan(scenario: dict, types: list[str]):
    with FakeAlibabaCloud(scenario) as fake:
        ctx = client.connect(endpoint_override=fake.endpoints, regions=["cn-hangzhou"])
        return collect.collect(ctx, workers=4, types=types), fake


def company() -> dict:
    return copy.deepcopy(load_scenario("company"))


def test_redis_auth_mode_comes_from_describe_instance_attribute(ali_env):
    sc = company()
    assert "VpcAuthMode" not in sc["collections"]["kvstore.instances"]["cn-hangzhou"][0]  # not in DescribeInstances
    inv, fake = scan(sc, ["alibaba.kvstore.instance"])
    assert ("DescribeInstanceAttribute", "cn-hangzhou") in fake.calls
    assert by_check(inv)["alibaba/redis-instance-open-auth-mode"] == {"cache": Status.PASS}  # was ERROR (missing)
    sc = company()
    sc["details"]["DescribeInstanceAttribute"]["r-bp1cache0001"]["Instances"]["DBInstanceAttribute"][0][
        "VpcAuthMode"
    ] = "Close"
    inv, _ = scan(sc, ["alibaba.kvstore.instance"])
    assert by_check(inv)["alibaba/redis-instance-open-auth-mode"] == {"cache": Status.FAIL}


def test_mfa_at_login_is_read_from_ims_mfa_operation_for_login(ali_env):
    key = "alibaba/ram-security-preference-enforce-mfa"
    sc = company()
    pref = sc["details"]["GetSecurityPreference"]["*"]["SecurityPreference"]["LoginProfilePreference"]
    pref["MFAOperationForLogin"] = "mandatory"
    inv, fake = scan(sc, ["alibaba.ram.security-preference"])
    assert by_check(inv)[key] == {"1234567890123456": Status.PASS}  # was FAIL: RAM's Get has no MFA field
    assert {ex["version"] for ex in fake.exchanges if ex["action"] == "GetSecurityPreference"} == {"2019-08-15"}
    inv, _ = scan(company(), ["alibaba.ram.security-preference"])  # the shipped scenario: independent
    assert by_check(inv)[key] == {"1234567890123456": Status.FAIL}


def test_last_login_comes_from_get_user(ali_env):
    sc = company()
    assert not any("LastLoginDate" in u for u in sc["collections"]["ram.users"]["*"])  # ListUsers has none
    assert "LastLoginDate" in contract.wire_fields(
        contract.models("2015-05-01").GetUserResponseBodyUser
    ) and "LastLoginDate" not in contract.wire_fields(contract.models("2015-05-01").ListUsersResponseBodyUsersUser)
    inv, _ = scan(sc, ["alibaba.ram.user"])
    # both created more than 90 days before the scan, both logged in days before it: was FAIL for both
    assert by_check(inv)["alibaba/ram-user-last-login-expired-check"] == {
        "ops-admin": Status.PASS,
        "dev-li": Status.PASS,
    }
    sc = company()
    sc["details"]["GetUser"]["dev-li"]["User"]["LastLoginDate"] = "2025-06-01T00:00:00Z"
    inv, _ = scan(sc, ["alibaba.ram.user"])
    assert by_check(inv)["alibaba/ram-user-last-login-expired-check"]["dev-li"] is Status.FAIL


def test_rds_standby_zones_come_from_describe_db_instance_attribute(ali_env):
    sc = company()
    orders = sc["collections"]["rds.instances"]["cn-hangzhou"][0]
    assert orders["ZoneId"] == "cn-hangzhou-h" and "SlaveZoneId" not in orders  # no list response has it
    inv, _ = scan(sc, ["alibaba.rds.instance"])
    # high availability, standby in zone i: was FAIL (only the MAZ zone-id form passed)
    assert by_check(inv)["alibaba/rds-multi-az-support"] == {"orders": Status.PASS, "legacy": Status.FAIL}
    (r,) = [r for r in inv.resources if r.name == "orders"]
    assert r.data["MasterZone"] == "cn-hangzhou-h" and r.data["SlaveZones"] == ["cn-hangzhou-i"]
    sc = company()
    attr = sc["details"]["DescribeDBInstanceAttribute"]["rm-bp1orders0001"]["Items"]["DBInstanceAttribute"][0]
    attr["SlaveZones"]["SlaveZone"] = [{"ZoneId": "cn-hangzhou-h"}]  # standby in the primary's own zone
    inv, _ = scan(sc, ["alibaba.rds.instance"])
    assert by_check(inv)["alibaba/rds-multi-az-support"]["orders"] is Status.FAIL


def test_oss_replication_destination_is_read_as_the_adapter_stores_it(ali_env):
    key = "alibaba/oss-replication-destination-in-mainland-china"
    inv, _ = scan(company(), ["alibaba.oss.bucket"])
    (corp,) = [r for r in inv.resources if r.id == "corp-data"]
    assert corp.data["Replication"][0]["TargetLocation"] == "oss-cn-shanghai"
    assert by_check(inv)[key]["corp-data"] is Status.PASS  # was FAIL: replicates to Shanghai
    sc = company()
    sc["oss"]["buckets"][0]["config"]["replication"][0]["TargetLocation"] = "oss-cn-hongkong"
    inv, _ = scan(sc, ["alibaba.oss.bucket"])
    assert by_check(inv)[key]["corp-data"] is Status.FAIL


def test_root_account_mfa_and_access_keys(ali_env):
    inv, _ = scan(company(), ["alibaba.ram.account-summary"])
    (cov,) = [c for c in inv.coverage if c.type == "alibaba.ram.account-summary"]
    assert cov.status is CoverageStatus.OK
    (root,) = [r for r in inv.resources if r.type == "alibaba.ram.account-summary"]
    assert root.id == "1234567890123456" and root.data["IsMFAEnable"] is True
    by = by_check(inv)
    assert by["alibaba/root-mfa-check"] == {"1234567890123456": Status.PASS}
    assert by["alibaba/root-ak-check"] == {"1234567890123456": Status.PASS}  # RootWithAccessKey: 0
    sc = company()
    sc["details"]["GetAccountMFAInfo"]["*"]["IsMFAEnable"] = False
    info = sc["details"]["GetAccountSecurityPracticeReport"]["*"]["AccountSecurityPracticeInfo"]
    info["AccountSecurityPracticeUserInfo"]["RootWithAccessKey"] = 1
    inv, _ = scan(sc, ["alibaba.ram.account-summary"])
    by = by_check(inv)
    assert by["alibaba/root-mfa-check"] == {"1234567890123456": Status.FAIL}
    assert by["alibaba/root-ak-check"] == {"1234567890123456": Status.FAIL}


def test_a_denied_root_report_is_not_assessed_never_passed(ali_env):
    with FakeAlibabaCloud(company()) as fake:
        fake.inject("GetAccountSecurityPracticeReport", "denied")
        ctx = client.connect(endpoint_override=fake.endpoints, regions=["cn-hangzhou"])
        inv = collect.collect(ctx, workers=2, types=["alibaba.ram.account-summary"])
    (cov,) = [c for c in inv.coverage if c.type == "alibaba.ram.account-summary"]
    assert cov.status is CoverageStatus.DENIED and cov.permission == "ram:GetAccountSecurityPracticeReport"
    by = by_check(inv)
    assert by["alibaba/root-ak-check"]["1234567890123456"] is Status.ERROR  # field missing: not assessed
    assert Status.PASS not in by["alibaba/root-ak-check"].values()

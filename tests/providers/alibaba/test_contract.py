"""Contract tests: the local fake cannot answer what the real API would not.

Every body the fake sends during a full scan of the shipped scenario, and a truncated page of every list it
pages, is checked against the official response model of that action and version (the
``alibabacloud_<product><version>`` SDK packages, ``tests/providers/alibaba/contract.py``); every parameter the
adapter sends is checked against the action's request model, so a paging parameter the action does not take
fails. Every action the action tables can call must be one the fake answers, every action the fake answers
must have a model, and every scenario answer must have been sent (so nothing in the scenario goes unchecked).
"""

from __future__ import annotations

import copy

import pytest

from providers.alibaba import client, collect
from providers.alibaba.sim.fake import DETAILS, LISTINGS, OSS_SUBRESOURCES, FakeAlibabaCloud, load_scenario
from tests.providers.alibaba import contract

# never skipped where the Alibaba extra is installed: without the model packages the fake could lie unchecked
_missing = [p for p in sorted({*contract.PACKAGES.values(), "alibabacloud_oss20190517"}) if not contract.importable(p)]
if _missing:
    raise ImportError(f"the contract tests need the SDK model packages of the test extra: {', '.join(_missing)}")

# the fake's own answers outside the tables
BUILT_IN = {("2015-04-01", "GetCallerIdentity"), ("2014-05-26", "DescribeRegions")}
# products served outside the OpenAPI table: OSS speaks XML (oss2), SLS its own gateway
NOT_OPENAPI = {"oss", "log"}


@pytest.fixture(scope="module")
def recorded(ali_env):
    """A full scan of the shipped scenario, every exchange recorded, plus a short page of every listing."""
    with FakeAlibabaCloud(copy.deepcopy(load_scenario("company"))) as fake:
        ctx = client.connect(endpoint_override=fake.endpoints)
        inv = collect.collect(ctx, workers=4)
        scanned = list(fake.exchanges)
        for (version, action), spec in LISTINGS.items():
            for region in [*fake.scenario["regions"], ""]:
                status, body = fake.answer(version, action, _short_page(spec.paging), region)
                fake.record("openapi", version, action, {}, status, body)
        yield fake, scanned, inv, ctx


def _short_page(paging: str) -> dict[str, str]:
    """A request for a one-item page in the listing's own paging style (so continuation keys are sent)."""
    return {
        "token": {"MaxResults": "1"},
        "rc": {"MaxResults": "1"},
        "marker": {"MaxItems": "1"},
        "page": {"PageSize": "1", "PageNumber": "1"},
        "sas": {"PageSize": "1", "CurrentPage": "1"},
        "cms-page": {"PageSize": "1", "Page": "1"},
        "cms-pagenumber": {"PageSize": "1", "PageNumber": "1"},
    }.get(paging, {})


def test_every_body_the_fake_sends_matches_the_response_model(recorded):
    fake, _, _, _ = recorded
    problems = []
    for ex in fake.exchanges:
        if ex["status"] != 200:
            continue  # errors share one {Code, Message, RequestId} shape, not an action's model
        if ex["api"] == "oss":
            problems += [f"OSS {ex['action']}: {p}" for p in contract.check_oss_xml(ex["action"], ex["body"])]
            continue
        if ex["api"] == "sls":
            cls = contract.sls_response_model(ex["action"])
        else:
            cls = contract.response_model(ex["version"], ex["action"])
        problems += [f"{ex['version']} {ex['action']}: {p}" for p in contract.check_body(cls, ex["body"])]
    assert sorted(set(problems)) == []


def test_every_parameter_the_adapter_sends_is_in_the_request_model(recorded):
    _, scanned, _, _ = recorded
    problems = set()
    for ex in scanned:
        if ex["api"] == "openapi":
            problems.update(contract.check_request(ex["version"], ex["action"], ex["query"]))
        elif ex["api"] == "sls":
            problems.update(contract.check_sls_request(ex["action"], ex["query"]))
    assert sorted(problems) == []


def test_every_table_action_is_answered_by_the_fake_and_modelled():
    answered = set(LISTINGS) | set(DETAILS) | BUILT_IN
    missing, unmodelled = [], []
    for spec in collect.load_specs().values():
        for product, action in collect.actions(spec):
            if product in NOT_OPENAPI:
                continue
            version = _version_of(spec, product, action)
            if (version, action) not in answered:
                missing.append(f"{product}:{action} ({version})")
    for version, action in sorted(answered):
        try:
            contract.response_model(version, action)
        except AttributeError:
            unmodelled.append(f"{version} {action}")
    assert missing == [] and unmodelled == []


def _version_of(spec, product: str, action: str) -> str:
    # every call carries its product and version (a detail's own, else the type's)
    (version,) = {op.opts["version"] for op in spec.calls if op.name == action and op.opts["product"] == product}
    return version


def test_every_action_the_fake_answers_was_exercised(recorded):
    fake, _, _, _ = recorded
    ok = {(ex["version"], ex["action"]) for ex in fake.exchanges if ex["status"] == 200}
    assert sorted((set(LISTINGS) | set(DETAILS) | BUILT_IN) - ok) == []
    oss = {ex["action"] for ex in fake.exchanges if ex["api"] == "oss" and ex["status"] == 200}
    assert oss == {"ListBuckets", *OSS_SUBRESOURCES}
    sls = {ex["action"] for ex in fake.exchanges if ex["api"] == "sls" and ex["status"] == 200}
    assert sls == {"ListProject", "ListLogStores", "GetLogStore"}


def test_every_scenario_answer_was_sent(recorded):
    """A detail answer the scan never asks for would never be validated: the scenario holds none."""
    fake, _, _, _ = recorded
    declared = {(a, k) for a, by_key in fake.scenario["details"].items() for k in by_key}
    assert sorted(declared - fake.served) == []


# -- the checker itself ------------------------------------------------------------------------------------------
def _body(version: str, action: str, fake_scenario: dict, key: str) -> dict:
    return copy.deepcopy(fake_scenario["details"][action][key])


def test_checker_fails_on_a_key_the_model_lacks():
    sc = load_scenario("company")
    body = _body("2014-08-15", "DescribeBackupPolicy", sc, "rm-bp1orders0001")
    cls = contract.response_model("2014-08-15", "DescribeBackupPolicy")
    assert contract.check_body(cls, body) == []
    body["SlaveZoneId"] = "cn-hangzhou-i"
    assert contract.check_body(cls, body) == ["$.SlaveZoneId: not in DescribeBackupPolicyResponseBody"]


def test_checker_fails_when_a_removed_lie_is_put_back_into_the_fake(ali_env):
    """Put the old lie (LastLoginDate in RAM ListUsers) back into a fake's scenario: the check sees it."""
    sc = copy.deepcopy(load_scenario("company"))
    sc["collections"]["ram.users"]["*"][0]["LastLoginDate"] = "2026-11-26T01:00:00Z"
    fake = FakeAlibabaCloud(sc)
    status, body = fake.answer("2015-05-01", "ListUsers", {"MaxItems": "100"})
    errors = contract.check_body(contract.response_model("2015-05-01", "ListUsers"), body)
    assert status == 200 and errors == ["$.Users.User[0].LastLoginDate: not in ListUsersResponseBodyUsersUser"]


def test_checker_fails_on_wrong_nesting_and_wrong_types():
    cls = contract.response_model("2015-05-01", "ListUsers")
    assert contract.check_body(cls, {"Users": [{"UserName": "a"}]}) == [
        "$.Users: list where ListUsersResponseBodyUsers is an object"
    ]
    assert contract.check_body(cls, {"Users": {"User": {"UserName": "a"}}}) == [
        "$.Users.User: dict where the model has a list"
    ]
    assert contract.check_body(cls, {"IsTruncated": "false"}) == [
        "$.IsTruncated: 'false' where the model has a boolean"
    ]
    assert contract.check_body(contract.response_model("2016-04-28", "DescribeNetworkAcls"), {"TotalCount": 3}) == [
        "$.TotalCount: 3 where the model has a string"
    ]


def test_checker_fails_on_a_paging_parameter_the_action_does_not_take():
    assert contract.check_request(
        "2016-04-28", "DescribeNetworkAcls", {"RegionId": "cn-hangzhou", "MaxResults": "50"}
    ) == ["DescribeNetworkAcls: parameter MaxResults is not in DescribeNetworkAclsRequest"]
    assert contract.check_request("2016-04-28", "DescribeNetworkAcls", {"PageNumber": "2", "PageSize": "50"}) == []
    assert contract.check_request("2015-05-01", "GetPasswordPolicy", {"MaxItems": "1"}) == [
        "GetPasswordPolicy takes no parameters, was sent MaxItems"
    ]
    assert contract.check_request("2014-05-15", "DescribeAccessControlListAttribute", {"Page": "x"}) == [
        "DescribeAccessControlListAttribute: parameter Page='x' is not an integer"
    ]


def test_checker_fails_on_an_oss_element_the_model_lacks():
    fake = FakeAlibabaCloud(load_scenario("company"))
    status, _, xml = fake.oss("/corp-data/", {"replication": ""})
    assert status == 200 and contract.check_oss_xml("replication", xml) == []
    bad = xml.replace("<Location>", "<TargetRegion>cn-shanghai</TargetRegion><Location>", 1)
    assert contract.check_oss_xml("replication", bad) == [
        "$.Rule.Destination.TargetRegion: not in ReplicationDestination"
    ]
    status, _, listing = fake.oss("/", {})
    assert contract.check_oss_xml("ListBuckets", listing) == []
    assert contract.check_oss_xml("ListBuckets", listing.replace("<Name>", "<Acl>private</Acl><Name>", 1)) == [
        "$.Buckets.Bucket[0].Acl: not in Bucket"
    ]

"""Read-only, provably: the action table is the only way in, every action in it is a read, the shipped
RAM policy grants exactly those actions, and the client refuses anything else before it is sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from providers.alibaba import client
from providers.alibaba.client import READ_PREFIXES, WriteAttempt, is_read, ram_action
from providers.alibaba.collect import actions, load_specs, required_permissions

POLICY = Path(__file__).resolve().parents[3] / "providers" / "alibaba" / "ram-policy.json"


def table_actions():
    return sorted({a for spec in load_specs().values() for a in actions(spec)})


def test_every_action_in_the_table_is_a_read():
    actions = table_actions()
    assert len(actions) >= 40
    for product, action in actions:
        assert action.startswith(READ_PREFIXES), (product, action)


def test_shipped_ram_policy_matches_the_table_exactly():
    doc = json.loads(POLICY.read_text())
    granted = {a for st in doc["Statement"] for a in st["Action"]}
    assert granted == set(required_permissions())
    assert {ram_action(p, a) for p, a in table_actions()} <= granted
    for a in granted:
        assert "*" not in a and a.split(":", 1)[1].startswith(READ_PREFIXES), a


def test_client_refuses_writes(scan, fake):
    ctx = client.connect(endpoint_override=fake.endpoints)  # fresh: the refused attempt is recorded
    before = len(fake.calls)
    with pytest.raises(WriteAttempt):
        ctx.call("ecs", "2014-05-26", "DeleteInstance", "cn-hangzhou", {"InstanceId": "i-bp1web0001"})
    assert len(fake.calls) == before  # nothing reached the server
    assert ("ecs", "DeleteInstance") in ctx.actions_seen


def test_product_sdk_writes_are_refused_by_the_same_gate(scan, fake):
    """OSS and SLS go through their own SDKs, and through the context's one read gate and counter all the same."""
    import oss2

    from providers.alibaba.transport import AlibabaTransport

    ctx = client.connect(endpoint_override=fake.endpoints)
    transport = AlibabaTransport(ctx)
    bucket = oss2.Bucket(oss2.Auth("ak", "sk"), f"http://{fake.endpoints['*']}", "corp-data")
    before = len(fake.calls)
    with pytest.raises(client.ApiError) as e:
        transport.oss(bucket, "put_bucket_acl", "PutBucketAcl")
    assert e.value.code == "WriteRefused"

    def delete_project(*args):  # the SLS SDK's method name is what the gate reads
        raise AssertionError("sent")

    with pytest.raises(client.ApiError) as e:
        transport.sls("DeleteProject", delete_project, "p")
    assert e.value.code == "WriteRefused"
    assert len(fake.calls) == before
    assert {("oss", "PutBucketAcl"), ("log", "DeleteProject")} <= ctx.actions_seen


def test_a_full_scan_only_calls_table_actions(scan):
    _, ctx = scan
    declared = set(table_actions()) | {("sts", "GetCallerIdentity"), ("ecs", "DescribeRegions")}
    assert ctx.actions_seen <= declared
    assert all(is_read(a) for _, a in ctx.actions_seen)

"""Read-only, provably: declared operations are reads, the shipped policy covers them, and the runtime
guard refuses anything else before it leaves the process."""

from __future__ import annotations

import json
from pathlib import Path

import botocore.session
import pytest

from providers.aws.client import READ_PREFIXES, WriteAttempt, action_name, is_read
from providers.aws.collect import load_specs, operations, required_permissions

POLICY = Path(__file__).resolve().parents[3] / "providers" / "aws" / "iam-policy.json"


def declared_operations():
    return sorted({op for spec in load_specs().values() for op in operations(spec)})


def test_every_declared_operation_exists_and_is_a_read():
    bs = botocore.session.get_session()
    assert len(declared_operations()) >= 60
    for service, op in declared_operations():
        model = bs.get_service_model(service)
        assert op in model.operation_names, (service, op)
        assert op.startswith(READ_PREFIXES), (service, op)
        assert is_read(service, op)


def test_shipped_policy_covers_every_operation_and_only_reads():
    doc = json.loads(POLICY.read_text())
    actions = {a for st in doc["Statement"] for a in st["Action"]}
    assert actions == set(required_permissions())  # no more than the adapter needs, and no less
    assert {action_name(s, o) for s, o in declared_operations()} <= actions
    assert all(st["Effect"] == "Allow" for st in doc["Statement"])
    for a in actions:
        assert "*" not in a
        verb = a.split(":", 1)[1]
        assert verb.startswith(READ_PREFIXES), a


def test_runtime_guard_refuses_writes(scan):
    from providers.aws import client

    ctx = client.connect()  # a fresh context: the refused call is still recorded as attempted
    ec2 = ctx.client("ec2", "cn-north-1")
    with pytest.raises(WriteAttempt, match="ec2:CreateVpc"):
        ec2.create_vpc(CidrBlock="10.99.0.0/16")
    assert ("ec2", "CreateVpc") in ctx.operations_seen
    # and nothing was created
    assert all(v["CidrBlock"] != "10.99.0.0/16" for v in ec2.describe_vpcs()["Vpcs"])


def test_a_full_scan_only_calls_declared_operations(scan):
    _, ctx, _ = scan
    declared = set(declared_operations())
    assert ctx.operations_seen and ctx.operations_seen <= declared
    assert all(is_read(s, o) for s, o in ctx.operations_seen)


def test_reads_that_change_state_or_read_secrets_are_refused():
    from providers.aws.client import is_read

    for service, op in (
        ("redshift", "GetClusterCredentials"),
        ("secretsmanager", "GetSecretValue"),
        ("ssm", "GetParameters"),
        ("ec2", "GetPasswordData"),
        ("s3", "GetObject"),
        ("lightsail", "GetInstanceAccessDetails"),
    ):
        assert not is_read(service, op), (service, op)
    assert is_read("ec2", "DescribeVpcs") and is_read("s3", "GetBucketPolicy")

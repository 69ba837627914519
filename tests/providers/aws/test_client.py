"""Credentials, partition and region handling, and error classification."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from providers.aws.client import classify, connect
from scanner.errors import MlpsError


@pytest.fixture
def fresh(aws_env):
    import moto

    with moto.mock_aws():
        yield


def test_assume_role_with_external_id(fresh):
    ctx = connect(role_arn="arn:aws-cn:iam::123456789012:role/mlps-readonly", external_id="ext-123")
    assert ":assumed-role/mlps-readonly/mlps-scanner" in ctx.identity_arn
    assert ctx.partition == "aws-cn" and ctx.account == "123456789012"


def test_profile_from_shared_credentials(fresh, tmp_path, monkeypatch):
    creds = tmp_path / "credentials"
    creds.write_text("[audit]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secretprofile\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    ctx = connect(profile="audit")
    assert ctx.session.get_credentials().access_key == "AKIDPROFILE"


def test_unknown_profile_and_missing_credentials_are_one_line_errors(fresh, monkeypatch):
    with pytest.raises(MlpsError, match="AWS credentials"):
        connect(profile="nope")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(MlpsError, match="no AWS credentials found"):
        connect()


def test_regions_default_to_the_partition_and_can_be_narrowed(fresh):
    assert connect().regions == ["cn-north-1", "cn-northwest-1"]
    assert connect(regions=["cn-northwest-1"]).regions == ["cn-northwest-1"]
    with pytest.raises(MlpsError, match="not in partition aws-cn"):
        connect(regions=["ap-east-1"])


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}}, "DescribeThings")


@pytest.mark.parametrize(
    "code,status",
    [
        ("AccessDenied", "denied"),
        ("AccessDeniedException", "denied"),
        ("UnauthorizedOperation", "denied"),
        ("ThrottlingException", "error"),
        ("RequestLimitExceeded", "error"),
        ("InternalError", "error"),
    ],
)
def test_classify(code, status):
    got, reason, _ = classify(_client_error(code))
    assert got == status and code in reason


def test_classify_timeout():
    assert classify(ReadTimeoutError(endpoint_url="https://x"))[:2] == ("error", "timed out (ReadTimeoutError)")


def test_global_partition_resources_fail_data_location(fresh, monkeypatch):
    """Scanning an account of the global partition works; its resources fail the China location items."""
    import boto3

    from providers.aws import collect
    from scanner.checks import load_checks
    from scanner.engine import evaluate

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    boto3.client("s3", region_name="ap-east-1").create_bucket(
        Bucket="hk-bucket", CreateBucketConfiguration={"LocationConstraint": "ap-east-1"}
    )
    ctx = connect(regions=["us-east-1"])
    assert ctx.partition == "aws"
    inv = collect.collect(ctx, workers=4, types=["aws.s3.bucket"])
    (bucket,) = inv.resources
    assert bucket.region == "ap-east-1"
    (check,) = [c for c in load_checks() if c.key == "aws/resource-region-in-mainland-china"]
    fails = [f for f in evaluate(inv, [check]) if f.status.value == "FAIL"]
    assert [(f.resource_id, f.evidence) for f in fails] == [("hk-bucket", {"region": "ap-east-1"})]

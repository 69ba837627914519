"""AWS test fixtures: moto in cn-north-1 with the shared scenario, never a real endpoint."""

from __future__ import annotations

import boto3
import moto
import pytest


@pytest.fixture(scope="module")
def aws_env():
    """Module-scoped: seeding and collecting take seconds, and the tests only read the result."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        _env(monkeypatch)
        yield


def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "cn-north-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@pytest.fixture(scope="module")
def mocked(aws_env):
    with moto.mock_aws():
        from providers.aws.sim import scenario

        made = scenario.seed(boto3.Session(region_name="cn-north-1"))
        yield made


@pytest.fixture(scope="module")
def scan(mocked):
    """(inventory, ctx, made) for the seeded scenario, collected with the real adapter."""
    from providers.aws import client, collect

    ctx = client.connect()
    ctx.max_attempts = 2
    inv = collect.collect(ctx, workers=4)
    return inv, ctx, mocked

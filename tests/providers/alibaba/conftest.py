"""Alibaba Cloud test fixtures: the real SDKs against the local fake, never a real endpoint."""

from __future__ import annotations

import copy

import pytest

pytest.importorskip("alibabacloud_tea_openapi")
pytest.importorskip("oss2")

from providers.alibaba.sim.fake import FAKE_AK, FAKE_SK, FakeAlibabaCloud, load_scenario

SEEDED = ("SEEDED_ALI_AK_SECRET_777", "IyEvYmluL3NoCmV4cG9ydCBEQl9QQVNTV09SRD1TRUVERURfQUxJX1VTRVJEQVRBXzk5OQ==")


def _env(mp: pytest.MonkeyPatch) -> None:
    mp.setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
    mp.setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
    mp.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", FAKE_AK)
    mp.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", FAKE_SK)
    for var in (
        "ALIBABA_CLOUD_SECURITY_TOKEN",
        "ALIBABA_CLOUD_ROLE_ARN",
        "ALIBABA_CLOUD_PROFILE",
        "MLPS_ALIBABA_ENDPOINT",
    ):
        mp.delenv(var, raising=False)


@pytest.fixture(scope="module")
def ali_env():
    with pytest.MonkeyPatch.context() as mp:
        _env(mp)
        yield


def seeded(scenario: dict) -> dict:
    """The shipped scenario plus two secrets where no real response carries them (user data in ECS
    DescribeInstances, an AccessKey secret in RAM ListAccessKeys): test-only keys that prove redaction works
    whatever the shape. test_contract.py scans the shipped scenario, which has neither."""
    scenario["collections"]["ecs.instances"]["cn-hangzhou"][0]["UserData"] = SEEDED[1]
    scenario["details"]["ListAccessKeys"]["ci-bot"]["AccessKeys"]["AccessKey"][0]["AccessKeySecret"] = SEEDED[0]
    return scenario


@pytest.fixture(scope="module")
def fake(ali_env):
    with FakeAlibabaCloud(seeded(copy.deepcopy(load_scenario("company")))) as f:
        yield f


@pytest.fixture(scope="module")
def scan(fake):
    from providers.alibaba import client, collect

    ctx = client.connect(endpoint_override=fake.endpoints)
    inv = collect.collect(ctx, workers=4)
    return inv, ctx

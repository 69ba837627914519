"""The location sweep (aws.inventory.resource) by each of its three methods, and with all of them denied.

The tagging-API fallback is covered by the shared scenario (test_collect.py). AWS Config advanced query runs
against moto, which does not execute SQL: each region answers with results placed in its backend, JSON
strings as the output shape declares. moto has no Resource Explorer, so that path runs against a fake that
answers on the wire (rest-json, parsed by botocore) with bodies first validated against the operation's
output shape in botocore's model.
"""

from __future__ import annotations

import io
import json
from typing import Any

import boto3
import botocore.session
import moto
import pytest
from botocore.awsrequest import AWSResponse
from botocore.validate import ParamValidator

from providers.aws import client, collect
from providers.aws.inventory.collect import type_from_arn
from scanner.model import CoverageStatus

ACCOUNT = "123456789012"
SWEEP = "aws.inventory.resource"


@pytest.fixture
def moto_account(aws_env):
    with moto.mock_aws():
        yield boto3.Session(region_name="cn-north-1")


def sweep(**hooks: Any) -> tuple[Any, Any]:
    """Collect only the sweep type; ``hooks`` maps 'before-send.<service>.<Op>' style events to handlers."""
    ctx = client.connect()
    ctx.max_attempts = 1
    for event, handler in hooks.items():
        ctx.session.events.register_first(event, handler)
    return collect.collect(ctx, workers=2, types=[SWEEP]), ctx


class _Raw(io.BytesIO):
    def stream(self, **_: Any):
        yield self.read()


def _validated(service: str, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    shape = botocore.session.get_session().get_service_model(service).operation_model(operation).output_shape
    report = ParamValidator().validate(body, shape)
    assert not report.has_errors(), report.generate_report()
    return body


def _answer(service: str, operation: str, body: dict[str, Any], status: int = 200, error: str | None = None) -> Any:
    payload = json.dumps(_validated(service, operation, body) if error is None else body).encode()
    headers = {"Content-Type": "application/json"} | ({"x-amzn-ErrorType": error} if error else {})

    def handler(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, status, headers, _Raw(payload))

    return handler


def _deny(**_: Any) -> tuple[Any, dict[str, Any]]:
    """A before-call answer: botocore raises it as a ClientError, whatever the protocol (CBOR included)."""
    http = AWSResponse("https://denied.invalid", 403, {}, None)
    return http, {"Error": {"Code": "AccessDeniedException", "Message": "injected"}, "ResponseMetadata": {}}


def _rex(op: str) -> str:
    return f"before-send.resource-explorer-2.{op}"


def test_config_advanced_query_in_every_recording_region(moto_account):
    from moto.config.models import config_backends

    rows = {
        "cn-north-1": [
            {
                "resourceId": "i-0abc",
                "resourceType": "AWS::EC2::Instance",
                "awsRegion": "cn-north-1",
                "arn": f"arn:aws-cn:ec2:cn-north-1:{ACCOUNT}:instance/i-0abc",
                "configurationItemStatus": "OK",
            },
            {
                "resourceId": "AROAEXAMPLE",
                "resourceName": "app",
                "resourceType": "AWS::IAM::Role",
                "awsRegion": "global",
                "arn": f"arn:aws-cn:iam::{ACCOUNT}:role/app",
                "configurationItemStatus": "OK",
            },
            {
                "resourceId": "old",
                "resourceType": "AWS::SQS::Queue",
                "awsRegion": "cn-north-1",
                "configurationItemStatus": "ResourceDeleted",
            },
        ],
        "cn-northwest-1": [
            {
                "resourceId": "jobs",
                "resourceType": "AWS::SQS::Queue",
                "awsRegion": "cn-northwest-1",
                "arn": f"arn:aws-cn:sqs:cn-northwest-1:{ACCOUNT}:jobs",
                "configurationItemStatus": "OK",
            },
        ],
    }
    for region, results in rows.items():
        cfg = moto_account.client("config", region_name=region)
        cfg.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws-cn:iam::{ACCOUNT}:role/config",
                "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region == "cn-north-1"},
            }
        )
        cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-bucket"})
        cfg.start_configuration_recorder(ConfigurationRecorderName="default")
        # SelectResourceConfig Results is a list of JSON strings in the service model
        body = _validated("config", "SelectResourceConfig", {"Results": [json.dumps(r) for r in results]})
        config_backends[ACCOUNT][region].query_results_queue.append(body["Results"])  # moto answers the next query

    inv, _ = sweep()
    got = {(r.region, r.data["resourceType"]) for r in inv.resources}
    assert got == {
        ("cn-north-1", "AWS::EC2::Instance"),
        ("global", "AWS::IAM::Role"),
        ("cn-northwest-1", "AWS::SQS::Queue"),
    }  # the deleted queue is left out
    s = inv.scope["sweep"]
    assert s["method"] == "config" and s["complete"] is True and s["type"] == SWEEP
    assert inv.scope["regions_available"] == ["cn-north-1", "cn-northwest-1"]
    assert s["limits"].startswith("AWS Config lists only")


def test_config_recording_in_one_region_only_is_incomplete(moto_account):
    cfg = moto_account.client("config", region_name="cn-north-1")
    cfg.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws-cn:iam::{ACCOUNT}:role/config"}
    )
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-bucket"})
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    inv, _ = sweep()
    s = inv.scope["sweep"]
    assert s["method"] == "config" and s["complete"] is False
    assert "No recorder is on in cn-northwest-1" in s["limits"]


def test_resource_explorer_aggregator_and_default_view(moto_account):
    view = f"arn:aws-cn:resource-explorer-2:cn-north-1:{ACCOUNT}:view/all/1"
    resources = [
        {
            "Arn": f"arn:aws-cn:ec2:cn-north-1:{ACCOUNT}:instance/i-0abc",
            "ResourceType": "ec2:instance",
            "Region": "cn-north-1",
            "Service": "ec2",
            "OwningAccountId": ACCOUNT,
            "LastReportedAt": "2026-11-28T08:00:00Z",
            "Properties": [],
        },
        {
            "Arn": f"arn:aws-cn:dynamodb:cn-northwest-1:{ACCOUNT}:table/orders",
            "ResourceType": "dynamodb:table",
            "Region": "cn-northwest-1",
            "Service": "dynamodb",
            "OwningAccountId": ACCOUNT,
        },
        {
            "Arn": f"arn:aws-cn:iam::{ACCOUNT}:role/app",
            "ResourceType": "iam:role",
            "Region": "global",
            "Service": "iam",
            "OwningAccountId": ACCOUNT,
        },
        {
            "Arn": "arn:aws-cn:s3:::someone-elses",
            "ResourceType": "s3:bucket",
            "Region": "cn-north-1",
            "Service": "s3",
            "OwningAccountId": "999988887777",
        },
    ]
    indexes = {
        "Indexes": [
            {
                "Region": "cn-north-1",
                "Arn": f"arn:aws-cn:resource-explorer-2:cn-north-1:{ACCOUNT}:index/a",
                "Type": "AGGREGATOR",
            },
            {
                "Region": "cn-northwest-1",
                "Arn": f"arn:aws-cn:resource-explorer-2:cn-northwest-1:{ACCOUNT}:index/b",
                "Type": "LOCAL",
            },
        ]
    }
    hooks = {
        _rex("ListIndexes"): _answer("resource-explorer-2", "ListIndexes", indexes),
        _rex("GetDefaultView"): _answer("resource-explorer-2", "GetDefaultView", {"ViewArn": view}),
        _rex("GetView"): _answer(
            "resource-explorer-2", "GetView", {"View": {"ViewArn": view, "Filters": {"FilterString": ""}}}
        ),
        _rex("Search"): _answer(
            "resource-explorer-2",
            "Search",
            {"Resources": resources, "ViewArn": view, "Count": {"TotalResources": 4, "Complete": True}},
        ),
    }
    inv, ctx = sweep(**hooks)
    got = {(r.region, r.data["ResourceType"]) for r in inv.resources}
    assert got == {("cn-north-1", "ec2:instance"), ("cn-northwest-1", "dynamodb:table"), ("global", "iam:role")}
    s = inv.scope["sweep"]
    assert s["method"] == "resource-explorer" and s["complete"] is True
    assert ("resource-explorer-2", "Search") in ctx.operations_seen
    assert [c.status for c in inv.coverage] == [CoverageStatus.OK]


def test_resource_explorer_without_aggregator_is_incomplete_and_capped_search_splits(moto_account):
    view = f"arn:aws-cn:resource-explorer-2:cn-north-1:{ACCOUNT}:view/all/1"
    indexes = {
        "Indexes": [
            {"Region": "cn-north-1", "Arn": "arn:aws-cn:resource-explorer-2:cn-north-1:1:index/a", "Type": "LOCAL"}
        ]
    }
    capped = _answer(
        "resource-explorer-2",
        "Search",
        {
            "Resources": [
                {"Arn": "arn:aws-cn:ec2:cn-north-1:1:vpc/vpc-1", "ResourceType": "ec2:vpc", "Region": "cn-north-1"}
            ],
            "ViewArn": view,
            "Count": {"TotalResources": 1000, "Complete": False},
        },
    )
    inv, _ = sweep(
        **{
            _rex("ListIndexes"): _answer("resource-explorer-2", "ListIndexes", indexes),
            _rex("GetDefaultView"): _answer("resource-explorer-2", "GetDefaultView", {"ViewArn": view}),
            _rex("GetView"): _answer("resource-explorer-2", "GetView", {"View": {"ViewArn": view}}),
            _rex("Search"): capped,
        }
    )
    s = inv.scope["sweep"]
    assert s["method"] == "resource-explorer" and s["complete"] is False
    assert "no aggregator index" in s["limits"] and "stopped counting at 1,000" in s["limits"]


def test_no_default_view_falls_back(moto_account):
    indexes = {
        "Indexes": [
            {"Region": "cn-north-1", "Arn": "arn:aws-cn:resource-explorer-2:cn-north-1:1:index/a", "Type": "AGGREGATOR"}
        ]
    }
    inv, _ = sweep(
        **{
            _rex("ListIndexes"): _answer("resource-explorer-2", "ListIndexes", indexes),
            _rex("GetDefaultView"): _answer(
                "resource-explorer-2", "GetDefaultView", {"Message": "no view"}, 404, "ResourceNotFoundException"
            ),
        }
    )
    s = inv.scope["sweep"]
    assert s["method"] == "tagging-api" and s["complete"] is False
    assert any("no default view in cn-north-1" in x for x in s["skipped"])


def test_every_method_denied(moto_account):
    inv, _ = sweep(
        **{
            "before-call.resource-explorer-2.ListIndexes": _deny,
            "before-call.config-service.DescribeConfigurationRecorderStatus": _deny,
            "before-call.resource-groups-tagging-api.GetResources": _deny,
        }
    )
    assert inv.resources == []
    s = inv.scope["sweep"]
    assert s["method"] == "none" and s["complete"] is False and s["limits"]
    (cov,) = inv.coverage
    assert cov.type == SWEEP and cov.status is CoverageStatus.DENIED
    assert cov.permission in {
        "resource-explorer-2:ListIndexes",
        "config:DescribeConfigurationRecorderStatus",
        "tag:GetResources",
    }


def test_type_from_arn():
    assert type_from_arn("arn:aws-cn:ec2:cn-north-1:1:instance/i-1") == "ec2:instance"
    assert type_from_arn("arn:aws-cn:s3:::bucket") == "s3:bucket"
    assert type_from_arn("arn:aws-cn:sns:cn-north-1:1:alerts") == "sns:topic"
    assert type_from_arn("arn:aws-cn:rds:cn-north-1:1:db:orders") == "rds:db"
    assert type_from_arn("nonsense") == "unknown"

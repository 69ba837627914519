"""CloudWatch Logs metric filters, joined to what makes one an alert on CloudTrail events.

A metric filter alone alerts nobody: MLPS wants unauthorised VM creation or restart detected and
reported, so each filter carries the alarms on its metric (from CloudWatch, another service) and the
trails delivering to its log group (from CloudTrail), both read once per region.
"""

from __future__ import annotations

from typing import Any

from providers.aws.transport import AwsTransport
from scanner.collect import MISSING, Task


def alarms_and_trails(task: Task[AwsTransport], items: list[dict[str, Any]]) -> None:
    """Add ``Alarms`` and ``CloudTrailTrails`` to every filter; a failed read leaves the field out (ERROR, not FAIL)."""
    if not items:
        return
    alarms = task.soft("DescribeAlarms", {}, service="cloudwatch", items="MetricAlarms")
    trails = task.soft("DescribeTrails", {"includeShadowTrails": True}, service="cloudtrail", items="trailList")
    groups: dict[str, list[str]] = {}
    for trail in [] if trails is MISSING else trails or []:
        name, region = _log_group(trail.get("CloudWatchLogsLogGroupArn") or "")
        if name and region == task.region:
            groups.setdefault(name, []).append(trail.get("Name") or trail.get("TrailARN") or "?")
    for item in items:
        metrics = {(m.get("metricName"), m.get("metricNamespace")) for m in item.get("metricTransformations") or []}
        if alarms is not MISSING:
            item["Alarms"] = [a for a in alarms or [] if (a.get("MetricName"), a.get("Namespace")) in metrics]
        if trails is not MISSING:
            item["CloudTrailTrails"] = sorted(set(groups.get(item.get("logGroupName") or "", [])))


def _log_group(arn: str) -> tuple[str | None, str | None]:
    """(name, region) from arn:aws-cn:logs:cn-north-1:123456789012:log-group:NAME:*"""
    parts = arn.split(":")
    if len(parts) < 7 or parts[5] != "log-group":
        return None, None
    return parts[6], parts[3]

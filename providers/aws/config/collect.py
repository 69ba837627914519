"""AWS Config: one record per region with the recorders and their recording status."""

from __future__ import annotations

from typing import Any

from providers.aws.transport import AwsTransport
from scanner.collect import Task


def recording_status(task: Task[AwsTransport]) -> list[tuple[dict[str, Any], None]]:
    recorders = task.call("DescribeConfigurationRecorders", paginate=False).get("ConfigurationRecorders", [])
    status = task.call("DescribeConfigurationRecorderStatus", paginate=False).get("ConfigurationRecordersStatus", [])
    recording = any(s.get("recording") for s in status)
    return [({"Recorders": recorders, "Status": status, "Recording": recording}, None)]

"""GuardDuty: one status record per region, with the detector if one exists."""

from __future__ import annotations

from typing import Any

from providers.aws.transport import AwsTransport
from scanner.collect import Task


def status(task: Task[AwsTransport]) -> list[tuple[dict[str, Any], None]]:
    ids = task.call("ListDetectors", items="DetectorIds")
    if not ids:
        return [({"DetectorId": None, "Status": "NOT_ENABLED"}, None)]
    detector = task.call("GetDetector", {"DetectorId": ids[0]}, paginate=False)
    return [({"DetectorId": ids[0], **detector}, None)]

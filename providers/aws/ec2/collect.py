"""EC2 snapshots: the account's own, each marked Public when anyone may create a volume from it."""

from __future__ import annotations

from typing import Any

from providers.aws.transport import AwsTransport
from scanner.collect import Task


def snapshots(task: Task[AwsTransport]) -> list[tuple[dict[str, Any], None]]:
    """DescribeSnapshots without OwnerIds lists every public snapshot of every account in the region (tens of
    thousands), so the account's own are asked for, and anything another account owns is dropped all the same."""
    mine = {"OwnerIds": ["self"]}
    own = [s for s in task.call("DescribeSnapshots", mine, items="Snapshots") if _owned(task, s)]
    public = task.call("DescribeSnapshots", {**mine, "RestorableByUserIds": ["all"]}, items="Snapshots")
    public_ids = {s["SnapshotId"] for s in public if _owned(task, s)}
    for s in own:
        s["Public"] = s["SnapshotId"] in public_ids
    return [(s, None) for s in own]


def _owned(task: Task[AwsTransport], item: dict[str, Any]) -> bool:
    return str(item.get("OwnerId")) == task.account

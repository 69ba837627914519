"""EC2 snapshots: the account's own, each marked Public when anyone may create a volume from it."""

from __future__ import annotations

from typing import Any

from providers.aws.collect import Task


def snapshots(task: Task) -> list[tuple[dict[str, Any], None]]:
    own = task.call("DescribeSnapshots", {"OwnerIds": ["self"]}, items="Snapshots")
    public = task.call("DescribeSnapshots", {"OwnerIds": ["self"], "RestorableByUserIds": ["all"]}, items="Snapshots")
    public_ids = {s["SnapshotId"] for s in public}
    for s in own:
        s["Public"] = s["SnapshotId"] in public_ids
    return [(s, None) for s in own]

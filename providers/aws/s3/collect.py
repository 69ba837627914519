"""S3 buckets: listed once, then each configuration read from the bucket's own region.

"Not configured" answers (NoSuchBucketPolicy, ServerSideEncryptionConfigurationNotFoundError, ...) become
null fields; any other failure leaves the field out and marks the type's coverage, so checks that need
the field report ERROR rather than a guess.
"""

from __future__ import annotations

import json
from typing import Any

from providers.aws.collect import MISSING, Task

_DETAILS = (
    # operation, result path, key, absent codes
    (
        "GetPublicAccessBlock",
        "PublicAccessBlockConfiguration",
        "PublicAccessBlock",
        ("NoSuchPublicAccessBlockConfiguration",),
    ),
    ("GetBucketPolicy", "Policy", "Policy", ("NoSuchBucketPolicy",)),
    ("GetBucketPolicyStatus", "PolicyStatus", "PolicyStatus", ("NoSuchBucketPolicy",)),
    (
        "GetBucketEncryption",
        "ServerSideEncryptionConfiguration",
        "Encryption",
        ("ServerSideEncryptionConfigurationNotFoundError",),
    ),
    ("GetBucketVersioning", "@", "Versioning", ()),
    ("GetBucketLogging", "LoggingEnabled", "Logging", ()),
    ("GetBucketReplication", "ReplicationConfiguration", "Replication", ("ReplicationConfigurationNotFoundError",)),
    ("GetBucketAcl", "Grants", "Grants", ()),
)


def buckets(task: Task) -> list[tuple[dict[str, Any], str]]:
    listed = task.call("ListBuckets", paginate=False).get("Buckets", [])
    regions: dict[str, str | None] = {}
    out = []
    for b in listed:
        name = b["Name"]
        loc = task.soft("GetBucketLocation", {"Bucket": name}, result="LocationConstraint")
        region = _region(loc, task.ctx.partition) if loc is not MISSING else task.region
        regions[name] = region
        data: dict[str, Any] = {"Name": name, "CreationDate": b.get("CreationDate"), "Location": region}
        for op, result, key, absent in _DETAILS:
            got = task.soft(op, {"Bucket": name}, result=result, absent=absent, region=region)
            if got is MISSING:
                continue
            if key == "Policy" and isinstance(got, str):
                try:
                    got = json.loads(got)
                except ValueError:
                    got = {"Unparsed": True}
            data[key] = got
        out.append((data, region))
    # replication destinations: the region of each destination bucket, when we can see it
    for data, _ in out:
        rules = (data.get("Replication") or {}).get("Rules") or []
        dests = []
        for rule in rules:
            arn = (rule.get("Destination") or {}).get("Bucket", "")
            dest = arn.rsplit(":", 1)[-1]
            if dest in regions:
                dests.append(regions[dest])
            else:
                loc = task.soft("GetBucketLocation", {"Bucket": dest}, result="LocationConstraint")
                dests.append(_region(loc, task.ctx.partition) if loc is not MISSING else None)
        if rules:
            data["ReplicationDestinationRegions"] = dests
    return out


def _region(location: Any, partition: str) -> str:
    """GetBucketLocation answers null for us-east-1 and 'EU' for old eu-west-1 buckets."""
    if not location:
        return "us-east-1" if partition == "aws" else "cn-north-1"
    return "eu-west-1" if location == "EU" else str(location)

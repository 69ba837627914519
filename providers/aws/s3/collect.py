"""S3 buckets: listed once; each bucket's configuration read from the bucket's own region.

"Not configured" answers (NoSuchBucketPolicy, ServerSideEncryptionConfigurationNotFoundError, ...) become
null fields; any other failure leaves the field out and marks the type's coverage, so checks that need
the field report ERROR rather than a guess.
"""

from __future__ import annotations

import json
from typing import Any

from providers.aws.transport import AwsTransport
from scanner.collect import ABSENT, MISSING, Task

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


def bucket(task: Task[AwsTransport], item: dict[str, Any]) -> None:
    """Per bucket (on the pool): its region, then each configuration from that region."""
    name = item["Name"]
    loc = task.soft("GetBucketLocation", {"Bucket": name}, result="LocationConstraint")
    region = region_of(loc, task.transport.ctx.partition) if loc is not MISSING else task.region
    task.item_region[id(item)] = region
    item["Location"] = region
    for op, result, key, absent in _DETAILS:
        got = task.soft(op, {"Bucket": name}, result=result, absent=absent, region=region)
        if got is MISSING:
            continue
        if key == "Policy" and isinstance(got, str):
            try:
                got = json.loads(got)
            except ValueError:
                got = {"Unparsed": True}
        item[key] = got


def finalize(task: Task[AwsTransport], items: list[dict[str, Any]]) -> None:
    replication_regions(task, items)
    account_public_access_block(task, items)


def account_public_access_block(task: Task[AwsTransport], items: list[dict[str, Any]]) -> None:
    """The account's Block Public Access on every bucket (``AccountPublicAccessBlock``): it overrides a bucket's
    public ACL (IgnorePublicAcls) or policy (RestrictPublicBuckets) as the bucket's own setting does. Read once;
    {"Configured": false} when the account has none. When it cannot be read it is left out, and buckets are judged
    on their own setting (never more lenient); the failure is reported once, by aws.s3.account-public-access-block,
    which reads the same setting, rather than marking every bucket check unassessed."""
    if not items or not task.transport.ctx.available("s3control"):
        return
    try:
        got = task.call(
            "GetPublicAccessBlock",
            {"AccountId": task.account},
            service="s3control",
            paginate=False,
            absent=("NoSuchPublicAccessBlockConfiguration",),
        )
    except Exception:
        return
    cfg = None if got is ABSENT else got.get("PublicAccessBlockConfiguration")
    block = {**cfg, "Configured": True} if isinstance(cfg, dict) else {"Configured": False}
    for item in items:
        item["AccountPublicAccessBlock"] = dict(block)


def replication_regions(task: Task[AwsTransport], items: list[dict[str, Any]]) -> None:
    """The region of every replication destination: from the listing, else asked (it may be denied).

    Kept twice: ``ReplicationDestinationRegions`` (every rule, for the data-location check) and
    ``Replication.Rules[].Destination.DestinationRegion`` (GetBucketLocation's LocationConstraint of the
    destination bucket, None when unknown), so the cross-region backup check can look at enabled rules only.
    """
    known = {i["Name"]: i.get("Location") for i in items}
    for item in items:
        rules = (item.get("Replication") or {}).get("Rules") or []
        if not rules:
            continue
        dests = []
        for rule in rules:
            dest = ((rule.get("Destination") or {}).get("Bucket") or "").rsplit(":", 1)[-1]
            if dest in known:
                dests.append(known[dest])
            else:
                loc = task.soft("GetBucketLocation", {"Bucket": dest}, result="LocationConstraint")
                dests.append(region_of(loc, task.transport.ctx.partition) if loc is not MISSING else None)
            if isinstance(rule.get("Destination"), dict):  # per rule too, so a check can skip disabled rules
                rule["Destination"]["DestinationRegion"] = dests[-1]
        item["ReplicationDestinationRegions"] = dests


def region_of(location: Any, partition: str) -> str:
    """GetBucketLocation answers null for us-east-1 and 'EU' for old eu-west-1 buckets."""
    if not location:
        return "us-east-1" if partition == "aws" else "cn-north-1"
    return "eu-west-1" if location == "EU" else str(location)

"""OSS buckets through oss2 (OSS speaks XML with its own signature, so the generic OpenAPI client can't).

oss2 was chosen over the v2 SDK because it is the long-standing, widely deployed SDK, supports STS
tokens and path-style requests to IP endpoints (so the local fake works), and its ``get_*`` methods map
one-to-one onto read-only OSS operations. Every call goes through ``AlibabaTransport.oss``: the context's read
gate and call counter, OSS errors as ApiErrors.
"""

from __future__ import annotations

import json
from typing import Any

from providers.alibaba.client import ApiError
from providers.alibaba.transport import AlibabaTransport, PageGuard
from scanner.collect import Task


def _auth(task: Task[AlibabaTransport]) -> Any:
    import oss2

    ak, sk, token = task.transport.ctx.access_key or ("", "", None)
    return oss2.StsAuth(ak, sk, token) if token else oss2.Auth(ak, sk)


def _endpoint(task: Task[AlibabaTransport], location: str) -> str:
    ctx = task.transport.ctx
    if ctx.endpoint_override:
        return f"{ctx.protocol}://{ctx.endpoint_override['*']}"
    return f"https://{location}.aliyuncs.com"


def buckets(task: Task[AlibabaTransport]) -> list[tuple[dict[str, Any], str]]:
    """Phase 1: list every bucket (paged); each bucket's configuration is read by ``bucket`` on the pool."""
    import oss2

    service = oss2.Service(_auth(task), _endpoint(task, "oss-cn-hangzhou"), connect_timeout=5)
    out = []
    marker = ""
    guard = PageGuard("ListBuckets", "oss")
    while True:
        page = task.transport.oss(_Lister(service, marker), "list_buckets", "ListBuckets")
        for b in page.buckets:
            data = {"Name": b.name, "Location": b.location, "CreationDate": b.creation_date}
            out.append((data, b.location.removeprefix("oss-")))
        if not page.is_truncated:
            return out
        marker = page.next_marker
        guard.token(marker, "NextMarker")


def bucket(task: Task[AlibabaTransport], data: dict[str, Any]) -> None:
    """Phase 2, one bucket, from its own region's endpoint."""
    import oss2

    b = oss2.Bucket(_auth(task), _endpoint(task, data["Location"]), data["Name"], connect_timeout=5)
    for key, method, action, conv in _DETAILS:
        try:
            got = task.transport.oss(b, method, action)
        except ApiError as e:
            task.record(e)
            continue
        data[key] = conv(got) if got is not None else None


class _Lister:
    def __init__(self, service: Any, marker: str) -> None:
        self.service, self.marker = service, marker

    def list_buckets(self) -> Any:
        return self.service.list_buckets(marker=self.marker, max_keys=100)


def _policy(r: Any) -> Any:
    try:
        return json.loads(r.policy)
    except (ValueError, TypeError):
        return {"Unparsed": True}


def _replication(r: Any) -> list[dict[str, Any]]:
    return [
        {
            "ID": rule.rule_id,
            "TargetBucket": rule.target_bucket_name,
            "TargetLocation": rule.target_bucket_location,
            # the OSS location (oss-cn-shanghai) as a region id (cn-shanghai), as buckets' own regions are given
            "TargetRegion": (rule.target_bucket_location or "").removeprefix("oss-") or None,
            "Status": rule.status,
        }
        for rule in r.rule_list
    ]


_DETAILS = (
    ("Acl", "get_bucket_acl", "GetBucketAcl", lambda r: r.acl),
    (
        "Info",
        "get_bucket_info",
        "GetBucketInfo",
        lambda r: {
            "DataRedundancyType": getattr(r, "data_redundancy_type", None),
            "StorageClass": getattr(r, "storage_class", None),
        },
    ),
    ("Policy", "get_bucket_policy", "GetBucketPolicy", _policy),
    (
        "ServerSideEncryption",
        "get_bucket_encryption",
        "GetBucketEncryption",
        lambda r: {"SSEAlgorithm": r.sse_algorithm, "KMSMasterKeyID": r.kms_master_keyid},
    ),
    ("Versioning", "get_bucket_versioning", "GetBucketVersioning", lambda r: r.status),
    (
        "Logging",
        "get_bucket_logging",
        "GetBucketLogging",
        lambda r: {"TargetBucket": r.target_bucket, "TargetPrefix": r.target_prefix} if r.target_bucket else None,
    ),
    ("Replication", "get_bucket_replication", "GetBucketReplication", _replication),
    (
        "Referer",
        "get_bucket_referer",
        "GetBucketReferer",
        lambda r: {"AllowEmptyReferer": r.allow_empty_referer, "RefererList": list(r.referers or [])},
    ),
)

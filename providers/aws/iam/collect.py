"""IAM: access-key last use (one call per key) and the credential report (never generated)."""

from __future__ import annotations

import csv
import io
from typing import Any

from providers.aws.transport import AwsTransport
from scanner.collect import ABSENT, MISSING, Task


def access_key_last_used(task: Task[AwsTransport], user: dict[str, Any]) -> None:
    """Per user (on the pool): when and where each access key was last used."""
    for key in user.get("AccessKeys") or []:
        got = task.soft("GetAccessKeyLastUsed", {"AccessKeyId": key.get("AccessKeyId")}, result="AccessKeyLastUsed")
        if got is not MISSING and isinstance(got, dict):
            key["LastUsedDate"] = got.get("LastUsedDate")
            key["LastUsedService"] = got.get("ServiceName")
            key["LastUsedRegion"] = got.get("Region")


def credential_report(task: Task[AwsTransport]) -> list[tuple[dict[str, Any], None]]:
    """Reads the report if one exists. Generating one is a write (GenerateCredentialReport), which the
    scanner never does; the per-user calls of aws.iam.user cover the same facts."""
    got = task.call(
        "GetCredentialReport", paginate=False, absent=("ReportNotPresent", "ReportExpired", "ReportInProgress")
    )
    if got is ABSENT:
        return [
            (
                {
                    "Available": False,
                    "Reason": "no current credential report; run 'aws iam generate-credential-report' to include it",
                },
                None,
            )
        ]
    content = got.get("Content", b"")
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    rows = list(csv.DictReader(io.StringIO(text)))
    return [({"Available": True, "GeneratedTime": got.get("GeneratedTime"), "Users": rows}, None)]

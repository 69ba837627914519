"""Security Center (云安全中心): the account's edition and notice settings, and every server's agent."""

from __future__ import annotations

from typing import Any

from providers.alibaba.transport import AlibabaTransport, PageGuard
from scanner.collect import MISSING, Task


def edition(task: Task[AlibabaTransport]) -> list[tuple[dict[str, Any], None]]:
    cfg = task.call("DescribeVersionConfig", {})
    data = {k: v for k, v in (cfg or {}).items() if k != "RequestId"}
    notices = task.soft("DescribeNoticeConfig", {}, result="NoticeConfigList")
    if notices is not MISSING:
        data["NoticeConfigList"] = notices or []
    return [(data, None)]


def agents(task: Task[AlibabaTransport]) -> list[tuple[dict[str, Any], str | None]]:
    out: list[tuple[dict[str, Any], str | None]] = []
    guard = PageGuard("DescribeCloudCenterInstances", "sas")
    page, size = 1, 100
    while True:
        body = task.call("DescribeCloudCenterInstances", {"CurrentPage": page, "PageSize": size})
        rows = body.get("Instances") or []
        out.extend((r, r.get("RegionId")) for r in rows)
        if guard.page_done(page, len(rows), len(out), size, (body.get("PageInfo") or {}).get("TotalCount")):
            return out
        page += 1

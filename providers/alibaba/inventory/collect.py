"""The whole-account location sweep: every resource Resource Center (资源中心) can see, with its region.

Three read calls to ResourceCenter 2022-12-01, all on the central endpoint: GetResourceCenterServiceStatus
(is the service enabled and initialised?), ListResourceTypes (how many types it can see at all) and
SearchResources (every resource, paged with NextToken/MaxResults). A disabled service is an error of this
type, never an empty account: the sweep then says method "none".
"""

from __future__ import annotations

from typing import Any

from providers.alibaba.client import ApiError
from providers.alibaba.transport import AlibabaTransport
from scanner.collect import Task

GLOBAL = "global"


def sweep(task: Task[AlibabaTransport]) -> list[tuple[dict[str, Any], str]]:
    info = task.extra.setdefault("sweep", {})  # what the sweep learned about itself, for collect.sweep_scope
    status = task.call("GetResourceCenterServiceStatus", {}) or {}
    info["service_status"] = status.get("ServiceStatus")
    info["initial_status"] = status.get("InitialStatus")
    if status.get("ServiceStatus") != "Enabled":
        raise ApiError(
            "ResourceCenterNotEnabled",
            f"Resource Center is not enabled for this account (ServiceStatus={status.get('ServiceStatus')!r})",
            "GetResourceCenterServiceStatus",
            "resourcecenter",
        )
    try:
        types = task.call("ListResourceTypes", {}) or {}
        info["resource_types"] = len(types.get("ResourceTypes") or [])
    except ApiError as e:  # only the count in the limits sentence is lost; the sweep itself is unaffected
        info["resource_types"] = None
        info["resource_types_error"] = f"{e.code} calling ListResourceTypes"
    rows = task.call("SearchResources", {}, paging="token", items="Resources", page_size=100)
    out = []
    for r in rows:
        if not isinstance(r, dict):
            continue
        out.append((r, r.get("RegionId") or GLOBAL))
    return out

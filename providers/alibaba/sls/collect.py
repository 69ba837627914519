"""SLS (Log Service) projects and logstores through the SLS product SDK.

SLS is not reachable through the generic OpenAPI client: requests go to ``<project>.<region>.log.aliyuncs.com``
and are signed by the SLS gateway (``LOG`` signature). Only ``list_*`` and ``get_*`` methods are called, each
through ``AlibabaTransport.sls`` (the context's read gate and call counter). With ``MLPS_ALIBABA_ENDPOINT`` set (a
local fake or a private endpoint), SLS requests keep their real host names and are sent through that endpoint as
an HTTP proxy, since project-prefixed host names cannot be pointed at an address.
"""

from __future__ import annotations

from typing import Any

from providers.alibaba.client import ApiError
from providers.alibaba.transport import AlibabaTransport, PageGuard
from scanner.collect import Task

_PAGE = 100


def _client(task: Task[AlibabaTransport]) -> tuple[Any, Any]:
    from alibabacloud_sls20201230.client import Client as SlsClient
    from alibabacloud_tea_openapi import models as api_models
    from alibabacloud_tea_util import models as util_models

    ctx = task.transport.ctx
    cfg = api_models.Config(
        credential=ctx.credential,
        endpoint=f"{task.region}.log.aliyuncs.com",
        region_id=task.region,
        protocol=ctx.protocol,
        read_timeout=ctx.read_timeout_ms,
        connect_timeout=ctx.connect_timeout_ms,
    )
    proxy = f"http://{ctx.endpoint_override['*']}" if ctx.endpoint_override else None
    runtime = util_models.RuntimeOptions(
        autoretry=False, read_timeout=ctx.read_timeout_ms, connect_timeout=ctx.connect_timeout_ms, http_proxy=proxy
    )
    return SlsClient(cfg), runtime


def _projects(task: Task[AlibabaTransport], client: Any, runtime: Any) -> list[dict[str, Any]]:
    from alibabacloud_sls20201230 import models as sls

    out: list[dict[str, Any]] = []
    guard = PageGuard("ListProject", "log")
    while True:
        body = (
            task.transport.sls(
                "ListProject",
                client.list_project_with_options,
                sls.ListProjectRequest(offset=len(out), size=_PAGE),
                {},
                runtime,
            )
            or {}
        )
        page = body.get("projects") or []
        out.extend(page)
        if guard.page_done(len(out) // _PAGE + 1, len(page), len(out), _PAGE, body.get("total")):
            return out


def projects(task: Task[AlibabaTransport]) -> list[tuple[dict[str, Any], None]]:
    client, runtime = _client(task)
    return [(p, None) for p in _projects(task, client, runtime)]


def logstores(task: Task[AlibabaTransport]) -> list[tuple[dict[str, Any], None]]:
    """Phase 1: every logstore name of every project in the region; ``logstore`` reads each on the pool."""
    from alibabacloud_sls20201230 import models as sls

    client, runtime = _client(task)
    rows: list[tuple[dict[str, Any], None]] = []
    for p in _projects(task, client, runtime):
        name = p.get("projectName")
        seen = 0
        guard = PageGuard("ListLogStores", "log")
        while True:
            body = task.transport.sls(
                "ListLogStores",
                client.list_log_stores_with_options,
                name,
                sls.ListLogStoresRequest(offset=seen, size=_PAGE),
                {},
                runtime,
            )
            if body is None:  # the project went away between the two calls
                break
            page = body.get("logstores") or []
            rows.extend(({"projectName": name, "logstoreName": ls}, None) for ls in page)
            seen += len(page)
            if guard.page_done(seen // _PAGE + 1, len(page), seen, _PAGE, body.get("total")):
                break
    return rows


def logstore(task: Task[AlibabaTransport], item: dict[str, Any]) -> None:
    client, runtime = _client(task)
    try:
        got = task.transport.sls(
            "GetLogStore",
            client.get_log_store_with_options,
            item["projectName"],
            item["logstoreName"],
            {},
            runtime,
        )
    except ApiError as e:
        task.record(e)
        return
    if got:
        item.update(got)

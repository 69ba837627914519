"""CloudMonitor (云监控) alarm rules. Both list actions page in their own way, so they are listed here:
DescribeMetricRuleList takes Page/PageSize and answers Total (a string); DescribeEventRuleList takes
PageNumber/PageSize and answers Total (an integer). Neither answers TotalCount."""

from __future__ import annotations

from typing import Any

import jmespath

from providers.alibaba.client import ApiError
from providers.alibaba.transport import AlibabaTransport, PageGuard
from scanner.collect import Task


def _pages(
    task: Task[AlibabaTransport], action: str, page_param: str, items: str, size: int = 100
) -> list[tuple[dict[str, Any], None]]:
    out: list[tuple[dict[str, Any], None]] = []
    expr = jmespath.compile(items)
    guard = PageGuard(action, "cms")
    page = 1
    while True:
        body = task.call(action, {page_param: page, "PageSize": size}) or {}
        # CMS can answer HTTP 200 with Success false and its own Code; that is a failure, never "no rules"
        if body.get("Success") is False:
            raise ApiError(str(body.get("Code") or "Error"), str(body.get("Message") or ""), action, "cms")
        rows = [r for r in (expr.search(body) or []) if isinstance(r, dict)]
        out.extend((r, None) for r in rows)
        if guard.page_done(page, len(rows), len(out), size, body.get("Total")):
            return out
        page += 1


def metric_rules(task: Task[AlibabaTransport]) -> list[tuple[dict[str, Any], None]]:
    return _pages(task, "DescribeMetricRuleList", "Page", "Alarms.Alarm")


def event_rules(task: Task[AlibabaTransport]) -> list[tuple[dict[str, Any], None]]:
    return _pages(task, "DescribeEventRuleList", "PageNumber", "EventRules.EventRule")

"""The Azure transport of the collection spine (scanner.collect): ARM GETs and nextLink paging, Resource Graph
preloading, failures read.

An operation's name is an ARM path (``{subscription}`` is the task's subscription, ``{parent}`` a parent item's
id; the spine fills a detail's ``{id}``); its options are ``api`` (a key of api-versions.yaml, where every version
is pinned) and, for a type nested under another collection, ``parent`` (that collection's path). Every request
passes the pipeline's read-only guard (``_ReadOnlyGuard`` in client.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from providers.azure.client import ArmError, AzureContext, PageGuard, WriteAttempt, classify, permission_for
from scanner.collect import Failure, Op, Placement, Task, TypeSpec
from scanner.model import Coverage, CoverageStatus

GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"


class AzureTransport:
    """The readable subscriptions of one identity (an ``AzureContext``) as the spine sees them."""

    provider = "azure"

    def __init__(self, ctx: AzureContext, versions: Mapping[str, str], *, resource_graph: bool = True) -> None:
        self.ctx = ctx
        self.versions = versions  # api-versions.yaml: the one place versions are pinned
        self.resource_graph = resource_graph
        self.notes: list[str] = []  # how the listing went (Resource Graph or per service), for the inventory

    def plan(self, spec: TypeSpec) -> tuple[list[Placement], list[Coverage]]:
        """One task per subscription: ARM lists a subscription's resources in every region at once."""
        return [Placement("subscription", "subscription", s["id"]) for s in self.ctx.subscriptions], []

    def prepare(self, tasks: Sequence[Task[Any]]) -> None:
        """Where Resource Graph answers, one query lists every graph-listable type of every subscription; those
        tasks then skip their own list call (their details are still read per resource)."""
        graphable = sorted({str(t.spec.extra["arm_type"]) for t in tasks if t.spec.extra.get("arm_type")})
        if not self.resource_graph or not graphable:
            return
        try:
            rows = self.graph_rows(graphable)
        except ArmError as e:  # the paging guard stopped the query: the per-service lists still run
            self.notes.append(f"Resource Graph paging stopped ({e.message}): listed per service instead")
            return
        if rows is None:
            self.notes.append(
                "Resource Graph unavailable to this identity, or its answer incomplete: listed per service instead"
            )
            return
        self.notes.append(f"Resource Graph listed {len(rows)} resources in one query")
        by: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in rows:
            by.setdefault((str(r.get("subscriptionId")), str(r.get("type", "")).lower()), []).append(r)
        for t in tasks:
            if t.spec.extra.get("arm_type"):
                t.preloaded = by.get((t.account, t.spec.extra["arm_type"]), [])

    def graph_rows(self, arm_types: list[str]) -> list[dict[str, Any]] | None:
        """One Resource Graph query over every subscription for the given types, paged with $skipToken.

        Returns None when the identity cannot use Resource Graph (or it is absent), so that the per-service
        lists run instead. Rows are ARM-shaped (id, name, type, location, tags, sku, kind, properties). A
        ``$skipToken`` the service had already returned stops the query (paging guard) with ``ArmError
        ("PagingError")``; ``prepare`` then lists those types per service, which read the same resources.
        """
        kql = (
            "Resources | where type in~ (" + ", ".join(f"'{t}'" for t in sorted(arm_types)) + ") | project id, "
            "name, type, location, tags, sku, kind, properties, subscriptionId"
        )
        body: dict[str, Any] = {
            "subscriptions": [s["id"] for s in self.ctx.subscriptions],
            "query": kql,
            "options": {"$top": 1000, "resultFormat": "objectArray"},
        }
        rows: list[dict[str, Any]] = []
        guard = PageGuard(GRAPH_PATH)
        try:
            while True:
                page = self.ctx.post(GRAPH_PATH, self.versions["resource_graph"], body)
                if not isinstance(page.get("data"), list):
                    return None  # an answer without its rows: never "no resources"; list per service instead
                rows.extend(page["data"])
                token = page.get("$skipToken")
                if not token:
                    if str(page.get("resultTruncated", "false")).lower() == "true":
                        return None  # truncated with no way to page on: the per-service lists read everything
                    return rows
                guard.token(str(token), "$skipToken")
                body["options"]["$skipToken"] = token
        except ArmError as e:
            if e.code == "PagingError":
                raise
            return None
        except WriteAttempt:
            return None

    @staticmethod
    def _path(path: str, task: Task[Any], parent: str | None = None) -> str:
        out = path.replace("{subscription}", task.account)
        return out if parent is None else out.replace("{parent}", parent)

    def call(self, task: Task[Any], op: Op, params: Mapping[str, Any]) -> Any:
        return self.ctx.get(self._path(op.name, task), self.versions[op.opts["api"]], dict(params) or None)

    def paginate(self, task: Task[Any], op: Op, params: Mapping[str, Any], items: str) -> list[Any]:
        """An ARM collection (its ``value`` over every nextLink; ``items`` is always ``value``), or under each
        item of the ``parent`` collection."""
        version = self.versions[op.opts["api"]]
        parent = op.opts.get("parent")
        if not parent:
            return self.ctx.list(self._path(op.name, task), version, dict(params) or None)
        out: list[Any] = []
        for p in self.ctx.list(self._path(parent, task), version):
            out.extend(self.ctx.list(self._path(op.name, task, p["id"]), version))
        return out

    def absent_key(self, exc: BaseException) -> str | int | None:
        return exc.status if isinstance(exc, ArmError) else None

    def classify(self, exc: BaseException, op: Op) -> Failure:
        if not isinstance(exc, ArmError):
            return CoverageStatus.ERROR, f"{type(exc).__name__}: {exc}", None
        status, reason = classify(exc)
        if status != "denied":
            return CoverageStatus.ERROR, reason, None
        return CoverageStatus.DENIED, reason, permission_for(exc.path)

    @staticmethod
    def is_read(op: Op) -> bool:
        return True  # every path is read with GET; the pipeline's guard refuses any other method

    @staticmethod
    def permission(op: Op) -> str:
        return permission_for(op.name)

    def region_of(self, data: Mapping[str, Any]) -> str | None:
        """ARM names every resource's location (``global`` for the few that have none)."""
        return str(data.get("location") or "global").lower().replace(" ", "")

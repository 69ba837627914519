"""Collect Azure subscriptions from the path table in ``providers/azure/<service>/resources.yaml``.

Each type names the ARM collection path (``{subscription}`` substituted), optionally a ``parent``
collection whose items it is nested under (SQL databases under servers, flow logs under network
watchers), the key of its pinned api-version in ``api-versions.yaml``, and per-item ``details`` (paths
under the item's id). One task per (type, subscription) on the shared bounded pool. Two post-list steps:
``keep`` (a JMESPath condition; items for which it is false are dropped, e.g. the few Defender assessments
the checks read out of thousands) and ``join`` (after every task, items of another type are attached to each
item whose ids they target, e.g. flow logs onto NSGs; left absent when that type could not be collected).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jmespath

from providers.azure.client import ArmError, AzureContext, PageGuard, WriteAttempt, classify, permission_for
from scanner.checks import providers_root
from scanner.collect import BaseTask, run, tags_of
from scanner.errors import MlpsError
from scanner.functions import OPTIONS
from scanner.inventory import Inventory, utc_now
from scanner.load import read_yaml
from scanner.model import Resource
from scanner.redact import jsonable, redact

MISSING = object()


@dataclass(frozen=True)
class Detail:
    path: str
    api: str
    result: str
    as_: str
    absent: tuple[int, ...] = ()
    list: bool = False


@dataclass(frozen=True)
class TypeSpec:
    type: str
    arm_type: str | None  # what Resource Graph calls this type, when it can list it
    path: str
    parent: str | None
    api: str
    params: dict[str, str]
    details: tuple[Detail, ...]
    keep: str | None = None  # JMESPath: items for which it is false are dropped after listing
    join: dict[str, str] | None = None  # {type, key, match, as}: see _join
    sweep: bool = False  # the whole-subscription listing of every resource (resources.yaml ``sweep``)
    id: str = "id"  # JMESPath giving the item's own identifier (a string): the ARM resource id

    def paths(self) -> list[str]:
        out = [self.path] + ([self.parent] if self.parent else [])
        return out + [d.path for d in self.details]


@lru_cache(maxsize=1)
def api_versions() -> dict[str, str]:
    return {k: str(v) for k, v in read_yaml(providers_root() / "azure" / "api-versions.yaml").items()}


@lru_cache(maxsize=1)
def load_specs() -> dict[str, TypeSpec]:
    out: dict[str, TypeSpec] = {}
    versions = api_versions()
    for path in sorted((providers_root() / "azure").glob("*/resources.yaml")):
        for t in read_yaml(path)["types"]:
            c = t.get("collect")
            if not c:
                continue
            details = tuple(
                Detail(
                    path=d["path"],
                    api=d["api"],
                    result=d.get("result", "@"),
                    as_=d["as"],
                    absent=tuple(d.get("absent", ())),
                    list=bool(d.get("list")),
                )
                for d in c.get("details", ())
            )
            if not isinstance(c.get("id"), str) or not c["id"].strip():
                raise MlpsError(
                    f"{path}: type {t['type']}: collect.id is missing; every type names the cloud's own identifier "
                    "of its items (a JMESPath giving a string, normally the ARM resource id: `id: id`)"
                )
            for api in [c["api"], *[d.api for d in details]]:
                if api not in versions:
                    raise ValueError(f"{path}: api {api!r} has no pinned version in api-versions.yaml")
            out[t["type"]] = TypeSpec(
                type=t["type"],
                arm_type=t.get("arm_type"),
                path=c["path"],
                parent=c.get("parent"),
                api=c["api"],
                params=dict(c.get("params") or {}),
                details=details,
                keep=c.get("keep"),
                join=dict(c["join"]) if c.get("join") else None,
                sweep=bool(t.get("sweep")),
                id=c["id"],
            )
    return out


def required_permissions() -> list[str]:
    """RBAC actions for every path the table can GET, derived from the paths themselves, plus the
    Resource Graph query (a read-only POST)."""
    perms = {"Microsoft.Resources/subscriptions/read", "Microsoft.ResourceGraph/resources/read"}
    for spec in load_specs().values():
        own = _example(spec.path, spec)
        perms.add(permission_for(own))
        if spec.parent:
            perms.add(permission_for(_example(spec.parent, spec)))
        for d in spec.details:
            perms.add(permission_for(d.path.replace("{id}", own + "/x")))
    return sorted(perms)


def _example(path: str, spec: TypeSpec) -> str:
    parent = _example(spec.parent, spec) + "/x" if spec.parent and "{parent}" in path else ""
    return path.replace("{subscription}", "x").replace("{parent}", parent)


class Task(BaseTask):
    def __init__(self, ctx: AzureContext, spec: TypeSpec, subscription: str) -> None:
        super().__init__(spec, "subscription", "subscription", account=subscription)
        self.ctx = ctx
        self.preloaded: list[dict[str, Any]] | None = None  # rows from Resource Graph, when it answered

    def version(self, api: str) -> str:
        return api_versions()[api]

    def record(self, err: ArmError) -> None:
        status, reason = classify(err)
        self.note_problem(status, reason, permission_for(err.path) if status == "denied" else None)


def _fill(path: str, task: Task, item: dict[str, Any] | None = None, parent: str | None = None) -> str:
    out = path.replace("{subscription}", task.account or "")
    if item is not None:
        out = out.replace("{id}", item.get("id", ""))
    if parent is not None:
        out = out.replace("{parent}", parent)
    return out


def _list(task: Task) -> list[Any]:
    items = _list_all(task)
    if task.spec.keep:
        items = [i for i in items if jmespath.search(task.spec.keep, i, options=OPTIONS)]
    return items


def _list_all(task: Task) -> list[Any]:
    if task.preloaded is not None:
        return task.preloaded
    spec = task.spec
    version = task.version(spec.api)
    if spec.parent:
        items: list[Any] = []
        for parent in task.ctx.list(_fill(spec.parent, task), version):
            items.extend(task.ctx.list(_fill(spec.path, task, parent=parent["id"]), version))
        return items
    return task.ctx.list(_fill(spec.path, task), version, spec.params or None)


def _has_item_work(spec: TypeSpec) -> bool:
    return bool(spec.details)


def _item_work(task: Task, item: dict[str, Any]) -> None:
    for d in task.spec.details:
        path = _fill(d.path, task, item)
        try:
            got: Any = task.ctx.list(path, task.version(d.api)) if d.list else task.ctx.get(path, task.version(d.api))
        except ArmError as e:
            if e.status in d.absent:
                item[d.as_] = None
                continue
            task.record(e)
            continue
        except WriteAttempt:  # pragma: no cover - details are GETs
            continue
        if d.list:
            item[d.as_] = got
        else:
            item[d.as_] = jmespath.search(d.result, got) if d.result != "@" else got


def _resources(task: Task, items: list[Any]) -> list[Resource]:
    out = []
    for item in items:
        data = jsonable(item)
        rid = jmespath.search(task.spec.id, data, options=OPTIONS)
        if not isinstance(rid, str) or not rid:
            # never an id made up from the item (a repr, a name): the type is marked, the item left out
            task.note_problem("error", f"an item has no id string at {task.spec.id!r}: not collected", None)
            continue
        location = str(data.get("location") or "global").lower().replace(" ", "")
        out.append(
            Resource(
                provider="azure",
                account=task.account or "",
                region=location,
                type=task.spec.type,
                id=rid,
                name=data.get("name"),
                tags=tags_of(data),
                data=redact(data),
            )
        )
    return out


def _failure(task: Task, e: BaseException) -> tuple[str, str, str | None]:
    if isinstance(e, ArmError):
        status, reason = classify(e)
        return status, reason, permission_for(e.path) if status == "denied" else None
    return "error", f"{type(e).__name__}: {e}", None


GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"


def graph_rows(ctx: AzureContext, arm_types: list[str]) -> list[dict[str, Any]] | None:
    """One Resource Graph query over every subscription for the given types, paged with $skipToken.

    Returns None when the identity cannot use Resource Graph (or it is absent), so that the per-service
    lists run instead. Rows are ARM-shaped (id, name, type, location, tags, sku, kind, properties). A
    ``$skipToken`` the service had already returned stops the query (paging guard) with ``ArmError
    ("PagingError")``; ``collect`` then lists those types per service, which read the same resources.
    """
    kql = (
        "Resources | where type in~ (" + ", ".join(f"'{t}'" for t in sorted(arm_types)) + ") | project id, "
        "name, type, location, tags, sku, kind, properties, subscriptionId"
    )
    body: dict[str, Any] = {
        "subscriptions": [s["id"] for s in ctx.subscriptions],
        "query": kql,
        "options": {"$top": 1000, "resultFormat": "objectArray"},
    }
    rows: list[dict[str, Any]] = []
    guard = PageGuard(GRAPH_PATH)
    try:
        while True:
            page = ctx.post(GRAPH_PATH, api_versions()["resource_graph"], body)
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


def collect(
    ctx: AzureContext,
    *,
    workers: int = 8,
    types: Iterable[str] | None = None,
    progress: Any = None,
    resource_graph: bool = True,
) -> Inventory:
    """Per-service lists, or — where Resource Graph answers — one query for every graph-listable type.

    Details (blob service properties, SQL auditing, ...) are read per resource either way; settings that
    Resource Graph does not hold (Defender plans, role assignments, diagnostic settings) are always listed.
    """
    started = utc_now()
    specs = load_specs()
    tasks = [
        Task(ctx, specs[t], s["id"]) for t in (sorted(types) if types else sorted(specs)) for s in ctx.subscriptions
    ]
    notes = []
    graphable = sorted({t.spec.arm_type for t in tasks if t.spec.arm_type})
    if resource_graph and graphable:
        try:
            rows = graph_rows(ctx, graphable)
        except ArmError as e:  # the paging guard stopped the query: the per-service lists still run
            rows = None
            notes.append(f"Resource Graph paging stopped ({e.message}): listed per service instead")
        if rows is None:
            if not notes:
                notes.append(
                    "Resource Graph unavailable to this identity, or its answer incomplete: listed per service instead"
                )
        else:
            notes.append(f"Resource Graph listed {len(rows)} resources in one query")
            by: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for r in rows:
                by.setdefault((str(r.get("subscriptionId")), str(r.get("type", "")).lower()), []).append(r)
            for t in tasks:
                if t.spec.arm_type:
                    t.preloaded = by.get((t.account or "", t.spec.arm_type), [])
    resources, coverage = run(
        tasks,
        account="",
        list_items=_list,
        has_item_work=_has_item_work,
        item_work=_item_work,
        build=_resources,
        failure=_failure,
        workers=workers,
        progress=progress,
        name="mlps-azure",
    )
    coverage.sort(key=lambda c: (c.account, c.type))
    _join(resources, coverage, [t.spec for t in tasks])
    regions = sorted({r.region for r in resources if r.region not in ("global",)})
    inv = Inventory(
        provider="azure",
        accounts=[{"id": s["id"], "name": s.get("name"), "cloud": ctx.cloud} for s in ctx.subscriptions],
        regions=regions,
        identity=ctx.identity,
        started_at=started,
        finished_at=utc_now(),
        resources=resources,
        coverage=coverage,
        notes=notes,
    )
    inv.scope = _scope(ctx, tasks, coverage)
    return inv


def _ancestors(resource_id: str) -> list[str]:
    """An ARM id and the ids of the resources it is nested in (a subnet id -> its virtual network id)."""
    rid = resource_id.rstrip("/").lower()
    head, sep, tail = rid.rpartition("/providers/")
    if not sep:
        return [rid]
    parts = tail.split("/")  # namespace, type, name, type, name, ...
    return [head + sep + "/".join(parts[:n]) for n in range(len(parts), 2, -2)]


def _join(resources: list[Resource], coverage: list[Any], specs: list[TypeSpec]) -> None:
    """``join: {type, key, match, as}``: each item gets ``as`` = the items of ``type`` whose ``key`` (an id) equals
    one of the ids ``match`` gives for the item, or an id those are nested in. Only where ``type`` was collected
    without error in that subscription; otherwise ``as`` stays absent (unknown, never "none")."""
    for spec in {s.type: s for s in specs if s.join}.values():
        j = spec.join or {}
        ok = {c.account for c in coverage if c.type == j["type"] and c.status.value == "ok"}
        bad = {c.account for c in coverage if c.type == j["type"] and c.status.value != "ok"}
        index: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in resources:
            if r.type == j["type"]:
                target = jmespath.search(j["key"], r.data, options=OPTIONS)
                if isinstance(target, str):
                    index.setdefault((r.account, target.rstrip("/").lower()), []).append(r.data)
        for r in resources:
            if r.type != spec.type or r.account not in ok or r.account in bad:
                continue
            ids = jmespath.search(j["match"], r.data, options=OPTIONS) or []
            keys = {a for i in ids if isinstance(i, str) for a in _ancestors(i)}
            found: list[dict[str, Any]] = []
            for k in sorted(keys):
                found.extend(index.get((r.account, k), []))
            r.data[j["as"]] = found


SWEEP_LIMITS = (
    "ARM Resources - List returns the subscription's tracked (top-level) resources with their locations; "
    "proxy and child resources (SQL databases, blob containers, ...) and the data inside resources are not listed, "
    "and each is judged by the location of the resource that holds it."
)


def _scope(ctx: AzureContext, tasks: list[Task], coverage: list[Any]) -> dict[str, Any]:
    """What the scan could have covered beside what it did (``Inventory.scope``)."""
    scanned = [s["id"] for s in ctx.subscriptions]
    available = list(ctx.available_subscriptions) or scanned
    sweep_specs = sorted({t.spec.type for t in tasks if t.spec.sweep})
    sweep: dict[str, Any] = {"type": "azure.resources.resource", "method": "none", "complete": False}
    if sweep_specs:
        stype = sweep_specs[0]
        status = {c.account: c.status.value for c in coverage if c.type == stype}
        listed = [a for a in scanned if status.get(a) == "ok"]
        sweep = {
            "type": stype,
            "method": "arm-resources-list" if listed else "none",
            "complete": bool(scanned) and len(listed) == len(scanned),
        }
        if len(listed) < len(scanned):
            sweep["missing_accounts"] = [a for a in scanned if a not in listed]
    sweep["limits"] = SWEEP_LIMITS
    # ARM lists a subscription's resources in every region at once: no region can be left unscanned
    return {"accounts_available": available, "regional": False, "regions_available": None, "sweep": sweep}

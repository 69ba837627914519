"""Collect Azure subscriptions from the path table in ``providers/azure/<service>/resources.yaml``.

The spine (scanner.collect) does the work: every field of a ``collect:`` block is documented in
docs/collect-spec.md. Azure adds its transport (transport.py: ARM GETs with nextLink paging, one Resource Graph
query for every graph-listable type, failures read) and one step after every task: ``join`` attaches items of
another type to each item whose ids they target (flow logs onto NSGs), left absent when that type could not be
collected. One task per (type, subscription).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import jmespath

from providers.azure.client import AzureContext, permission_for
from providers.azure.transport import GRAPH_PATH, AzureTransport
from scanner import collect as spine
from scanner.checks import providers_root
from scanner.collect import Dialect, SpecError, Task, TypeSpec
from scanner.functions import OPTIONS
from scanner.inventory import Inventory, utc_now
from scanner.load import read_yaml
from scanner.model import Coverage, CoverageStatus, Resource

__all__ = ["GRAPH_PATH", "api_versions", "collect", "load_specs", "required_permissions"]

DIALECT = Dialect(
    provider="azure", op_key="path", is_read=AzureTransport.is_read, hooks={}, extras=("join", "arm_type")
)


@lru_cache(maxsize=1)
def api_versions() -> dict[str, str]:
    return {k: str(v) for k, v in read_yaml(providers_root() / "azure" / "api-versions.yaml").items()}


@lru_cache(maxsize=1)
def load_specs() -> dict[str, TypeSpec]:
    """The path table; a path whose ``api`` has no pinned version is refused here, at load time."""
    specs = spine.load_specs(providers_root() / "azure", DIALECT)
    versions = api_versions()
    for spec in specs.values():
        for op in spec.calls:
            if op.opts["api"] not in versions:
                where = providers_root() / "azure" / spec.type.split(".")[1] / "resources.yaml"
                raise SpecError(
                    f"{where}: {spec.type}: api {op.opts['api']!r} has no pinned version in api-versions.yaml"
                )
    return specs


def required_permissions() -> list[str]:
    """RBAC actions for every path the table can GET, derived from the paths themselves, plus the
    Resource Graph query (a read-only POST)."""
    perms = {"Microsoft.Resources/subscriptions/read", "Microsoft.ResourceGraph/resources/read"}
    for spec in load_specs().values():
        own = _example(spec.op.name, spec)
        perms.add(permission_for(own))
        if spec.op.opts.get("parent"):
            perms.add(permission_for(_example(spec.op.opts["parent"], spec)))
        for d in spec.details:
            perms.add(permission_for(d.op.name.replace("{id}", own + "/x")))
    return sorted(perms)


def _example(path: str, spec: TypeSpec) -> str:
    parent = spec.op.opts.get("parent")
    prefix = _example(parent, spec) + "/x" if parent and "{parent}" in path else ""
    return path.replace("{subscription}", "x").replace("{parent}", prefix)


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
    transport = AzureTransport(ctx, api_versions(), resource_graph=resource_graph)
    got = spine.collect(transport, load_specs(), types=types, workers=workers, progress=progress)
    coverage = sorted(got.coverage, key=lambda c: (c.account, c.type))
    _join(got.resources, coverage, [t.spec for t in got.tasks])
    regions = sorted({r.region for r in got.resources if r.region not in ("global",)})
    inv = Inventory(
        provider="azure",
        accounts=[{"id": s["id"], "name": s.get("name"), "cloud": ctx.cloud} for s in ctx.subscriptions],
        regions=regions,
        identity=ctx.identity,
        started_at=started,
        finished_at=utc_now(),
        resources=got.resources,
        coverage=coverage,
        notes=transport.notes,
    )
    inv.scope = _scope(ctx, got.tasks, coverage)
    return inv


def _ancestors(resource_id: str) -> list[str]:
    """An ARM id and the ids of the resources it is nested in (a subnet id -> its virtual network id)."""
    rid = resource_id.rstrip("/").lower()
    head, sep, tail = rid.rpartition("/providers/")
    if not sep:
        return [rid]
    parts = tail.split("/")  # namespace, type, name, type, name, ...
    return [head + sep + "/".join(parts[:n]) for n in range(len(parts), 2, -2)]


def _join(resources: list[Resource], coverage: list[Coverage], specs: list[TypeSpec]) -> None:
    """``join: {type, key, match, as}``: each item gets ``as`` = the items of ``type`` whose ``key`` (an id) equals
    one of the ids ``match`` gives for the item, or an id those are nested in. Only where ``type`` was collected
    without error in that subscription; otherwise ``as`` stays absent (unknown, never "none")."""
    for spec in {s.type: s for s in specs if s.extra.get("join")}.values():
        j = spec.extra["join"]
        ok = {c.account for c in coverage if c.type == j["type"] and c.status is CoverageStatus.OK}
        bad = {c.account for c in coverage if c.type == j["type"] and c.status is not CoverageStatus.OK}
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


def _scope(ctx: AzureContext, tasks: list[Task[Any]], coverage: list[Coverage]) -> dict[str, Any]:
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

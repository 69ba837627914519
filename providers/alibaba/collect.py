"""Collect an Alibaba Cloud account from the action table in ``providers/alibaba/<service>/resources.yaml``.

The spine (scanner.collect) does the work: every field of a ``collect:`` block is documented in
docs/collect-spec.md. Alibaba adds its transport (transport.py: OpenAPI calls, the paging styles under one guard,
OSS and SLS through their own SDKs, failures read) and its hooks (hooks.py). The table, with its hooks, is the only
way the adapter reaches the API.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from providers.alibaba.client import AlibabaContext
from providers.alibaba.hooks import HOOKS
from providers.alibaba.transport import AlibabaTransport
from scanner import collect as spine
from scanner.checks import load_resource_types, providers_root
from scanner.collect import Dialect, Task, TypeSpec
from scanner.inventory import Inventory, utc_now
from scanner.load import read_yaml
from scanner.model import Coverage, CoverageStatus

DIALECT = Dialect(
    provider="alibaba",
    op_key="action",
    is_read=AlibabaTransport.is_read,
    hooks=HOOKS,
    namespace=("product", "version"),
    also_key="actions",
)


@lru_cache(maxsize=1)
def load_specs() -> dict[str, TypeSpec]:
    return parse_specs(providers_root() / "alibaba")


def parse_specs(root: Path) -> dict[str, TypeSpec]:
    """The action table of every ``<service>/resources.yaml`` under ``root``; refused at load time when it could
    not be collected faithfully (no id, an unknown paging style or key, an unknown hook)."""
    return spine.load_specs(root, DIALECT)


def actions(spec: TypeSpec) -> list[tuple[str, str]]:
    """Every (product, action) the type may call."""
    return sorted({(op.opts["product"], op.name) for op in spec.calls})


def required_permissions() -> list[str]:
    perms = {"sts:GetCallerIdentity", "ecs:DescribeRegions"}
    for spec in load_specs().values():
        perms.update(AlibabaTransport.permission(op) for op in spec.calls)
    return sorted(perms)


def collect(
    ctx: AlibabaContext, *, workers: int = 8, types: Iterable[str] | None = None, progress: Any = None
) -> Inventory:
    started = utc_now()
    got = spine.collect(AlibabaTransport(ctx), load_specs(), types=types, workers=workers, progress=progress)
    in_use = sorted({r.region for r in got.resources if r.region not in ("global",)})
    notes = [f"regions with resources: {', '.join(in_use) or 'none'}"]
    uncollected = uncollected_services()
    if uncollected:
        notes.append("not collected by this version: " + ", ".join(uncollected))
    inv = Inventory(
        provider="alibaba",
        accounts=[{"id": ctx.account}],
        regions=list(ctx.regions),
        identity={"arn": ctx.identity_arn},
        started_at=started,
        finished_at=utc_now(),
        resources=got.resources,
        coverage=got.coverage,
        notes=notes,
    )
    inv.scope = {
        "regions_available": list(ctx.regions_available or ctx.regions),
        "sweep": sweep_scope(got.tasks, got.coverage),
    }
    return inv


SWEEP_TYPE = "alibaba.inventory.resource"


def sweep_scope(tasks: list[Task[Any]], coverage: list[Coverage]) -> dict[str, Any]:
    """What the whole-account sweep was and what it cannot see, for ``Inventory.scope["sweep"]``."""
    records = [c for c in coverage if c.type == SWEEP_TYPE]
    if not records:
        limits = "The sweep was not run in this scan."
        return {"type": SWEEP_TYPE, "method": "none", "complete": False, "limits": limits}
    bad = [c for c in records if c.status is not CoverageStatus.OK]
    if bad:
        c = bad[0]
        why = c.reason or c.status.value
        if c.permission:
            why += f" (missing permission: {c.permission})"
        return {
            "type": SWEEP_TYPE,
            "method": "none",
            "complete": False,
            "limits": f"No whole-account sweep: Resource Center could not be read ({why}).",
        }
    info: dict[str, Any] = next((t.extra.get("sweep") or {} for t in tasks if t.spec.type == SWEEP_TYPE), {})
    n = info.get("resource_types")
    seen = f"the {n} resource types Resource Center supports" if n else "the resource types Resource Center supports"
    complete = info.get("initial_status") == "Finished"
    limits = f"Only {seen} are listed; resources of other types and services are not seen by the sweep"
    if not complete:
        limits += f", and Resource Center had not finished indexing (InitialStatus={info.get('initial_status')!r})"
    limits += "."
    return {"type": SWEEP_TYPE, "method": "resource-center", "complete": complete, "limits": limits}


def uncollected_services() -> list[str]:
    """What the adapter does not collect yet, named in every inventory so that reports can say so: declared types
    without a collect block, and the services listed in uncollected.yaml."""
    collected = set(load_specs())
    declared = sorted(t for t, rt in load_resource_types().items() if rt.provider == "alibaba" and t not in collected)
    services = read_yaml(providers_root() / "alibaba" / "uncollected.yaml")["services"]
    return declared + [f"{s} (service)" for s in services]

"""Collect an AWS account from the declarative specs in ``providers/aws/<service>/resources.yaml``.

The spine (scanner.collect) does the work: every field of a ``collect:`` block is documented in
docs/collect-spec.md. AWS adds its transport (transport.py: botocore calls and paginators, failures read,
regions per botocore's endpoint data) and its hooks (hooks.py). Every task ends in one coverage record: ok,
denied (with the missing permission), error, or not_available (the service does not exist in the partition).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from providers.aws.client import AwsContext
from providers.aws.hooks import HOOKS
from providers.aws.transport import AwsTransport
from scanner import collect as spine
from scanner.checks import providers_root
from scanner.collect import Dialect, Task, TypeSpec
from scanner.inventory import Inventory, utc_now
from scanner.model import Coverage, CoverageStatus

DIALECT = Dialect(
    provider="aws",
    op_key="operation",
    is_read=AwsTransport.is_read,
    hooks=HOOKS,
    namespace=("service",),
    also_key="operations",
)


@lru_cache(maxsize=1)
def load_specs() -> dict[str, TypeSpec]:
    """Every AWS type that declares a ``collect`` block."""
    return spine.load_specs(providers_root() / "aws", DIALECT)


def operations(spec: TypeSpec) -> list[tuple[str, str]]:
    """Every (service, operation) the type may call."""
    return sorted({(op.opts["service"], op.name) for op in spec.calls})


def required_permissions() -> list[str]:
    """The IAM actions the adapter can use: derived from the specs, plus sts:GetCallerIdentity."""
    perms = {"sts:GetCallerIdentity"}
    for spec in load_specs().values():
        perms.update(AwsTransport.permission(op) for op in spec.calls)
    return sorted(perms)


def collect(
    ctx: AwsContext, *, workers: int = 8, types: Iterable[str] | None = None, progress: Any = None
) -> Inventory:
    started = utc_now()
    specs = load_specs()
    got = spine.collect(AwsTransport(ctx), specs, types=types, workers=workers, progress=progress)
    scope: dict[str, Any] = {"regions_available": ctx.regions_available}
    sweeps = [s for s in specs.values() if s.sweep]
    if sweeps:
        scope["sweep"] = sweep_scope(sweeps[0].type, got.tasks, got.coverage)
    return Inventory(
        provider="aws",
        accounts=[{"id": ctx.account, "partition": ctx.partition}],
        regions=list(ctx.regions),
        identity={"arn": ctx.identity_arn, "partition": ctx.partition},
        started_at=started,
        finished_at=utc_now(),
        resources=got.resources,
        coverage=got.coverage,
        scope=scope,
    )


NO_SWEEP_LIMITS = (
    "No whole-account listing was made, so resources in types or regions not scanned in detail are unseen."
)


def sweep_scope(rtype: str, tasks: list[Task[Any]], coverage: list[Coverage]) -> dict[str, Any]:
    """``inv.scope["sweep"]``: the method the sweep collector settled on, or "none" when it did not run or failed.

    A sweep whose own coverage is not ok (a region of the tagging fallback denied, say) is never complete.
    """
    ran = [t for t in tasks if t.spec.type == rtype]
    how: dict[str, Any] = dict(ran[0].extra.get("sweep") or {}) if ran else {}
    failed = any(c.type == rtype and c.status is not CoverageStatus.OK for c in coverage)
    if how.get("method", "none") == "none":
        return {
            **how,
            "type": rtype,
            "method": "none",
            "complete": False,
            "limits": how.get("limits") or NO_SWEEP_LIMITS,
        }
    return {**how, "type": rtype, "complete": bool(how.get("complete")) and not failed}

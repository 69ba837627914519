"""Collect an AWS account from the declarative specs in ``providers/aws/<service>/resources.yaml``.

Each resource type's ``collect`` block names the list call, the JMESPath to its items, the id and name
fields, per-item ``details`` calls and per-region ``joins``; a few types name a ``collector`` function
instead (S3, GuardDuty, ...). Work runs per (type, region) on a bounded thread pool. Every task ends in
one coverage record: ok, denied (with the missing permission), error, or not_available (the service
does not exist in the partition, per botocore's endpoint data). A failure affects only its own task.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jmespath
from botocore import xform_name
from botocore.exceptions import ClientError, PaginationError

from providers.aws.client import AwsContext, RepeatedToken, action_name, classify, output_tokens
from scanner.checks import providers_root
from scanner.collect import BaseTask, run, tags_of
from scanner.inventory import Inventory, utc_now
from scanner.load import read_yaml
from scanner.model import Coverage, CoverageStatus, Resource
from scanner.redact import jsonable, redact

ABSENT = object()  # an "absent" error code: the thing is not configured


@dataclass(frozen=True)
class Detail:
    operation: str
    params: dict[str, str]  # request parameter -> JMESPath on the item
    result: str  # JMESPath into the response
    as_: str  # key in the resource data, or "@" to merge a dict
    absent: tuple[str, ...] = ()
    paginate: bool = False
    service: str | None = None  # defaults to the type's service


@dataclass(frozen=True)
class Join:
    operation: str
    items: str
    key: str  # field of the joined record
    on: str  # field of the item
    as_: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TypeSpec:
    type: str
    scope: str  # regional | global | account
    service: str
    operation: str | None
    items: str
    id: str
    name: str | None
    params: dict[str, Any]
    single: bool
    absent: tuple[str, ...]
    absent_data: dict[str, Any] | None
    add: dict[str, Any]
    keep_if: str | None
    owner: str | None  # field naming the owning account: items another account owns are never collected
    page_token: str | None  # for a list operation botocore has no paginator for: the token it pages by (NextMarker)
    details: tuple[Detail, ...]
    joins: tuple[Join, ...]
    collector: str | None  # replaces listing: function(task) -> [(item, region or None)]
    item_enrich: str | None  # extra per-item work: function(task, item), run on the pool like details
    finalize: str | None  # after all items are in: function(task, items)
    operations: tuple[tuple[str, str], ...]  # every (service, operation) the type may call
    redact_paths: tuple[str, ...]
    sweep: bool = False  # the whole-account listing (``sweep:`` in resources.yaml); its collector reports how
    # what a collector, item_enrich or finalize function puts on the data beyond the listed shapes: target path ->
    # {from: "service:Operation", path: JMESPath} or {computed: reason}; checked against botocore by the tests
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def permissions(self) -> list[str]:
        return sorted({action_name(s, o) for s, o in self.operations})


def _detail(raw: dict[str, Any], service: str) -> Detail:
    return Detail(
        operation=raw["operation"],
        params=dict(raw.get("params") or {}),
        result=raw.get("result", "@"),
        as_=raw["as"],
        absent=tuple(raw.get("absent", ())),
        paginate=bool(raw.get("paginate")),
        service=raw.get("service", service),
    )


class SpecError(ValueError):
    """A resources.yaml that the adapter cannot collect from faithfully; raised when the specs load."""


# the id of a single record (one per region or per account) is the region or account it describes
SINGLE_IDS = {"regional": "{region}", "global": "{account}", "account": "{account}"}


def _check_type(t: dict[str, Any], c: dict[str, Any], where: str) -> None:
    """Load-time rules: every type names its id; ``add`` never outlives an "absent" answer."""
    scope = t.get("scope", "regional")
    rid = c.get("id")
    if not isinstance(rid, str) or not rid.strip() or rid.strip() == "@":
        raise SpecError(
            f"{where}: collect.id is missing: name the field holding the cloud's own identifier "
            f"(or {SINGLE_IDS[scope]!r} for a single {scope} record)"
        )
    if c.get("single") and rid != SINGLE_IDS[scope]:
        raise SpecError(f"{where}: a single {scope} record's id is {SINGLE_IDS[scope]!r}, not {rid!r}")
    if not c.get("single") and rid in SINGLE_IDS.values():
        raise SpecError(f"{where}: {rid!r} is the id of single records only; name the item's identifier field")
    add, absent_data = dict(c.get("add") or {}), c.get("absent_data")
    if add and c.get("absent"):
        missing = sorted(set(add) - set(absent_data or {}))
        if missing:
            raise SpecError(
                f"{where}: add sets {', '.join(missing)} but absent_data does not say what an absent answer means"
            )
    for target, raw in (c.get("fields") or {}).items():
        ok = isinstance(raw, dict) and (
            (isinstance(raw.get("from"), str) and ":" in raw["from"]) or str(raw.get("computed") or "").strip()
        )
        if not ok:
            raise SpecError(f"{where}: fields.{target} needs from: 'service:Operation' (and path) or computed: reason")


@lru_cache(maxsize=1)
def load_specs() -> dict[str, TypeSpec]:
    """Every AWS type that declares a ``collect`` block."""
    out: dict[str, TypeSpec] = {}
    for path in sorted((providers_root() / "aws").glob("*/resources.yaml")):
        for t in read_yaml(path)["types"]:
            c = t.get("collect")
            if not c:
                continue
            _check_type(t, c, f"{path.parent.name}/resources.yaml: {t['type']}")
            service = c["service"]
            details = tuple(_detail(d, service) for d in c.get("details", ()))
            joins = tuple(
                Join(
                    operation=j["operation"],
                    items=j["items"],
                    key=j["key"],
                    on=j["item_key"],
                    as_=j["as"],
                    params=dict(j.get("params") or {}),
                )
                for j in c.get("joins", ())
            )
            ops = {(service, c["operation"])} if c.get("operation") else set()
            ops |= {(d.service or service, d.operation) for d in details}
            ops |= {(service, j.operation) for j in joins}
            ops |= {tuple(o.split(":", 1)) for o in c.get("operations", ())}
            out[t["type"]] = TypeSpec(
                type=t["type"],
                scope=t.get("scope", "regional"),
                service=service,
                operation=c.get("operation"),
                items=c.get("items", "@"),
                id=c["id"],
                name=c.get("name"),
                params=dict(c.get("params") or {}),
                single=bool(c.get("single")),
                absent=tuple(c.get("absent", ())),
                absent_data=c.get("absent_data"),
                add=dict(c.get("add") or {}),
                keep_if=c.get("keep_if"),
                owner=c.get("owner"),
                page_token=c.get("page_token"),
                details=details,
                joins=joins,
                collector=c.get("collector"),
                item_enrich=c.get("item_enrich"),
                finalize=c.get("finalize"),
                operations=tuple(sorted(ops)),
                redact_paths=tuple(c.get("redact", ())),
                sweep=bool(t.get("sweep")),
                fields=dict(c.get("fields") or {}),
            )
    return out


def required_permissions() -> list[str]:
    """The IAM actions the adapter can use: derived from the specs, plus sts:GetCallerIdentity."""
    perms = {"sts:GetCallerIdentity"}
    for spec in load_specs().values():
        perms.update(spec.permissions)
    return sorted(perms)


class Task(BaseTask):
    """One (type, region) unit of work: AWS API calls with the coverage outcome tracked as they happen."""

    def __init__(self, ctx: AwsContext, spec: TypeSpec, region: str) -> None:
        super().__init__(spec, region, "global" if spec.scope != "regional" else region)
        self.ctx = ctx
        self.extra: dict[str, Any] = {}  # what a collector reports beside its items (the sweep's method)

    def call(
        self,
        operation: str,
        params: dict[str, Any] | None = None,
        *,
        service: str | None = None,
        items: str | None = None,
        paginate: bool = True,
        absent: Iterable[str] = (),
        region: str | None = None,
        token: str | None = None,
    ) -> Any:
        """Call and return the response (or the concatenated ``items`` over all pages); ABSENT for the
        error codes that mean "not configured". Other errors propagate.

        Paging uses botocore's paginator; an operation without one pages by hand with ``token`` (its NextMarker or
        NextToken). Either way a token that comes back a second time raises RepeatedToken: the type's collection
        ends with an error instead of looping for ever.
        """
        svc = service or self.spec.service
        client = self.ctx.client(svc, region or self.region)
        method = xform_name(operation)
        params = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            if paginate and items and (token or client.can_paginate(method)):
                out: list[Any] = []
                expr = jmespath.compile(items)
                if client.can_paginate(method):
                    pages = self._paginated(client, svc, operation, params)
                else:
                    pages = self.pages(operation, params, token=token or "NextToken", service=svc, region=region)
                for page in pages:
                    _not_empty(page, svc, operation)
                    got = expr.search(page)
                    if isinstance(got, list):
                        out.extend(got)
                    elif got is not None:
                        out.append(got)
                return out
            resp = getattr(client, method)(**params)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in set(absent):
                return ABSENT
            raise
        except PaginationError as e:  # botocore's own guard: the same token twice in a row
            raise RepeatedToken(f"{svc}:{operation}", str(e)) from None
        resp.pop("ResponseMetadata", None)
        if items:
            _not_empty(resp, svc, operation)
        return jmespath.search(items, resp) if items else resp

    def _paginated(self, client: Any, service: str, operation: str, params: dict[str, Any]) -> Iterable[Any]:
        """botocore's pages, refusing a token seen on any earlier page (botocore only compares neighbours)."""
        outs = [jmespath.compile(t) for t in output_tokens(service, operation)]
        seen: set[str] = set()
        for page in client.get_paginator(xform_name(operation)).paginate(**params):
            yield page
            tok = repr([o.search(page) for o in outs])
            if all(o.search(page) in (None, "", [], {}) for o in outs):
                continue
            if tok in seen:
                raise RepeatedToken(f"{service}:{operation}", f"the paging token {tok} came back a second time")
            seen.add(tok)

    def pages(
        self,
        operation: str,
        params: dict[str, Any],
        *,
        token: str,
        service: str | None = None,
        region: str | None = None,
    ) -> Iterable[dict[str, Any]]:
        """Every page of an operation botocore has no paginator for, by hand: ``token`` is both the response's
        next-page field and the request parameter (WAFv2 NextMarker, Resource Explorer NextToken)."""
        svc = service or self.spec.service
        params, seen = dict(params), set()
        while True:
            page = self.call(operation, params, service=svc, region=region, paginate=False)
            yield page
            nxt = page.get(token)
            if not nxt:
                return
            if nxt in seen:
                raise RepeatedToken(f"{svc}:{operation}", f"{token} {str(nxt)[:80]!r} came back a second time")
            seen.add(nxt)
            params[token] = nxt

    def soft(
        self,
        operation: str,
        params: dict[str, Any],
        *,
        service: str | None = None,
        result: str = "@",
        absent: Iterable[str] = (),
        paginate: bool = False,
        region: str | None = None,
    ) -> Any:
        """A detail call whose failure is recorded against the task instead of aborting it.

        Returns the value, None for an absent code, or ABSENT-less sentinel ``MISSING`` on failure so
        that the caller leaves the field out (checks needing it then report ERROR, never PASS).
        """
        try:
            got = self.call(
                operation,
                params,
                service=service,
                items=result if paginate else None,
                paginate=paginate,
                absent=absent,
                region=region,
            )
        except Exception as e:
            self.record(e, service or self.spec.service, operation)
            return MISSING
        if got is ABSENT:
            return None
        if paginate:
            return got
        return jmespath.search(result, got) if result != "@" else got

    def record(self, exc: BaseException, service: str, operation: str) -> None:
        status, reason, _ = classify(exc)
        self.note_problem(status, reason, action_name(service, operation) if status == "denied" else None)


MISSING = object()


def _import(ref: str) -> Callable[..., Any]:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


class EmptyAnswer(RuntimeError):
    """A 200 whose body held nothing at all (a proxy, a truncated answer): never "no resources"."""


def _not_empty(page: Any, service: str, operation: str) -> None:
    """AWS answers a listing with its (possibly empty) list; a body with no output member at all is broken."""
    if isinstance(page, dict) and not any(k != "ResponseMetadata" for k in page):
        raise EmptyAnswer(f"{service}:{operation} answered 200 with an empty body; the list was not read")


def _list(task: Task) -> list[Any]:
    """Phase 1: the list call (or the type's collector), joins, and the pre-detail filter."""
    spec = task.spec
    if spec.collector:
        rows = _import(spec.collector)(task)
        for item, region in rows:
            if region:
                task.item_region[id(item)] = region
        return [item for item, _ in rows]
    params = {k: (task.ctx.account if v == "{account}" else v) for k, v in spec.params.items()}
    if spec.single:
        got = task.call(spec.operation, params, items=None, paginate=False, absent=spec.absent)
        if got is ABSENT:  # "not configured": absent_data says so, and add (what a present answer implies) stays off
            return [dict(spec.absent_data or {})]
        value = jmespath.search(spec.items, got) if spec.items != "@" else got
        return [{**(value if isinstance(value, dict) else {"Value": value}), **spec.add}]
    items = [
        {**(i if isinstance(i, dict) else ({"Name": i} if isinstance(i, str) else {"Value": i})), **spec.add}
        for i in task.call(spec.operation, params, items=spec.items, paginate=True, token=spec.page_token)
    ]
    if spec.owner:  # the request asked for the account's own (Owners=[self]); this holds even if a server ignores it
        items = [i for i in items if str(jmespath.search(spec.owner, i)) == task.ctx.account]
    if spec.keep_if:
        items = [i for i in items if jmespath.search(spec.keep_if, i)]
    for join in spec.joins:
        records = task.soft(join.operation, join.params, result=join.items, paginate=True)
        if records is MISSING:
            continue
        grouped: dict[Any, list[Any]] = {}
        for rec in records or ():
            grouped.setdefault(rec.get(join.key), []).append(rec)
        for item in items:
            item[join.as_] = grouped.get(item.get(join.on), [])
    return items


def _has_item_work(spec: TypeSpec) -> bool:
    return bool(spec.details or spec.item_enrich) and not spec.single and not spec.collector


def _item_work(task: Task, item: dict[str, Any]) -> None:
    """Phase 2, one item: detail calls and the type's per-item function. Failures are recorded on the task."""
    for d in task.spec.details:
        params = {k: jmespath.search(v, item) for k, v in d.params.items()}
        got = task.soft(d.operation, params, service=d.service, result=d.result, absent=d.absent, paginate=d.paginate)
        if got is MISSING:
            continue
        if d.as_ == "@":
            if isinstance(got, dict):  # a key the answer lacked is left out, not stored as null
                item.update({k: v for k, v in got.items() if v is not None})
        else:
            item[d.as_] = got
    if task.spec.item_enrich:
        _import(task.spec.item_enrich)(task, item)


def _resources(task: Task, items: list[Any]) -> list[Resource]:
    """Phase 3: filter, finalise and turn items into redacted, JSON-safe resources."""
    spec, ctx = task.spec, task.ctx
    if spec.keep_if and not spec.single:
        items = [i for i in items if jmespath.search(spec.keep_if, i)]
    if spec.finalize:
        _import(spec.finalize)(task, items)
    label = task.label
    out = []
    for item in items:
        region = task.item_region.get(id(item), label)
        data = jsonable(dict(item) if isinstance(item, dict) else {"Value": item})
        if spec.single:
            rid: Any = ctx.account if spec.scope in ("global", "account") else task.region
        else:
            rid = jmespath.search(spec.id, data)
        if isinstance(rid, bool) or not isinstance(rid, (str, int)) or str(rid) == "":
            # never a made-up id (the repr of the item): the item is left out and its type marked, so its checks
            # report ERROR for this region rather than judging something no waiver or report can name
            task.note_problem(
                "error", f"an item of {spec.type} has no identifier at {spec.id!r}; it was left out", None
            )
            continue
        name = jmespath.search(spec.name, data) if spec.name else None
        out.append(
            Resource(
                provider="aws",
                account=ctx.account,
                region=region,
                type=spec.type,
                id=str(rid),
                name=None if name is None else str(name),
                tags=tags_of(data),
                data=redact(data, spec.redact_paths),
            )
        )
    return out


def plan(ctx: AwsContext, types: Iterable[str] | None = None) -> tuple[list[Task], list[Coverage]]:
    """Tasks to run, and NOT_AVAILABLE coverage for services absent from the partition or a region."""
    specs = load_specs()
    wanted = sorted(types) if types else sorted(specs)
    tasks: list[Task] = []
    coverage: list[Coverage] = []
    for name in wanted:
        spec = specs[name]
        if not ctx.available(spec.service):
            reason = f"{spec.service} is not available in partition {ctx.partition}"
            for region in ["global"] if spec.scope != "regional" else ctx.regions:
                coverage.append(Coverage(ctx.account, region, name, CoverageStatus.NOT_AVAILABLE, reason))
            continue
        if spec.scope != "regional":
            tasks.append(
                Task(
                    ctx, spec, ctx.home_region if ctx.home_region in ctx.regions or not ctx.regions else ctx.regions[0]
                )
            )
            continue
        in_service = set(ctx.service_regions(spec.service))
        for region in ctx.regions:
            if region in in_service:
                tasks.append(Task(ctx, spec, region))
            else:
                coverage.append(
                    Coverage(
                        ctx.account,
                        region,
                        name,
                        CoverageStatus.NOT_AVAILABLE,
                        f"{spec.service} is not available in {region}",
                    )
                )
    return tasks, coverage


def collect(
    ctx: AwsContext, *, workers: int = 8, types: Iterable[str] | None = None, progress: Any = None
) -> Inventory:
    started = utc_now()
    tasks, coverage = plan(ctx, types)
    resources, more = run(
        tasks,
        account=ctx.account,
        list_items=_list,
        has_item_work=_has_item_work,
        item_work=_item_work,
        build=_resources,
        failure=_failure,
        workers=workers,
        progress=progress,
        name="mlps-aws",
    )
    coverage = sorted(coverage + more, key=lambda c: (c.type, c.region))
    scope: dict[str, Any] = {"regions_available": ctx.regions_available}
    sweeps = [s for s in load_specs().values() if s.sweep]
    if sweeps:
        scope["sweep"] = sweep_scope(sweeps[0].type, tasks, coverage)
    return Inventory(
        provider="aws",
        accounts=[{"id": ctx.account, "partition": ctx.partition}],
        regions=list(ctx.regions),
        identity={"arn": ctx.identity_arn, "partition": ctx.partition},
        started_at=started,
        finished_at=utc_now(),
        resources=resources,
        coverage=coverage,
        scope=scope,
    )


NO_SWEEP_LIMITS = (
    "No whole-account listing was made, so resources in types or regions not scanned in detail are unseen."
)


def sweep_scope(rtype: str, tasks: list[Task], coverage: list[Coverage]) -> dict[str, Any]:
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


def _failure(t: Task, e: BaseException) -> tuple[str, str, str | None]:
    status, reason, _ = classify(e)
    op = getattr(e, "operation_name", None) or t.spec.operation or "?"
    return status, reason, action_name(t.spec.service, op) if status == "denied" else None

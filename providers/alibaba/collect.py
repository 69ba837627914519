"""Collect an Alibaba Cloud account from the action table in ``providers/alibaba/<service>/resources.yaml``.

Each type's ``collect`` block names product, version, action, style, request parameters, the JMESPath to
the items, the pagination style (token: NextToken/MaxResults; page: PageNumber/PageSize/TotalCount;
marker: Marker/MaxItems/IsTruncated; none) and per-item ``details``. This table is the only way the
adapter reaches the API (OSS excepted: it speaks XML through oss2, in ``oss/collect.py``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jmespath

from providers.alibaba.client import AlibabaContext, ApiError, classify, normalise, ram_action
from scanner.checks import providers_root
from scanner.collect import BaseTask, not_available, run, tags_of
from scanner.errors import MlpsError
from scanner.inventory import Inventory, utc_now
from scanner.load import read_yaml
from scanner.model import Coverage, Resource
from scanner.redact import jsonable, redact

MISSING = object()


@dataclass(frozen=True)
class Call:
    product: str
    version: str
    action: str
    params: dict[str, Any]
    style: str = "RPC"
    pathname: str = "/"
    method: str = "POST"


@dataclass(frozen=True)
class Detail:
    action: str
    params: dict[str, str]  # request parameter -> JMESPath on the item ('{region}' substituted first)
    result: str
    as_: str
    absent: tuple[str, ...] = ()
    product: str | None = None
    version: str | None = None
    paging: str = "none"
    items: str | None = None
    page_size: int = 50
    page_param: str = "PageNumber"
    total: str | None = None


@dataclass(frozen=True)
class TypeSpec:
    type: str
    scope: str
    call: Call
    items: str
    paging: str
    page_size: int
    id: str
    name: str | None
    single: bool
    absent: tuple[str, ...]
    absent_data: dict[str, Any] | None
    add: dict[str, Any]
    keep_if: str | None
    details: tuple[Detail, ...]
    collector: str | None
    item_enrich: str | None
    finalize: str | None
    actions: tuple[tuple[str, str], ...]  # every (product, action) the type may call
    redact_paths: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def product(self) -> str:
        return self.call.product

    @property
    def permissions(self) -> list[str]:
        return sorted({ram_action(p, a) for p, a in self.actions})


@lru_cache(maxsize=1)
def load_specs() -> dict[str, TypeSpec]:
    return parse_specs(providers_root() / "alibaba")


def parse_specs(root: Path) -> dict[str, TypeSpec]:
    """The action table of every ``<service>/resources.yaml`` under ``root``; a listed type that does not name
    its items' id is refused here, at load time."""
    out: dict[str, TypeSpec] = {}
    for path in sorted(root.glob("*/resources.yaml")):
        for t in read_yaml(path)["types"]:
            c = t.get("collect")
            if not c:
                continue
            call = Call(
                product=c["product"],
                version=str(c["version"]),
                action=c.get("action", ""),
                params=dict(c.get("params") or {}),
                style=c.get("style", "RPC"),
                pathname=c.get("pathname", "/"),
                method=c.get("method", "POST"),
            )
            details = tuple(
                Detail(
                    action=d["action"],
                    params=dict(d.get("params") or {}),
                    result=d.get("result", "@"),
                    as_=d["as"],
                    absent=tuple(d.get("absent", ())),
                    product=d.get("product", call.product),
                    version=str(d.get("version", call.version)),
                    paging=d.get("paging", "none"),
                    items=d.get("items"),
                    page_size=int(d.get("page_size", 50)),
                    page_param=d.get("page_param", "PageNumber"),
                    total=d.get("total"),
                )
                for d in c.get("details", ())
            )
            single = bool(c.get("single"))
            if not single and not c.get("id"):
                raise MlpsError(
                    f"{path}: type {t['type']}: collect.id is missing; every listed type names the cloud's own "
                    "identifier of its items (a JMESPath giving a string)"
                )
            actions = {(call.product, call.action)} if call.action else set()
            actions |= {(d.product or call.product, d.action) for d in details}
            actions |= {tuple(a.split(":", 1)) for a in c.get("actions", ())}
            out[t["type"]] = TypeSpec(
                type=t["type"],
                scope=t.get("scope", "regional"),
                call=call,
                items=c.get("items", "@"),
                paging=c.get("paging", "none"),
                page_size=int(c.get("page_size", 50)),
                id=c.get("id", ""),
                name=c.get("name"),
                single=single,
                absent=tuple(c.get("absent", ())),
                absent_data=c.get("absent_data"),
                add=dict(c.get("add") or {}),
                keep_if=c.get("keep_if"),
                details=details,
                collector=c.get("collector"),
                item_enrich=c.get("item_enrich"),
                finalize=c.get("finalize"),
                actions=tuple(sorted(actions)),
                redact_paths=tuple(c.get("redact", ())),
                extra=dict(c.get("extra") or {}),
            )
    return out


def required_permissions() -> list[str]:
    perms = {"sts:GetCallerIdentity", "ecs:DescribeRegions"}
    for spec in load_specs().values():
        perms.update(spec.permissions)
    return sorted(perms)


@dataclass(frozen=True)
class Paging:
    style: str  # token | page | marker
    items: str
    page_size: int
    page_param: str = "PageNumber"  # the page-number parameter (SLB ACL entries: Page)
    total: str | None = None  # JMESPath to the total; default TotalCount, else TotalRecordCount (RDS)

    def total_of(self, body: dict[str, Any]) -> Any:
        if self.total:
            return jmespath.search(self.total, body)
        return body.get("TotalCount", body.get("TotalRecordCount"))


class PageGuard:
    """Stops a list that would loop or end short: a continuation token that repeats, a page past the total,
    an empty page while the total says more, a short page before the end, or a total that is missing. Each
    raises ``ApiError("PagingError")``, so that type (in that region) ends with an ERROR coverage record that
    says why, never an endless loop and never a silently truncated list."""

    MAX_PAGES = 100_000

    def __init__(self, action: str, product: str) -> None:
        self.action, self.product = action, product
        self.tokens: set[str] = set()
        self.pages = 0

    def fail(self, why: str) -> ApiError:
        return ApiError("PagingError", f"{why}; the list was not completed", self.action, self.product)

    def token(self, token: Any, name: str = "NextToken") -> None:
        self.pages += 1
        if token in (None, ""):
            raise self.fail(f"the response says there is more but gives no {name}")
        if token in self.tokens:
            raise self.fail(f"{name} {str(token)[:40]!r} came back a second time (page {self.pages + 1})")
        self.tokens.add(token)
        if self.pages > self.MAX_PAGES:
            raise self.fail(f"more than {self.MAX_PAGES} pages")

    def page_done(self, page: int, got: int, seen: int, size: int, total: Any) -> bool:
        """True when the list is complete after page ``page`` (``got`` items on it, ``seen`` so far)."""
        try:
            total = int(total)
        except (TypeError, ValueError):
            raise self.fail(f"page {page} has no total count ({total!r})") from None
        if seen > total:
            raise self.fail(f"page {page} takes the count to {seen}, past the total of {total}")
        if seen == total:
            return True
        if got == 0:
            raise self.fail(f"page {page} came back empty with {seen} of {total} items read")
        if got < size:
            raise self.fail(f"page {page} holds {got} items, not the {size} asked for, with {seen} of {total} read")
        if page >= self.MAX_PAGES:
            raise self.fail(f"more than {self.MAX_PAGES} pages")
        return False


class Task(BaseTask):
    def __init__(self, ctx: AlibabaContext, spec: TypeSpec, region: str) -> None:
        super().__init__(spec, region, "global" if spec.scope != "regional" else region)
        self.ctx = ctx

    def fill(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("{region}", self.region).replace("{account}", self.ctx.account)
        return value

    def call(
        self,
        action: str,
        params: dict[str, Any] | None = None,
        *,
        product: str | None = None,
        version: str | None = None,
        paging: str = "none",
        items: str | None = None,
        page_size: int = 50,
        absent: Iterable[str] = (),
        page_param: str = "PageNumber",
        total: str | None = None,
    ) -> Any:
        """One action, following its pagination to the end. Returns the body (paging none) or the items."""
        spec = self.spec
        product = product or spec.call.product
        version = version or spec.call.version
        query = {k: self.fill(v) for k, v in (params or {}).items()}
        style, pathname, method = (
            (spec.call.style, spec.call.pathname, spec.call.method)
            if action == spec.call.action
            else ("RPC", "/", "POST")
        )
        try:
            if paging == "none":
                return self.ctx.call(product, version, action, self.region, query, style, pathname, method)
            return self._paged(
                product,
                version,
                action,
                query,
                Paging(paging, items or "@", page_size, page_param, total),
                style,
                pathname,
                method,
            )
        except ApiError as e:
            if e.code in set(absent):
                return None
            raise

    def _paged(
        self,
        product: str,
        version: str,
        action: str,
        query: dict[str, Any],
        paging: Paging,
        style: str,
        pathname: str,
        method: str,
    ) -> list[Any]:
        expr = jmespath.compile(paging.items)
        guard = PageGuard(action, product)
        out: list[Any] = []
        token: str | None = None
        page = 1
        size = paging.page_size
        while True:
            q = dict(query)
            if paging.style == "token":
                q["MaxResults"] = size
                if token:
                    q["NextToken"] = token
            elif paging.style == "page":
                q[paging.page_param], q["PageSize"] = page, size
            elif paging.style == "marker":
                q["MaxItems"] = size
                if token:
                    q["Marker"] = token
            body = self.ctx.call(product, version, action, self.region, q, style, pathname, method)
            outer = paging.items.split(".", 1)[0]
            if paging.items != "@" and isinstance(body, dict) and outer not in body:
                # a 200 without the list (a proxy's answer, a truncated body) is not "none": stop with an error
                raise guard.fail(f"page {page} has no {outer!r} in the answer")
            got = expr.search(body) or []
            got = got if isinstance(got, list) else [got]
            out.extend(got)
            if paging.style == "token":
                token = body.get("NextToken")
                if not token:
                    return out
                guard.token(token)
            elif paging.style == "page":
                if guard.page_done(page, len(got), len(out), size, paging.total_of(body)):
                    return out
                page += 1
            elif paging.style == "marker":
                if not body.get("IsTruncated"):
                    return out
                token = body.get("Marker")
                guard.token(token, "Marker")

    def soft(
        self,
        action: str,
        params: dict[str, Any],
        *,
        result: str = "@",
        absent: Iterable[str] = (),
        product: str | None = None,
        version: str | None = None,
        paging: str = "none",
        items: str | None = None,
        page_size: int = 50,
        page_param: str = "PageNumber",
        total: str | None = None,
    ) -> Any:
        """A detail call whose failure is recorded on the task; returns MISSING then (field left out)."""
        try:
            got = self.call(
                action,
                params,
                product=product,
                version=version,
                paging=paging,
                items=items,
                absent=absent,
                page_size=page_size,
                page_param=page_param,
                total=total,
            )
        except ApiError as e:
            self.record(e)
            return MISSING
        except Exception as e:
            self.record(normalise(e, action, product or self.spec.call.product))
            return MISSING
        if got is None or paging != "none":
            return got
        return jmespath.search(result, got) if result != "@" else got

    def record(self, err: ApiError) -> None:
        status, reason = classify(err)
        self.note_problem(status, reason, ram_action(err.product, err.action) if status == "denied" else None)


def _import(ref: str) -> Callable[..., Any]:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def _list(task: Task) -> list[Any]:
    spec = task.spec
    if spec.collector:
        rows = _import(spec.collector)(task)
        for item, region in rows:
            if region:
                task.item_region[id(item)] = region
        items = [item for item, _ in rows]
        if not spec.single:
            _check_ids(spec, items)
        return items
    call = spec.call
    if spec.single:
        got = task.call(call.action, call.params, absent=spec.absent)
        if got is None:
            return [dict(spec.absent_data or {})]
        value = jmespath.search(spec.items, got) if spec.items != "@" else got
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if k != "RequestId"}
        return [value if isinstance(value, dict) else {"Value": value}]
    if spec.paging == "none":
        body = task.call(call.action, call.params)
        items = jmespath.search(spec.items, body) or []
    else:
        items = task.call(call.action, call.params, paging=spec.paging, items=spec.items, page_size=spec.page_size)
    items = [i if isinstance(i, dict) else {"Value": i} for i in items]
    if spec.keep_if:
        items = [i for i in items if jmespath.search(spec.keep_if, i)]
    _check_ids(spec, items)
    return items


def _check_ids(spec: TypeSpec, items: list[Any]) -> None:
    """Every listed item has its own identifier (a non-empty string or number), or the type fails."""
    for item in items:
        rid = jmespath.search(spec.id, item)
        if isinstance(rid, bool) or not isinstance(rid, (str, int)) or rid == "":
            raise ApiError(
                "NoResourceId",
                f"an item has no usable id at {spec.id!r} (got {type(rid).__name__})",
                spec.call.action,
                spec.call.product,
            )


def _has_item_work(spec: TypeSpec) -> bool:
    return bool(spec.details or spec.item_enrich) and not spec.single


def _item_work(task: Task, item: dict[str, Any]) -> None:
    for d in task.spec.details:
        params = {k: jmespath.search(task.fill(v), item) for k, v in d.params.items()}
        got = task.soft(
            d.action,
            params,
            result=d.result,
            absent=d.absent,
            product=d.product,
            version=d.version,
            paging=d.paging,
            items=d.items,
            page_size=d.page_size,
            page_param=d.page_param,
            total=d.total,
        )
        if got is MISSING:
            continue
        if d.as_ == "@":
            if isinstance(got, dict):
                # a key the answer lacked is left out, not stored as null: null would pass for "present"
                item.update({k: v for k, v in got.items() if k != "RequestId" and v is not None})
        else:
            item[d.as_] = got
    if task.spec.item_enrich:
        _import(task.spec.item_enrich)(task, item)


def _resources(task: Task, items: list[Any]) -> list[Resource]:
    spec, ctx = task.spec, task.ctx
    if spec.finalize:
        _import(spec.finalize)(task, items)
    out = []
    for item in items:
        region = task.item_region.get(id(item), task.label)
        data = jsonable(item)
        data.update(spec.add)
        if spec.single:
            rid: Any = ctx.account if spec.scope != "regional" else task.region
        else:
            rid = jmespath.search(spec.id, data)
        name = jmespath.search(spec.name, data) if spec.name else None
        out.append(
            Resource(
                provider="alibaba",
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


def _failure(task: Task, e: BaseException) -> tuple[str, str, str | None]:
    err = normalise(e, getattr(e, "action", task.spec.call.action), getattr(e, "product", task.spec.call.product))
    status, reason = classify(err)
    return status, reason, ram_action(err.product, err.action) if status == "denied" else None


def plan(ctx: AlibabaContext, types: Iterable[str] | None = None) -> tuple[list[Task], list[Coverage]]:
    specs = load_specs()
    tasks: list[Task] = []
    coverage: list[Coverage] = []
    for name in sorted(types) if types else sorted(specs):
        spec = specs[name]
        if spec.scope != "regional":
            tasks.append(Task(ctx, spec, spec.extra.get("region", "cn-hangzhou")))
            continue
        unsupported = set(spec.extra.get("unavailable_regions", ()))
        for region in ctx.regions:
            if region in unsupported:
                coverage.extend(
                    not_available(ctx.account, name, [region], f"{spec.product} is not offered in {region}")
                )
            else:
                tasks.append(Task(ctx, spec, region))
    return tasks, coverage


def collect(
    ctx: AlibabaContext, *, workers: int = 8, types: Iterable[str] | None = None, progress: Any = None
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
        name="mlps-alibaba",
    )
    coverage = sorted(coverage + more, key=lambda c: (c.type, c.region))
    in_use = sorted({r.region for r in resources if r.region not in ("global",)})
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
        resources=resources,
        coverage=coverage,
        notes=notes,
    )
    inv.scope = {
        "regions_available": list(ctx.regions_available or ctx.regions),
        "sweep": sweep_scope(ctx, coverage),
    }
    return inv


SWEEP_TYPE = "alibaba.inventory.resource"


def sweep_scope(ctx: AlibabaContext, coverage: list[Coverage]) -> dict[str, Any]:
    """What the whole-account sweep was and what it cannot see, for ``Inventory.scope["sweep"]``."""
    records = [c for c in coverage if c.type == SWEEP_TYPE]
    info = ctx.sweep_info
    if not records:
        limits = "The sweep was not run in this scan."
        return {"type": SWEEP_TYPE, "method": "none", "complete": False, "limits": limits}
    bad = [c for c in records if c.status.value != "ok"]
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
    n = info.get("resource_types")
    seen = f"the {n} resource types Resource Center supports" if n else "the resource types Resource Center supports"
    complete = info.get("initial_status") == "Finished"
    limits = f"Only {seen} are listed; resources of other types and services are not seen by the sweep"
    if not complete:
        limits += f", and Resource Center had not finished indexing (InitialStatus={info.get('initial_status')!r})"
    limits += "."
    return {"type": SWEEP_TYPE, "method": "resource-center", "complete": complete, "limits": limits}


def uncollected_services() -> list[str]:
    """What the adapter does not collect yet, named in every inventory so that reports can say so."""
    from scanner.checks import load_resource_types

    collected = set(load_specs())
    declared = sorted(t for t, rt in load_resource_types().items() if rt.provider == "alibaba" and t not in collected)
    pack_services = ["ack", "polardb", "mongodb", "elasticsearch", "nas", "waf", "cloudfw", "alb", "cdn", "cen"]
    return declared + [f"{s} (service)" for s in pack_services]

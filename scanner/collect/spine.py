"""The declarative collector: one spine for every cloud, driven by the specs and one cloud's :class:`Transport`.

The spine owns everything that should mean the same on every cloud: what "absent" answers become, how a failed
detail call marks its type instead of aborting it, how items become resources (id, name, tags, region, redaction),
what ``keep_if`` and ``owner`` drop, and which work runs on the pool. A cloud supplies only how to call and page its
API, how to read a failure, and where each type runs (regions, partitions, subscriptions). A cloud's hooks (a
``collector``, ``item_enrich`` or ``finalize`` named in its specs) receive the :class:`Task` and call through it, so
their calls are counted, guarded and recorded like the table's own.

Reading order: :class:`Task` (the calls), then :func:`list_items`, :func:`item_work`, :func:`build` (the three
phases), then :func:`plan` and :func:`collect`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

import jmespath

from scanner.collect.pool import Failure, run
from scanner.collect.spec import Op, TypeSpec
from scanner.errors import MlpsError
from scanner.functions import OPTIONS
from scanner.model import Coverage, CoverageStatus, Resource
from scanner.redact import jsonable, redact


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


# Task.call's answer when the cloud says "not configured" with one of the call's ``absent`` codes
ABSENT: Any = _Sentinel("ABSENT")
# Task.soft's answer when the call failed (the failure is on the task): leave the field out, never guess it
MISSING: Any = _Sentinel("MISSING")


class Placement(NamedTuple):
    """Where one task runs: the region its calls go to, the label its coverage and resources carry ("global" for
    a type listed once), and the account (AWS account, Alibaba account, Azure subscription)."""

    region: str
    label: str
    account: str


class Transport(Protocol):
    """What the spine needs from one cloud. Implementations: providers/<cloud>/transport.py."""

    provider: str

    def plan(self, spec: TypeSpec) -> tuple[list[Placement], list[Coverage]]:
        """Where ``spec`` runs, and NOT_AVAILABLE coverage where its service does not exist."""
        ...

    def prepare(self, tasks: Sequence[Task[Any]]) -> None:
        """Anything done once before listing (Azure's Resource Graph query sets ``task.preloaded``)."""
        ...

    def call(self, task: Task[Any], op: Op, params: Mapping[str, Any]) -> Any:
        """One request; the answer's body without its envelope (request ids, response metadata)."""
        ...

    def paginate(self, task: Task[Any], op: Op, params: Mapping[str, Any], items: str) -> list[Any]:
        """The ``items`` of every page, in the cloud's paging style; a token that repeats or a page that
        contradicts its total raises (the type ends with an error, never a loop or a short list)."""
        ...

    def absent_key(self, exc: BaseException) -> str | int | None:
        """What an ``absent:`` list names for this failure: the error code (ARM: the HTTP status)."""
        ...

    def classify(self, exc: BaseException, op: Op) -> Failure:
        """(denied | error, reason, the permission a denial lacks) for a failure of ``op`` (or within it)."""
        ...

    def is_read(self, op: Op) -> bool:
        """Whether ``op`` only reads (the specs may name nothing else)."""
        ...

    def permission(self, op: Op) -> str:
        """The IAM / RAM / RBAC action that authorises ``op``."""
        ...

    def region_of(self, data: Mapping[str, Any]) -> str | None:
        """A resource's region read from its own data (ARM ``location``); None: the task's (or the collector's)."""
        ...


T = TypeVar("T", bound=Transport)


class Task(Generic[T]):
    """One (type, placement) unit of work, with the calls its listing, details and hooks make.

    Failures of ``soft`` calls (and those a hook ``record``s) are kept on the task: its coverage record then says
    denied or error, with the missing permission, while whatever was read is still returned.
    """

    def __init__(self, transport: T, spec: TypeSpec, where: Placement) -> None:
        self.transport = transport
        self.spec = spec
        self.region, self.label, self.account = where
        self.problem: Failure | None = None
        self.item_region: dict[int, str] = {}  # id(item) -> region, for types listed once (OSS, S3, the sweep)
        self.extra: dict[str, Any] = {}  # what a collector reports beside its items (the sweep's method)
        self.preloaded: list[Any] | None = None  # the listing, when the transport read it in bulk beforehand
        self._lock = threading.Lock()

    def op(self, name: str, **opts: Any) -> Op:
        """An operation of this type: options it does not name (service; product and version) are the type's."""
        return Op(name, {**self.spec.defaults, **{k: v for k, v in opts.items() if v is not None}})

    def fill(self, value: Any) -> Any:
        """``{region}`` and ``{account}`` in a spec's string value, before it is used."""
        if isinstance(value, str):
            return value.replace("{region}", self.region).replace("{account}", self.account)
        return value

    def call(
        self,
        op: str | Op,
        params: Mapping[str, Any] | None = None,
        *,
        items: str | None = None,
        paginate: bool = True,
        absent: Iterable[str | int] = (),
        **opts: Any,
    ) -> Any:
        """Call ``op`` (a name, with the cloud's ``opts``: service, region; paging, ...; or an Op) and return the
        answer; with ``items``, the items at that JMESPath over every page (of the one answer, with
        ``paginate=False``). ABSENT when the cloud answers with one of the ``absent`` codes ("not configured").
        Any other failure raises."""
        op = self.op(op, **opts) if isinstance(op, str) else op
        codes = set(absent)
        try:
            if items is not None and paginate:
                return self.transport.paginate(self, op, params or {}, items)
            got = self.transport.call(self, op, params or {})
        except Exception as e:
            if codes and self.transport.absent_key(e) in codes:
                return ABSENT
            raise
        return got if items is None else jmespath.search(items, got)

    def soft(
        self,
        op: str | Op,
        params: Mapping[str, Any] | None = None,
        *,
        result: str = "@",
        items: str | None = None,
        absent: Iterable[str | int] = (),
        **opts: Any,
    ) -> Any:
        """A call whose failure is recorded on the task instead of raised.

        Returns the ``result`` of the answer (with ``items``: every page's items); None when the cloud answers
        "not configured" (an ``absent`` code); MISSING when the call failed. On MISSING the caller leaves its field
        out of the data, so the checks that need it report ERROR, never a pass on a guess.
        """
        op = self.op(op, **opts) if isinstance(op, str) else op
        try:
            got = self.call(op, params, items=items, absent=absent)
        except Exception as e:
            self.record(e, op)
            return MISSING
        if got is ABSENT:
            return None
        if items is not None:
            return got
        return jmespath.search(result, got) if result != "@" else got

    def record(self, exc: BaseException, op: Op | None = None) -> None:
        """Mark the task with a failure of ``op`` (default: the type's own call)."""
        status, reason, permission = self.transport.classify(exc, op or self.spec.op)
        self.note_problem(status, reason, permission)

    def note_problem(self, status: CoverageStatus | str, reason: str, permission: str | None) -> None:
        """Keep the most telling failure: a denial (names a permission) beats a generic error."""
        status = CoverageStatus(status)
        with self._lock:  # item jobs of one task run on several threads
            if self.problem is None or (self.problem[0] is CoverageStatus.ERROR and status is CoverageStatus.DENIED):
                self.problem = (status, reason, permission)


# ---- the three phases


def list_items(task: Task[Any]) -> list[Any]:
    """Phase 1: the collector, or the list call (or the single record), then ``owner`` and ``joins``."""
    spec = task.spec
    if spec.collector:
        rows = spec.collector(task)
        for item, region in rows:
            if region:
                task.item_region[id(item)] = region
        return [item for item, _ in rows]
    params = {k: task.fill(v) for k, v in spec.params.items()}
    if spec.single:
        got = task.call(spec.op, params, paginate=False, absent=spec.absent)
        if got is ABSENT:  # "not configured": absent_data says so, and add (what a present answer implies) stays off
            return [dict(spec.absent_data or {})]
        value = jmespath.search(spec.items, got) if spec.items != "@" else got
        return [{**(value if isinstance(value, dict) else {"Value": value}), **spec.add}]
    listed = task.preloaded if task.preloaded is not None else task.call(spec.op, params, items=spec.items)
    items = [{**_as_item(i), **spec.add} for i in listed]
    if spec.owner:  # the request asked for the account's own (Owners=[self]); this holds even if a server ignores it
        items = [i for i in items if str(jmespath.search(spec.owner, i)) == task.account]
    for join in spec.joins:
        records = task.soft(join.op, {k: task.fill(v) for k, v in join.params.items()}, items=join.items)
        if records is MISSING:
            continue
        grouped: dict[Any, list[Any]] = {}
        for rec in records or ():
            grouped.setdefault(rec.get(join.key), []).append(rec)
        for item in items:
            item[join.as_] = grouped.get(item.get(join.on), [])
    return items


def _as_item(value: Any) -> dict[str, Any]:
    """A listed item as a dict: a string is a name (EKS ListClusters), any other scalar a value."""
    if isinstance(value, dict):
        return value
    return {"Name": value} if isinstance(value, str) else {"Value": value}


def has_item_work(spec: TypeSpec) -> bool:
    """Whether each listed item gets its own job in phase 2 (single records are complete when listed)."""
    return bool(spec.details or spec.item_enrich) and not spec.single


def item_work(task: Task[Any], item: dict[str, Any]) -> None:
    """Phase 2, one item: the detail calls, then the type's ``item_enrich``. Failures are recorded on the task."""
    spec = task.spec
    for d in spec.details:
        params = {k: jmespath.search(task.fill(v), item) for k, v in d.params.items()}
        op = d.op
        if "{id}" in op.name:  # an ARM detail path under the item
            op = replace(op, name=op.name.replace("{id}", str(jmespath.search(spec.id, item) or "")))
        got = task.soft(op, params, result=d.result, items=d.items, absent=d.absent)
        if got is MISSING:
            continue
        if d.as_ == "@":
            if isinstance(got, dict):  # a key the answer lacked is left out, not stored as null ("present")
                item.update({k: v for k, v in got.items() if v is not None})
        else:
            item[d.as_] = got
    if spec.item_enrich:
        spec.item_enrich(task, item)


def build(task: Task[Any], items: list[Any]) -> list[Resource]:
    """Phase 3: ``keep_if``, ``finalize``, then redacted, JSON-safe resources.

    ``keep_if`` is applied here, once, after the details: a condition may read what a detail added (KMS
    ``KeyManager`` comes from DescribeKey, not ListKeys).
    """
    spec = task.spec
    if spec.keep_if:
        items = [i for i in items if jmespath.search(spec.keep_if, i, options=OPTIONS)]
    if spec.finalize:
        spec.finalize(task, items)
    out = []
    for item in items:
        data = jsonable(dict(item) if isinstance(item, dict) else {"Value": item})
        region = task.transport.region_of(data) or task.item_region.get(id(item), task.label)
        if spec.single:
            rid: Any = task.account if spec.scope != "regional" else task.region
        else:
            rid = jmespath.search(spec.id, data, options=OPTIONS)
        if isinstance(rid, bool) or not isinstance(rid, (str, int)) or str(rid) == "":
            # never a made-up id (the repr of the item): the item is left out and its type marked, so its checks
            # report ERROR for this region rather than judging something no waiver or report can name
            task.note_problem(
                CoverageStatus.ERROR,
                f"NoResourceId: an item of {spec.type} has no identifier at {spec.id!r} (no id string or number); "
                "it was left out",
                None,
            )
            continue
        name = jmespath.search(spec.name, data, options=OPTIONS) if spec.name else None
        out.append(
            Resource(
                provider=spec.provider,
                account=task.account,
                region=region,
                type=spec.type,
                id=str(rid),
                name=None if name is None else str(name),
                tags=tags_of(data),
                data=redact(data, spec.redact_paths),
            )
        )
    return out


def failure(task: Task[Any], exc: BaseException) -> Failure:
    """A task whose listing raised: the whole type (in that placement) is denied or in error."""
    got: Failure = task.transport.classify(exc, task.spec.op)
    return got


# ---- planning and running


def plan(
    transport: Transport, specs: Mapping[str, TypeSpec], types: Iterable[str] | None = None
) -> tuple[list[Task[Any]], list[Coverage]]:
    """Tasks for every wanted type where the transport places it, and NOT_AVAILABLE coverage where it cannot."""
    tasks: list[Task[Any]] = []
    coverage: list[Coverage] = []
    for name in sorted(types) if types else sorted(specs):
        spec = specs.get(name)
        if spec is None:
            raise MlpsError(f"unknown resource type {name!r} for {transport.provider}")
        where, unavailable = transport.plan(spec)
        tasks += [Task(transport, spec, p) for p in where]
        coverage += unavailable
    return tasks, coverage


@dataclass
class Collected:
    resources: list[Resource]
    coverage: list[Coverage]  # planned NOT_AVAILABLE records and one record per task, by (type, region)
    tasks: list[Task[Any]]  # for what the cloud's inventory says beside resources (the sweep's method)


def collect(
    transport: Transport,
    specs: Mapping[str, TypeSpec],
    *,
    types: Iterable[str] | None = None,
    workers: int = 8,
    progress: Any = None,
) -> Collected:
    """Plan, let the transport prepare, then run the three phases on one bounded pool."""
    tasks, planned = plan(transport, specs, types)
    transport.prepare(tasks)
    resources, ran = run(
        tasks,
        account="",
        list_items=list_items,
        has_item_work=has_item_work,
        item_work=item_work,
        build=build,
        failure=failure,
        workers=workers,
        progress=progress,
        name=f"mlps-{transport.provider}",
    )
    return Collected(resources, sorted(planned + ran, key=lambda c: (c.type, c.region)), tasks)


def tags_of(data: Mapping[str, Any]) -> dict[str, str]:
    """Tags in the shapes the three clouds use: [{Key, Value}], {Tag: [{TagKey, TagValue}]}, or a map."""
    tags = data.get("Tags") or data.get("TagList") or data.get("tags")
    if isinstance(tags, dict) and isinstance(tags.get("Tag"), list):
        tags = tags["Tag"]
    if isinstance(tags, list):
        out = {}
        for t in tags:
            if isinstance(t, dict):
                k = t.get("Key", t.get("TagKey"))
                if k is not None:
                    out[str(k)] = str(t.get("Value", t.get("TagValue")))
        return out
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {}


def not_available(account: str, rtype: str, regions: Iterable[str], reason: str) -> list[Coverage]:
    return [Coverage(account, r, rtype, CoverageStatus.NOT_AVAILABLE, reason) for r in regions]

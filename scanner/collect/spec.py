"""The ``collect:`` block of every resource type, loaded once per cloud: schema-checked, rules applied, hooks resolved.

``docs/collect-spec.md`` documents every field. The clouds keep their own words for *the call* (AWS
``service``/``operation``, Alibaba ``product``/``version``/``action``, Azure ``api``/``path``), because those are the
words of their API references; everything else a type says (id, name, items, single, absent, details, keep_if, the
hooks, ...) means the same on every cloud and is read here, once. A call is an :class:`Op`: its name plus the
cloud's own options, which only that cloud's transport interprets.

A spec that cannot be collected faithfully never loads: the JSON Schema (``resources.schema.json``, one ``$defs``
entry per cloud) refuses unknown keys and values such as a misspelt paging style, and :func:`check_type` the
combinations a schema cannot express. Every error is one line naming the file, the type and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import MlpsError
from scanner.load import load_validated

Hook = Callable[..., Any]

# keys of a collect block that mean the same on every cloud; the rest (bar the dialect's own) are the call's options
SPINE_KEYS = frozenset(
    {"id", "name", "items", "params", "single", "absent", "absent_data", "add", "keep_if", "owner", "details"}
    | {"joins", "collector", "item_enrich", "finalize", "redact", "fields"}
)
DETAIL_KEYS = frozenset({"params", "result", "as", "absent", "items"})
HOOK_KEYS = ("collector", "item_enrich", "finalize")
# the id of a single record (one per region or per account) is the region or account it describes
SINGLE_IDS = {"regional": "{region}", "global": "{account}", "account": "{account}"}


class SpecError(MlpsError):
    """A resources.yaml that cannot be collected from faithfully; raised when the specs load."""


@dataclass(frozen=True)
class Op:
    """One API operation: its ``name`` (AWS operation, Alibaba action, ARM path; "" for a type whose collector
    lists it) and the cloud's own ``opts`` (service, region; product, version, paging; api, parent)."""

    name: str
    opts: Mapping[str, Any] = field(default_factory=dict)

    def key(self) -> tuple[str, str]:
        return self.name, repr(sorted(self.opts.items()))


@dataclass(frozen=True)
class Detail:
    """A per-item call: ``params`` are JMESPath on the item; the answer (``result`` of it, or with ``items`` every
    page's items) is stored under ``as_`` ("@" merges a dict into the item)."""

    op: Op
    as_: str
    params: Mapping[str, str] = field(default_factory=dict)
    result: str = "@"
    items: str | None = None
    absent: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class Join:
    """One listing per task whose records are attached to each item whose ``on`` field equals their ``key``."""

    op: Op
    items: str
    key: str
    on: str
    as_: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TypeSpec:
    """Everything the spine needs to collect one resource type (see docs/collect-spec.md)."""

    type: str
    provider: str
    scope: str  # regional | global | account
    op: Op  # the list (or single-record) call; its name is "" when a collector lists the type
    id: str
    name: str | None = None
    items: str = "@"
    params: Mapping[str, Any] = field(default_factory=dict)
    single: bool = False
    absent: tuple[str | int, ...] = ()
    absent_data: Mapping[str, Any] | None = None
    add: Mapping[str, Any] = field(default_factory=dict)
    keep_if: str | None = None
    owner: str | None = None  # field naming the owning account: items another account owns are never collected
    details: tuple[Detail, ...] = ()
    joins: tuple[Join, ...] = ()
    collector: Hook | None = None  # replaces listing: hook(task) -> [(item, region or None)]
    item_enrich: Hook | None = None  # extra per-item work on the pool: hook(task, item)
    finalize: Hook | None = None  # after every item is in: hook(task, items)
    calls: tuple[Op, ...] = ()  # every operation the type may call (list, details, joins, declared): its permissions
    defaults: Mapping[str, Any] = field(default_factory=dict)  # options every other call of the type inherits
    redact_paths: tuple[str, ...] = ()
    sweep: bool = False  # the whole-account listing (``sweep:`` in resources.yaml)
    # what a hook puts on the data beyond the listed shapes: target path -> {from: "service:Operation", path} or
    # {computed: reason}; the AWS contract tests check each against botocore's models
    fields: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)  # the cloud's own keys (Azure arm_type and join)


@dataclass(frozen=True)
class Dialect:
    """How one cloud writes its collect blocks, and the hooks they may name.

    ``op_key`` names the call (operation | action | path); ``namespace`` the options a detail, join, declared
    operation or hook call takes from the type's own call unless it names them (AWS service; Alibaba product and
    version); ``also_key`` the list of further operations a hook calls, as ``namespace:Name`` (operations | actions);
    ``extras`` the collect keys kept for the cloud's own code. ``is_read`` refuses, at load time, any spec that would
    call something other than a read.
    """

    provider: str
    op_key: str
    is_read: Callable[[Op], bool]
    hooks: Mapping[str, Hook]
    namespace: tuple[str, ...] = ()
    also_key: str | None = None
    extras: tuple[str, ...] = ()


def check_type(t: Mapping[str, Any], c: Mapping[str, Any], where: str) -> None:
    """Load-time rules a schema cannot say: every type names its id; a single record's id is its region or account;
    ``add`` never outlives an "absent" answer; ``keep_if`` is for lists; a declared field says where it comes from."""
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
    if c.get("single") and c.get("keep_if"):
        raise SpecError(f"{where}: keep_if filters listed items; a single record is always kept")
    for target, raw in (c.get("fields") or {}).items():
        ok = isinstance(raw, dict) and (
            (isinstance(raw.get("from"), str) and ":" in raw["from"]) or str(raw.get("computed") or "").strip()
        )
        if not ok:
            raise SpecError(f"{where}: fields.{target} needs from: 'service:Operation' (and path) or computed: reason")


def load_specs(root: Path, dialect: Dialect) -> dict[str, TypeSpec]:
    """Every type under ``root/<service>/resources.yaml`` that has a collect block, validated and resolved."""
    out: dict[str, TypeSpec] = {}
    for path in sorted(root.glob("*/resources.yaml")):
        for t in load_validated(path, "resources")["types"]:
            c = t.get("collect")
            if not c:
                continue
            where = f"{path}: {t['type']}"
            if not str(t["type"]).startswith(f"{dialect.provider}."):
                raise SpecError(f"{where}: a type under providers/{dialect.provider} starts with {dialect.provider}.")
            out[t["type"]] = parse_type(t, c, dialect, where)
    return out


def parse_type(t: Mapping[str, Any], c: Mapping[str, Any], dialect: Dialect, where: str) -> TypeSpec:
    """One type's spec from its resources.yaml entry ``t`` and collect block ``c``."""
    check_type(t, c, where)
    own = SPINE_KEYS | {dialect.op_key, *dialect.extras} | ({dialect.also_key} if dialect.also_key else set())
    op = Op(str(c.get(dialect.op_key) or ""), {k: v for k, v in c.items() if k not in own})
    defaults = {k: op.opts[k] for k in dialect.namespace if k in op.opts}
    details = tuple(_detail(d, dialect, defaults) for d in c.get("details") or ())
    joins = tuple(
        Join(
            op=Op(j[dialect.op_key], defaults),
            items=j["items"],
            key=j["key"],
            on=j["item_key"],
            as_=j["as"],
            params=dict(j.get("params") or {}),
        )
        for j in c.get("joins") or ()
    )
    declared = [_declared(s, dialect, defaults) for s in (c.get(dialect.also_key) or () if dialect.also_key else ())]
    calls: dict[tuple[str, str], Op] = {}
    for call in [op, *(d.op for d in details), *(j.op for j in joins), *declared]:
        if call.name:
            calls.setdefault(call.key(), call)
    for call in calls.values():
        if not dialect.is_read(call):
            raise SpecError(f"{where}: {call.name} is not a read operation, and the scanner only reads")
    hooks = {k: _hook(c, k, dialect, where) for k in HOOK_KEYS}
    return TypeSpec(
        type=t["type"],
        provider=dialect.provider,
        scope=t.get("scope", "regional"),
        op=op,
        id=c["id"],
        name=c.get("name"),
        items=c.get("items", "@"),
        params=dict(c.get("params") or {}),
        single=bool(c.get("single")),
        absent=tuple(c.get("absent") or ()),
        absent_data=c.get("absent_data"),
        add=dict(c.get("add") or {}),
        keep_if=c.get("keep_if"),
        owner=c.get("owner"),
        details=details,
        joins=joins,
        collector=hooks["collector"],
        item_enrich=hooks["item_enrich"],
        finalize=hooks["finalize"],
        calls=tuple(sorted(calls.values(), key=Op.key)),
        defaults=defaults,
        redact_paths=tuple(c.get("redact") or ()),
        sweep=bool(t.get("sweep")),
        fields=dict(c.get("fields") or {}),
        extra={
            **{k: v for k, v in t.items() if k in dialect.extras},
            **{k: c[k] for k in dialect.extras if k in c},
        },
    )


def _detail(d: Mapping[str, Any], dialect: Dialect, defaults: Mapping[str, Any]) -> Detail:
    opts = {**defaults, **{k: v for k, v in d.items() if k not in DETAIL_KEYS and k != dialect.op_key}}
    return Detail(
        op=Op(d[dialect.op_key], opts),
        as_=d["as"],
        params=dict(d.get("params") or {}),
        result=d.get("result", "@"),
        items=d.get("items"),
        absent=tuple(d.get("absent") or ()),
    )


def _declared(ref: str, dialect: Dialect, defaults: Mapping[str, Any]) -> Op:
    """A further operation a hook calls, written ``namespace:Name`` (``config:DescribeConfigurationRecorderStatus``):
    it shares the type's other options when it is in the type's own namespace."""
    ns, _, name = ref.partition(":")
    if not dialect.namespace:
        return Op(ref)
    key = dialect.namespace[0]
    return Op(name, dict(defaults) if defaults.get(key) == ns else {key: ns})


def _hook(c: Mapping[str, Any], key: str, dialect: Dialect, where: str) -> Hook | None:
    name = c.get(key)
    if name is None:
        return None
    hook = dialect.hooks.get(name)
    if hook is None:
        known = ", ".join(sorted(dialect.hooks)) or "none"
        raise SpecError(f"{where}: collect.{key}: unknown hook {name!r} (the {dialect.provider} hooks are: {known})")
    return hook

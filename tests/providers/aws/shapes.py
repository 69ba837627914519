"""A type-level JMESPath interpreter over botocore's output shapes, for the AWS contract test.

``document(spec)`` builds the shape of one resource document exactly the way ``providers/aws/collect.py``
builds its data: the list operation's output shape narrowed by the ``items`` expression, each detail's
``result`` placed at ``as`` (or merged), each join, ``add`` and ``absent_data``, and what a collector
declares under ``fields:`` (taken from another operation's output shape, or marked computed with a reason).
``reads(expr, node)`` then walks a check's JMESPath AST over that shape and reports every field it reads
that the shape does not have. Nothing here calls AWS; botocore's models are the only source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import botocore.session
import jmespath.parser
from botocore.model import ListShape, MapShape, Shape, StructureShape


class Node:
    where: str = "?"


@dataclass
class Any_(Node):
    """Content the models do not describe (a JSON policy document, a function's result): anything goes."""

    where: str = "any"


@dataclass
class Empty(Node):
    """The member of a literal empty list: contributes nothing to a union."""

    where: str = "[]"


@dataclass
class Scalar(Node):
    kind: str = "scalar"
    where: str = "?"
    enum: tuple[str, ...] = ()


@dataclass
class Lst(Node):
    member: Node
    where: str = "?"


@dataclass
class Map(Node):
    value: Node
    keys: tuple[str, ...] = ()  # the key shape's enum, when the model has one
    where: str = "?"


@dataclass
class Obj(Node):
    """A structure: botocore members (lazily) plus fields the adapter puts on it."""

    shape: StructureShape | None = None
    extra: dict[str, Node] = field(default_factory=dict)
    where: str = "?"

    def members(self) -> dict[str, Node]:
        out: dict[str, Node] = {}
        if self.shape is not None:
            for name, sh in self.shape.members.items():
                out[name] = from_shape(sh, f"{self.where}.{name}")
        out.update(self.extra)
        return out

    def get(self, name: str) -> Node | None:
        if name in self.extra:
            return self.extra[name]
        if self.shape is not None and name in self.shape.members:
            return from_shape(self.shape.members[name], f"{self.where}.{name}")
        return None

    def with_(self, **extra: Node) -> Obj:
        return Obj(self.shape, {**self.extra, **extra}, self.where)


@dataclass
class Union(Node):
    alts: list[Node] = field(default_factory=list)
    where: str = "?"


def from_shape(sh: Shape, where: str) -> Node:
    if sh.name == "policyDocumentType":  # botocore's json_decode_policies handler hands IAM documents over decoded
        return Any_(where)
    if isinstance(sh, StructureShape):
        return Obj(sh, {}, where)
    if isinstance(sh, ListShape):
        return Lst(from_shape(sh.member, f"{where}[]"), where)
    if isinstance(sh, MapShape):
        return Map(from_shape(sh.value, f"{where}.*"), tuple(sh.key.enum or ()), where)
    return Scalar(sh.type_name, where, tuple(getattr(sh, "enum", None) or ()))


@cache
def _models() -> botocore.session.Session:
    return botocore.session.get_session()


def output(service: str, operation: str) -> Node:
    """The output shape of one operation, as the adapter sees it (ResponseMetadata dropped)."""
    model = _models().get_service_model(service).operation_model(operation)
    return Obj(model.output_shape, {}, f"{service}:{operation}")


def union(nodes: list[Node], where: str = "?") -> Node:
    alts: list[Node] = []
    for n in nodes:
        alts.extend(n.alts if isinstance(n, Union) else [n])
    real = [a for a in alts if not isinstance(a, Empty)]
    if not real:
        return Empty()
    if any(isinstance(a, Any_) for a in real):
        return Any_()
    if len(real) == 1:
        return real[0]
    if all(isinstance(a, Lst) for a in real):
        return Lst(union([a.member for a in real]), real[0].where)
    if all(isinstance(a, Scalar) for a in real):
        return real[0]
    return Union(real, where)


def from_value(v: Any, where: str = "literal") -> Node:
    if isinstance(v, dict):
        return Obj(None, {k: from_value(x, f"{where}.{k}") for k, x in v.items()}, where)
    if isinstance(v, list):
        return Lst(union([from_value(x, where) for x in v]) if v else Empty(), where)
    return Scalar(type(v).__name__, where)


class Reader:
    """Walks one AST over a node; ``problems`` collects every read the shape cannot answer."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, msg: str) -> Node:
        self.problems.append(msg)
        return Any_()

    def field(self, n: Node, name: str) -> Node:
        if isinstance(n, (Any_, Empty)):
            return n
        if isinstance(n, Obj):
            got = n.get(name)
            return got if got is not None else self.fail(f"{n.where} has no field {name!r}")
        if isinstance(n, Map):
            if n.keys and name not in n.keys:
                return self.fail(f"{n.where} has no key {name!r} (keys: {', '.join(n.keys)})")
            return n.value
        if isinstance(n, Union):
            return self._any_alt(n, lambda a: self.field(a, name), f"no alternative of {n.where} has field {name!r}")
        kind = "a list" if isinstance(n, Lst) else f"a {getattr(n, 'kind', 'scalar')}"
        return self.fail(f"field {name!r} read on {kind} at {n.where}")

    def _any_alt(self, n: Union, fn: Any, msg: str) -> Node:
        """A read on ``a || b`` is fine when any alternative answers it."""
        got, saved = [], self.problems
        for a in n.alts:
            self.problems = []
            r = fn(a)
            if not self.problems:
                got.append(r)
        self.problems = saved
        return union(got) if got else self.fail(msg)

    def list_member(self, n: Node, what: str) -> Node:
        if isinstance(n, Lst):
            return n.member
        if isinstance(n, (Any_, Empty)):
            return n
        if isinstance(n, Union):
            return self._any_alt(n, lambda a: self.list_member(a, what), f"{what} over a non-list at {n.where}")
        return self.fail(f"{what} over a non-list at {n.where}")

    def ev(self, ast: dict[str, Any], n: Node) -> Node:
        t, ch = ast["type"], ast.get("children", [])
        if t == "field":
            if ast["value"] == "null":  # the checks' idiom: a bare null is a field no document has, so null
                return Scalar("null", n.where)
            return self.field(n, ast["value"])
        if t in ("subexpression", "pipe"):  # jmespath 1.1 flattens a.b.c into one node with three children
            for child in ch:
                n = self.ev(child, n)
            return n
        if t in ("identity", "current"):
            return n
        if t == "literal":
            return from_value(ast["value"])
        if t == "index":
            return self.list_member(n, "index")
        if t == "slice":
            return n
        if t == "index_expression":
            left = self.ev(ch[0], n)
            return self.ev(ch[1], left) if ch[1]["type"] != "slice" else left
        if t == "flatten":
            inner = self.list_member(self.ev(ch[0], n), "flatten")
            return Lst(inner.member if isinstance(inner, Lst) else inner, getattr(inner, "where", "?"))
        if t == "projection":
            left = self.ev(ch[0], n)
            member = self.list_member(left, "projection")
            return Lst(self.ev(ch[1], member), member.where)
        if t == "value_projection":
            left = self.ev(ch[0], n)
            if isinstance(left, Obj):
                member = union(list(left.members().values()))
            elif isinstance(left, Map):
                member = left.value
            else:
                member = left if isinstance(left, (Any_, Empty)) else self.fail(f"'*' over {left.where}")
            return Lst(self.ev(ch[1], member), member.where)
        if t == "filter_projection":
            left = self.ev(ch[0], n)
            member = self.list_member(left, "filter")
            self.ev(ch[2], member)
            return Lst(self.ev(ch[1], member), member.where)
        if t == "multi_select_dict":
            return Obj(None, {kv["value"]: self.ev(kv["children"][0], n) for kv in ch}, n.where)
        if t == "multi_select_list":
            return Lst(union([self.ev(c, n) for c in ch]), n.where)
        if t == "or_expression":
            return union([self.ev(ch[0], n), self.ev(ch[1], n)], n.where)
        if t == "and_expression":
            self.ev(ch[0], n)
            return self.ev(ch[1], n)
        if t in ("not_expression", "comparator"):
            for c in ch:
                self.ev(c, n)
            return Scalar("boolean", n.where)
        if t == "function_expression":
            return self.function(ast["value"], ch, n)
        if t == "expref":
            return Any_()
        return self.fail(f"unsupported JMESPath node {t}")

    def function(self, name: str, args: list[dict[str, Any]], n: Node) -> Node:
        if name in ("sort_by", "max_by", "min_by", "map"):
            lst_ast, ref = (args[1], args[0]) if name == "map" else (args[0], args[1])
            lst = self.ev(lst_ast, n)
            member = self.list_member(lst, name)
            got = self.ev(ref["children"][0], member)
            return {"map": Lst(got, member.where), "sort_by": lst}.get(name, member)
        vals = [self.ev(a, n) for a in args]
        if name == "as_list" or name == "to_array":
            v = vals[0]
            return v if isinstance(v, (Lst, Any_)) else Lst(v, v.where)
        if name == "json_parse" or name == "merge":
            return Any_()
        if name in ("values",):
            v = vals[0]
            if isinstance(v, Obj):
                return Lst(union(list(v.members().values())), v.where)
            return Lst(v.value, v.where) if isinstance(v, Map) else Any_()
        if name == "not_null":
            return union(vals)
        if name in ("sort", "reverse"):
            return vals[0]
        if name in ("max", "min"):
            return self.list_member(vals[0], name)
        return Scalar("function", n.where)


def parse(expr: str) -> dict[str, Any]:
    return jmespath.parser.Parser().parse(expr).parsed


def reads(expr: str, node: Node) -> list[str]:
    r = Reader()
    r.ev(parse(expr), node)
    return r.problems


def search(expr: str, node: Node) -> tuple[Node, list[str]]:
    r = Reader()
    got = r.ev(parse(expr), node)
    return got, r.problems


# ---- the resource document of one type, built the way the collection spine (scanner.collect) builds data


def _item_of(listing: Node) -> Node:
    """A listed item: lists of strings become {"Name": s}, other scalars {"Value": v} (spine.list_items)."""
    member = listing.member if isinstance(listing, Lst) else listing
    if isinstance(member, Scalar):
        return Obj(None, {"Name": member}, member.where)
    return member


def _as_obj(n: Node) -> Obj:
    if isinstance(n, Obj):
        return n
    if isinstance(n, Map):  # GetAccountSummary's SummaryMap: the data is the map itself
        return Obj(None, {k: n.value for k in n.keys}, n.where)
    return Obj(None, {"Value": n}, n.where)


def _source(raw: Any, service: str, where: str) -> tuple[Node, list[str]]:
    """A declared field: {from: "service:Operation", path: JMESPath} | {computed: reason, type: scalar|list|json}."""
    if "computed" in raw:  # type: scalar (default), list (of scalars) or json (a document the models do not describe)
        kind = raw.get("type", "scalar")
        node = {"scalar": Scalar("computed", where), "list": Lst(Scalar("computed", where), where), "json": Any_(where)}
        if not str(raw["computed"]).strip() or kind not in node:
            return Any_(), [f"{where}: a computed field needs a reason and a type of scalar, list or json"]
        return node[kind], []
    svc, _, op = str(raw["from"]).partition(":")
    got, problems = search(raw.get("path", "@"), output(svc or service, op))
    return got, [f"{where}: {p}" for p in problems]


def _put(node: Node, path: list[str], value: Node, merge: bool) -> Node:
    """Place ``value`` at ``path`` ("A[]", "B") inside ``node``, returning the new node."""
    if not path:
        if merge:
            return _as_obj(node).with_(**_as_obj(value).members())
        return value
    head, rest = path[0], path[1:]
    many = head.endswith("[]")
    key = head[:-2] if many else head
    obj = _as_obj(node)
    cur = obj.get(key)
    if many:
        member = cur.member if isinstance(cur, Lst) else Obj(None, {}, f"{obj.where}.{key}[]")
        return obj.with_(**{key: Lst(_put(member, rest, value, merge), f"{obj.where}.{key}")})
    if not rest and not merge:
        return obj.with_(**{key: value})
    return obj.with_(**{key: _put(cur if cur is not None else Obj(None, {}, f"{obj.where}.{key}"), rest, value, merge)})


def document(spec: Any, fields: dict[str, Any]) -> tuple[Node, list[str]]:
    """(shape of the type's resource data, problems in the type's own declarations)."""
    problems: list[str] = []
    doc: Node = Obj(None, {}, spec.type)
    service = spec.op.opts["service"]
    if spec.op.name and not spec.collector:
        got, p = search(spec.items, output(service, spec.op.name))
        problems += [f"{spec.type} items: {x}" for x in p]
        doc = _as_obj(got if spec.single else _item_of(got))
        for d in spec.details:
            got, p = search(d.items or d.result, output(d.op.opts["service"], d.op.name))
            problems += [f"{spec.type} detail {d.op.name}: {x}" for x in p]
            if d.items is not None and not isinstance(got, Lst):
                got = Lst(got, got.where)
            doc = _put(doc, [] if d.as_ == "@" else [d.as_], got, d.as_ == "@")
        for j in spec.joins:
            got, p = search(j.items, output(j.op.opts["service"], j.op.name))
            problems += [f"{spec.type} join {j.op.name}: {x}" for x in p]
            doc = _put(doc, [j.as_], got if isinstance(got, Lst) else Lst(got, got.where), False)
    for key, value in {**(spec.absent_data or {}), **spec.add}.items():
        doc = _put(doc, [key], from_value(value, f"{spec.type}.{key}"), False)
    for target, raw in fields.items():  # "@..." merges a record's members into the item; "A[].b" puts b on each A
        got, p = _source(raw, service, f"{spec.type} fields.{target}")
        problems += p
        merge = target.startswith("@")
        if merge and isinstance(got, Lst):
            got = got.member
        doc = _put(doc, [] if merge else target.split("."), got, merge)
    return doc, problems


def envelope(data: Node) -> Node:
    """The document of a ``target: resource`` check (scanner.model.Resource.envelope)."""
    s = Scalar("string", "resource")
    return Obj(
        None,
        {k: s for k in ("provider", "account", "region", "type", "id", "name")}
        | {"tags": Map(s, (), "tags"), "data": data},
        "resource",
    )


def conforms(value: Any, node: Node, where: str = "data") -> list[str]:
    """Every key of a collected value that the shape does not have (the runtime half of the contract)."""
    if isinstance(node, (Any_, Empty)) or value is None:
        return []
    if isinstance(node, Union):
        for a in node.alts:
            if not conforms(value, a, where):
                return []
        return [f"{where}: matches no alternative"]
    if isinstance(value, dict):
        if isinstance(node, Map):
            return [p for k, v in value.items() for p in conforms(v, node.value, f"{where}.{k}")]
        if not isinstance(node, Obj):
            return [f"{where}: an object where the shape has {type(node).__name__}"]
        out = []
        for k, v in value.items():
            sub = node.get(k)
            out += (
                [f"{where}.{k}: not in the shape ({node.where})"] if sub is None else conforms(v, sub, f"{where}.{k}")
            )
        return out
    if isinstance(value, list):
        if not isinstance(node, Lst):
            return [f"{where}: a list where the shape has {type(node).__name__}"]
        return [p for i, v in enumerate(value) for p in conforms(v, node.member, f"{where}[{i}]")]
    return []

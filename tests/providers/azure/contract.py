"""The Azure contract: what the fake ARM sends, and what the checks read, against the azure-mgmt-* models.

``MODELS`` names, for every path the path table (``providers/azure/*/resources.yaml``) can GET, the SDK model
of its response at the pinned api-version (``providers/azure/api-versions.yaml``). The models are the msrest
``Model`` classes every azure-mgmt-* package ships: ``_attribute_map`` gives each attribute's wire key (dotted
keys are flattened ``properties.*`` members; ``\\.`` is a literal dot, as in ``odata.type``) and its type,
``_subtype_map`` the polymorphic subclasses by discriminator value.

``validate(body, model)`` walks a JSON body over a model: a key the model lacks, an object where the model has a
scalar (wrong nesting) and a value of the wrong JSON type are problems. A model with ``additional_properties``
accepts any other key; such keys are returned apart (``loose``) so a test can keep them in view.

``document(spec)`` is the type-level shape of one collected resource (item model, details at ``as``, joins), in
the node classes of the AWS contract's JMESPath interpreter (``tests/providers/aws/shapes.py``), so that every
field a check reads can be looked up in it.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from providers.azure.collect import TypeSpec, api_versions, load_specs
from tests.providers.aws import shapes


@dataclass(frozen=True)
class M:
    """One response model: module, class, the api-version its operation uses in that package, and why it
    stands in for the pinned version when the two differ (no published SDK carries the pinned version)."""

    module: str
    name: str
    version: str
    proxy: str = ""

    def cls(self) -> type:
        return getattr(importlib.import_module(self.module), self.name)


RES = "azure.mgmt.resource.resources.v2021_04_01.models"
NET = "azure.mgmt.network.models"  # azure-mgmt-network 25.3.0: api-version 2023-09-01 only
SQL = "azure.mgmt.sql.models"  # azure-mgmt-sql 4.0.0b3: one api-version per operation group
SQL_PROXY = (
    "no azure-mgmt-sql release carries 2021-11-01 (GA); 4.0.0b3's operation groups are 2020-11-01-preview to "
    "2021-11-01-preview, the nearest below"
)
PG_PROXY = (
    "the azure-mgmt-rdbms that has PostgreSQL flexible 2022-12-01 (10.2.0b6+) has MySQL flexible only at "
    "2021-12-01-preview, and one environment holds one azure-mgmt-rdbms: 10.1.0 (MySQL 2021-05-01 exact, "
    "PostgreSQL 2021-06-01) is used"
)
MYSQL = "azure.mgmt.rdbms.mysql_flexibleservers.models"
PG = "azure.mgmt.rdbms.postgresql_flexibleservers.models"

# type -> model of its own collection's list response; parents; details by ``as``
LISTS: dict[str, M] = {
    "azure.authorization.role-assignment": M(
        "azure.mgmt.authorization.v2022_04_01.models", "RoleAssignmentListResult", "2022-04-01"
    ),
    "azure.authorization.role-definition": M(
        "azure.mgmt.authorization.v2022_04_01.models", "RoleDefinitionListResult", "2022-04-01"
    ),
    "azure.compute.virtual-machine": M(
        "azure.mgmt.compute.v2023_03_01.models", "VirtualMachineListResult", "2023-03-01"
    ),
    "azure.compute.disk": M("azure.mgmt.compute.v2023_04_02.models", "DiskList", "2023-04-02"),
    "azure.keyvault.vault": M("azure.mgmt.keyvault.v2022_07_01.models", "VaultListResult", "2022-07-01"),
    "azure.monitor.diagnostic-setting": M(
        "azure.mgmt.monitor.v2021_05_01_preview.models",
        "SubscriptionDiagnosticSettingsResourceCollection",
        "2021-05-01-preview",
    ),
    "azure.monitor.log-analytics-workspace": M("azure.mgmt.loganalytics.models", "WorkspaceListResult", "2022-10-01"),
    "azure.monitor.activity-log-alert": M("azure.mgmt.monitor.v2020_10_01.models", "AlertRuleList", "2020-10-01"),
    "azure.monitor.metric-alert": M(
        "azure.mgmt.monitor.v2018_03_01.models", "MetricAlertResourceCollection", "2018-03-01"
    ),
    "azure.network.network-security-group": M(NET, "NetworkSecurityGroupListResult", "2023-09-01"),
    "azure.network.flow-log": M(NET, "FlowLogListResult", "2023-09-01"),
    "azure.network.application-gateway": M(NET, "ApplicationGatewayListResult", "2023-09-01"),
    "azure.network.public-ip": M(NET, "PublicIPAddressListResult", "2023-09-01"),
    "azure.rdbms.mysql-flexible-server": M(MYSQL, "ServerListResult", "2021-05-01"),
    "azure.rdbms.postgresql-flexible-server": M(PG, "ServerListResult", "2021-06-01", PG_PROXY),
    "azure.resources.resource-group": M(RES, "ResourceGroupListResult", "2021-04-01"),
    "azure.resources.resource": M(RES, "ResourceListResult", "2021-04-01"),
    "azure.security.pricing": M("azure.mgmt.security.v2018_06_01.models", "PricingList", "2018-06-01"),
    "azure.security.assessment": M("azure.mgmt.security.v2020_01_01.models", "SecurityAssessmentList", "2020-01-01"),
    "azure.sql.server": M(SQL, "ServerListResult", "2021-02-01-preview", SQL_PROXY),
    "azure.sql.database": M(SQL, "DatabaseListResult", "2021-05-01-preview", SQL_PROXY),
    "azure.storage.account": M("azure.mgmt.storage.v2023_01_01.models", "StorageAccountListResult", "2023-01-01"),
}
PARENTS: dict[str, M] = {
    "azure.network.flow-log": M(NET, "NetworkWatcherListResult", "2023-09-01"),
    "azure.sql.database": LISTS["azure.sql.server"],
}
DETAILS: dict[tuple[str, str], M] = {
    ("azure.storage.account", "blobService"): M(
        "azure.mgmt.storage.v2023_01_01.models", "BlobServiceProperties", "2023-01-01"
    ),
    ("azure.sql.server", "auditing"): M(SQL, "ServerBlobAuditingPolicy", "2021-11-01-preview", SQL_PROXY),
    ("azure.sql.server", "firewallRules"): M(SQL, "FirewallRuleListResult", "2020-11-01-preview", SQL_PROXY),
    ("azure.sql.server", "administrators"): M(SQL, "AdministratorListResult", "2020-11-01-preview", SQL_PROXY),
    ("azure.sql.database", "transparentDataEncryption"): M(
        SQL, "LogicalDatabaseTransparentDataEncryption", "2021-02-01-preview", SQL_PROXY
    ),
    ("azure.rdbms.mysql-flexible-server", "requireSecureTransport"): M(MYSQL, "Configuration", "2021-05-01"),
    ("azure.rdbms.postgresql-flexible-server", "requireSecureTransport"): M(
        PG, "Configuration", "2021-06-01", PG_PROXY
    ),
}
SUBSCRIPTIONS = M("azure.mgmt.resource.subscriptions.v2022_12_01.models", "SubscriptionListResult", "2022-12-01")
GRAPH = M("azure.mgmt.resourcegraph.models", "QueryResponse", "2021-03-01")
# the ARM error envelope {error: {code, message, details}}
ERROR = M("azure.mgmt.resourcegraph.models", "ErrorResponse", "2021-03-01")

# ---- the model tree


@cache
def _models_of(cls: type) -> Any:
    """The models package a class belongs to (to resolve type names in its attribute map)."""
    return importlib.import_module(cls.__module__.rsplit(".", 1)[0])


def _resolve(cls: type, name: str) -> type | None:
    got = getattr(_models_of(cls), name, None)
    return got if isinstance(got, type) else None


def _split(key: str) -> list[str]:
    return [p.replace("\\.", ".") for p in re.split(r"(?<!\\)\.", key)]


@cache
def tree(cls: type) -> tuple[dict[str, Any], bool]:
    """(wire key -> type string or nested dict, accepts additional properties) of one model class."""
    out: dict[str, Any] = {}
    loose = False
    for attr, info in cls._attribute_map.items():
        if attr == "additional_properties" or info["key"] == "":
            loose = True
            continue
        parts = _split(info["key"])
        node = out
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):  # a flattened key under a scalar: keep the scalar's type
                break
        else:
            node[parts[-1]] = info["type"]
    return out, loose


def concrete(cls: type, value: Any) -> type:
    """The subclass a polymorphic model's discriminator value names (the class itself otherwise)."""
    sub = getattr(cls, "_subtype_map", None) or {}
    for attr, by_value in sub.items():
        key = _split(cls._attribute_map[attr]["key"])
        v: Any = value
        for k in key:
            v = v.get(k) if isinstance(v, dict) else None
        if isinstance(v, str) and v in by_value:
            got = _resolve(cls, by_value[v])
            if got is not None:
                return concrete(got, value) if got is not cls else got
    return cls


_SCALARS = {
    "str": (str,),
    "int": (int,),
    "long": (int,),
    "float": (int, float),
    "bool": (bool,),
    "iso-8601": (str,),
    "rfc-1123": (str,),
    "date": (str,),
    "time": (str,),
    "duration": (str,),
    "base64": (str,),
    "bytearray": (str,),
    "decimal": (int, float, str),
    "unix-time": (int,),
}


class Validator:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.loose: list[str] = []

    def value(self, v: Any, typ: str, owner: type, where: str) -> None:
        if v is None or typ == "object":
            return
        if typ.startswith("[") and typ.endswith("]"):
            if not isinstance(v, list):
                self.problems.append(f"{where}: a {type(v).__name__} where the model has a list ({typ})")
                return
            for n, x in enumerate(v):
                self.value(x, typ[1:-1], owner, f"{where}[{n}]")
            return
        if typ.startswith("{") and typ.endswith("}"):
            if not isinstance(v, dict):
                self.problems.append(f"{where}: a {type(v).__name__} where the model has a map ({typ})")
                return
            for k, x in v.items():
                self.value(x, typ[1:-1], owner, f"{where}.{k}")
            return
        if typ in _SCALARS:
            ok = isinstance(v, _SCALARS[typ]) and not (isinstance(v, bool) and typ != "bool")
            if not ok:
                self.problems.append(f"{where}: {v!r} ({type(v).__name__}) where the model has {typ}")
            return
        cls = _resolve(owner, typ)
        if cls is None:  # an enum type name (msrest types some enums by name): its values are strings
            if not isinstance(v, str):
                self.problems.append(f"{where}: {v!r} where the model has {typ} (a string)")
            return
        self.model(v, cls, where)

    def model(self, v: Any, cls: type, where: str) -> None:
        if v is None:
            return
        if not isinstance(v, dict):
            self.problems.append(f"{where}: a {type(v).__name__} where the model has the object {cls.__name__}")
            return
        cls = concrete(cls, v)
        shape, loose = tree(cls)
        self._walk(v, shape, loose, cls, where)

    def _walk(self, v: dict[str, Any], shape: dict[str, Any], loose: bool, cls: type, where: str) -> None:
        for k, x in v.items():
            at = f"{where}.{k}"
            sub = shape.get(k)
            if sub is None:
                if loose:
                    self.loose.append(f"{at} ({cls.__name__} additional_properties)")
                else:
                    self.problems.append(f"{at}: {cls.__name__} has no key {k!r}")
            elif isinstance(sub, dict):
                if x is None:
                    continue
                if not isinstance(x, dict):
                    self.problems.append(f"{at}: a {type(x).__name__} where {cls.__name__} has an object")
                    continue
                self._walk(x, sub, False, cls, at)
            else:
                self.value(x, sub, cls, at)


def validate(body: Any, model: M | type, where: str = "body") -> tuple[list[str], list[str]]:
    """(problems, keys accepted only through additional_properties) of one JSON body against one model."""
    cls = model.cls() if isinstance(model, M) else model
    v = Validator()
    v.model(body, cls, where)
    return v.problems, v.loose


def item_model(listing: M) -> type:
    """The item class of a list response model (its ``value`` is ``[Item]``)."""
    cls = listing.cls()
    typ = cls._attribute_map["value"]["type"]
    got = _resolve(cls, typ.strip("[]"))
    assert got is not None, (listing, typ)
    return got


def pinned(spec: TypeSpec, role: str) -> str:
    """The pinned api-version of one path of a type: its own list and parent (``spec.op.opts["api"]``) or a detail."""
    if role in ("list", "parent"):
        return api_versions()[spec.op.opts["api"]]
    (d,) = [d for d in spec.details if d.as_ == role]
    return api_versions()[d.op.opts["api"]]


def every_model() -> list[tuple[str, str, M]]:
    """(type, role, model) for every path the table can GET: role is list, parent or the detail's ``as``."""
    out = []
    for name, spec in sorted(load_specs().items()):
        out.append((name, "list", LISTS.get(name)))
        if spec.op.opts.get("parent"):
            out.append((name, "parent", PARENTS.get(name)))
        out += [(name, d.as_, DETAILS.get((name, d.as_))) for d in spec.details]
    return out


# ---- type-level document shapes, for the fields the checks read


class Reader(shapes.Reader):
    """The AWS contract's interpreter, with n-ary chains: jmespath 1.1 parses ``a.b.c`` as one subexpression
    with three children, of which ``shapes.Reader`` follows only the first two."""

    def ev(self, ast: dict[str, Any], n: shapes.Node) -> shapes.Node:
        if ast["type"] in ("subexpression", "pipe") and len(ast.get("children", [])) > 2:
            for child in ast["children"]:
                n = self.ev(child, n)
            return n
        return super().ev(ast, n)


def reads(expr: str, doc: shapes.Node) -> list[str]:
    """Every read of ``expr`` over ``doc`` that the shape cannot answer."""
    r = Reader()
    r.ev(shapes.parse(expr), doc)
    return r.problems


def search(expr: str, doc: shapes.Node) -> tuple[shapes.Node, list[str]]:
    r = Reader()
    got = r.ev(shapes.parse(expr), doc)
    return got, r.problems


class Lazy(shapes.Obj):
    """An object node whose members are built when first read (the network models nest deeply)."""

    def __init__(self, build: Any, where: str) -> None:
        super().__init__(None, {}, where)
        self._build, self._fields = build, None

    def members(self) -> dict[str, shapes.Node]:
        if self._fields is None:
            self._fields = self._build()
        return dict(self._fields)

    def get(self, name: str) -> shapes.Node | None:
        return self.members().get(name)


@cache
def node(cls: type) -> shapes.Node:
    """A model class as an AWS-contract shape node (the subclasses of a polymorphic model merged)."""
    where = f"{cls.__module__.split('.')[2]}:{cls.__name__}"

    def build() -> dict[str, shapes.Node]:
        fields: dict[str, shapes.Node] = {}
        classes = [cls]
        for by_value in (getattr(cls, "_subtype_map", None) or {}).values():
            classes += [c for c in (_resolve(cls, n) for n in by_value.values()) if c is not None and c is not cls]
        for c in classes:
            shape, _ = tree(c)
            for k, v in _nodes(shape, c, where).items():
                fields[k] = v if k not in fields else shapes.union([fields[k], v], f"{where}.{k}")
        return fields

    return Lazy(build, where)


def _nodes(shape: dict[str, Any], owner: type, where: str) -> dict[str, shapes.Node]:
    out: dict[str, shapes.Node] = {}
    for k, sub in shape.items():
        at = f"{where}.{k}"
        out[k] = shapes.Obj(None, _nodes(sub, owner, at), at) if isinstance(sub, dict) else _typed(sub, owner, at)
    return out


def _typed(typ: str, owner: type, where: str) -> shapes.Node:
    if typ == "object":
        return shapes.Any_(where)
    if typ.startswith("[") and typ.endswith("]"):
        return shapes.Lst(_typed(typ[1:-1], owner, f"{where}[]"), where)
    if typ.startswith("{") and typ.endswith("}"):
        return shapes.Map(_typed(typ[1:-1], owner, f"{where}.*"), (), where)
    if typ in _SCALARS:
        return shapes.Scalar(typ, where)
    cls = _resolve(owner, typ)
    return shapes.Scalar(typ, where) if cls is None else node(cls)


@cache
def document(name: str) -> shapes.Node:
    """The shape of one type's resource data, built the way the collection spine builds it for Azure."""
    spec = load_specs()[name]
    item = node(item_model(LISTS[name]))
    fields = item.members()
    for d in spec.details:
        m = DETAILS[(name, d.as_)]
        if d.items is not None:
            got: shapes.Node = shapes.Lst(node(item_model(m)), f"{name}.{d.as_}")
        else:
            got, problems = search(d.result, node(m.cls()))
            assert problems == [], problems
        fields[d.as_] = got
    join = spec.extra.get("join")
    if join:
        fields[join["as"]] = shapes.Lst(document(join["type"]), f"{name}.{join['as']}")
    return shapes.Obj(None, fields, item.where)

"""Checks a JSON body (or a request's parameters) against the official Tea model of an Alibaba Cloud action.

The models are the ``alibabacloud_<product><version>`` packages: ``<Action>ResponseBody`` for the answer,
``<Action>Request`` for the parameters. A model's ``from_map`` names the wire keys (``m.get('Key')``) and the
attribute each one fills; the ``__init__`` annotations give that attribute's type (a nested model, a list of
them, a map, or a scalar). A key the model lacks, a list where the model has an object (or the reverse) and a
scalar of the wrong JSON type are all reported. ``None`` is accepted anywhere (the SDK skips it).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import textwrap
import typing
from functools import cache
from typing import Any

# API version -> the SDK package that models it (one product per version in this adapter)
PACKAGES = {
    "2014-05-26": "alibabacloud_ecs20140526",
    "2016-04-28": "alibabacloud_vpc20160428",
    "2014-05-15": "alibabacloud_slb20140515",
    "2015-05-01": "alibabacloud_ram20150501",
    "2019-08-15": "alibabacloud_ims20190815",
    "2015-04-01": "alibabacloud_sts20150401",
    "2020-07-06": "alibabacloud_actiontrail20200706",
    "2014-08-15": "alibabacloud_rds20140815",
    "2015-01-01": "alibabacloud_r_kvstore20150101",
    "2016-01-20": "alibabacloud_kms20160120",
    "2018-12-03": "alibabacloud_sas20181203",
    "2022-12-01": "alibabacloud_resourcecenter20221201",
    "2019-01-01": "alibabacloud_cms20190101",
    "2020-12-30": "alibabacloud_sls20201230",
}


def importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def models(version: str) -> Any:
    return importlib.import_module(PACKAGES[version] + ".models")


def response_model(version: str, action: str) -> type:
    return getattr(models(version), f"{action}ResponseBody")


def request_model(version: str, action: str) -> type | None:
    """None when the SDK has no request class: the action takes no parameters."""
    return getattr(models(version), f"{action}Request", None)


def _is_model(t: Any) -> bool:
    return inspect.isclass(t) and hasattr(t, "from_map") and hasattr(t, "to_map")


@cache
def wire_fields(cls: type) -> dict[str, Any]:
    """{wire key: annotated type} read from the class's own ``from_map`` and ``__init__``."""
    hints = typing.get_type_hints(cls.__init__)
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls.from_map)))
    out: dict[str, Any] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.If):
            continue
        key = _tested_key(node.test)
        if key is None:
            continue
        attr = next(
            (
                n.attr
                for stmt in node.body
                for n in ast.walk(stmt)
                if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self"
            ),
            None,
        )
        if attr is None or attr not in hints:
            raise AssertionError(f"{cls.__name__}.from_map: cannot tell which field {key!r} fills")
        out[key] = hints[attr]
    return out


def _tested_key(test: ast.expr) -> str | None:
    """'Key' from ``m.get('Key') is not None``."""
    if not (isinstance(test, ast.Compare) and isinstance(test.left, ast.Call)):
        return None
    f = test.left.func
    if isinstance(f, ast.Attribute) and f.attr == "get" and test.left.args:
        arg = test.left.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return None


def check_body(cls: type, body: Any, path: str = "$") -> list[str]:
    """Every way ``body`` departs from the model ``cls``; empty when it conforms."""
    errors: list[str] = []
    _object(cls, body, path, errors)
    return errors


def _object(cls: type, value: Any, path: str, errors: list[str]) -> None:
    if not isinstance(value, dict):
        errors.append(f"{path}: {type(value).__name__} where {cls.__name__} is an object")
        return
    fields = wire_fields(cls)
    for key, v in value.items():
        if key not in fields:
            errors.append(f"{path}.{key}: not in {cls.__name__}")
            continue
        _value(fields[key], v, f"{path}.{key}", errors)


def _value(t: Any, v: Any, path: str, errors: list[str]) -> None:
    if v is None or t is Any:
        return
    origin, args = typing.get_origin(t), typing.get_args(t)
    if _is_model(t):
        _object(t, v, path, errors)
    elif origin in (list, list):
        if not isinstance(v, list):
            errors.append(f"{path}: {type(v).__name__} where the model has a list")
            return
        for i, item in enumerate(v):
            _value(args[0] if args else Any, item, f"{path}[{i}]", errors)
    elif origin in (dict, dict):
        if not isinstance(v, dict):
            errors.append(f"{path}: {type(v).__name__} where the model has a map")
            return
        for k, item in v.items():
            _value(args[1] if len(args) > 1 else Any, item, f"{path}.{k}", errors)
    elif t is bool:
        if not isinstance(v, bool):
            errors.append(f"{path}: {v!r} where the model has a boolean")
    elif t is int:
        if isinstance(v, bool) or not isinstance(v, int):
            errors.append(f"{path}: {v!r} where the model has an integer")
    elif t is float:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            errors.append(f"{path}: {v!r} where the model has a number")
    elif t is str:
        if not isinstance(v, str):
            errors.append(f"{path}: {v!r} where the model has a string")
    elif origin is typing.Union:
        if not any(not _errors_of(a, v, path) for a in args):
            errors.append(f"{path}: {v!r} matches none of {t}")
    else:
        errors.append(f"{path}: the model's type {t!r} is not understood by this checker")


def _errors_of(t: Any, v: Any, path: str) -> list[str]:
    probe: list[str] = []
    _value(t, v, path, probe)
    return probe


def check_request(version: str, action: str, query: dict[str, str]) -> list[str]:
    """Every parameter the request model of the action does not accept, or whose text cannot be its type."""
    cls = request_model(version, action)
    if cls is None:
        return [f"{action} takes no parameters, was sent {k}" for k in sorted(query)]
    fields = wire_fields(cls)
    errors = []
    for k, v in sorted(query.items()):
        if k not in fields:
            errors.append(f"{action}: parameter {k} is not in {cls.__name__}")
            continue
        t = fields[k]
        if t is int and not v.lstrip("-").isdigit():
            errors.append(f"{action}: parameter {k}={v!r} is not an integer")
        elif t is bool and v not in ("true", "false"):
            errors.append(f"{action}: parameter {k}={v!r} is not a boolean")
    return errors


# SLS 2020-12-30 (ROA, lower-case keys): GetLogStore answers the Logstore model itself
_SLS_BODIES = {
    "ListProject": "ListProjectResponseBody",
    "ListLogStores": "ListLogStoresResponseBody",
    "GetLogStore": "Logstore",
}


def sls_response_model(action: str) -> type:
    return getattr(models("2020-12-30"), _SLS_BODIES[action])


def check_sls_request(action: str, query: dict[str, str]) -> list[str]:
    return check_request("2020-12-30", action, query)


# OSS speaks XML. alibabacloud_oss20190517 (the Tea OSS SDK) models most answers with the XML element names as
# wire keys; the root element is the answer's own name and is not a key. XML has no scalar types, so only
# element names and nesting are checked (a list field may hold one element: XML does not mark singletons).
_OSS_BODIES = {
    "acl": ("AccessControlPolicy", "GetBucketAclResponseBody"),
    "bucketInfo": ("BucketInfo", "BucketInfo"),
    "encryption": ("ServerSideEncryptionRule", "GetBucketEncryptionResponseBody"),
    "logging": ("BucketLoggingStatus", "GetBucketLoggingResponseBody"),
    "referer": ("RefererConfiguration", "RefererConfiguration"),
    "replication": ("ReplicationConfiguration", "GetBucketReplicationResponseBody"),
    "versioning": ("VersioningConfiguration", "GetBucketVersioningResponseBody"),
}


def check_oss_xml(subresource: str, text: str) -> list[str]:
    """``subresource``: the OSS query flag (acl, bucketInfo, ...) or ListBuckets. Policy answers are JSON."""
    import xml.etree.ElementTree as ET

    errors: list[str] = []
    if subresource == "policy":  # a JSON policy document, not XML
        return errors
    oss = importlib.import_module("alibabacloud_oss20190517.models")
    root = ET.fromstring(text)
    if subresource == "ListBuckets":
        # ListBucketsResponseBody names its keys in lower camel case; the XML uses upper camel case
        top = {k[:1].upper() + k[1:] for k in wire_fields(oss.ListBucketsResponseBody)}
        if root.tag != "ListAllMyBucketsResult":
            errors.append(f"root element {root.tag}")
        for child in root:
            if child.tag not in top:
                errors.append(f"$.{child.tag}: not in ListBucketsResponseBody")
            elif child.tag == "Owner":
                _xml(oss.Owner, child, "$.Owner", errors)
            elif child.tag == "Buckets":
                for n, b in enumerate(child):
                    if b.tag != "Bucket":
                        errors.append(f"$.Buckets.{b.tag}: not a Bucket")
                    _xml(oss.Bucket, b, f"$.Buckets.Bucket[{n}]", errors)
        return errors
    root_name, model = _OSS_BODIES[subresource]
    if root.tag != root_name:
        errors.append(f"root element {root.tag}, not {root_name}")
    _xml(getattr(oss, model), root, "$", errors)
    return errors


def _xml(cls: type, element: Any, path: str, errors: list[str]) -> None:
    fields = wire_fields(cls)
    for child in element:
        p = f"{path}.{child.tag}"
        if child.tag not in fields:
            errors.append(f"{p}: not in {cls.__name__}")
            continue
        t = fields[child.tag]
        args = typing.get_args(t)
        inner = args[0] if typing.get_origin(t) is list and args else t
        if _is_model(inner):
            _xml(inner, child, p, errors)
        elif len(child):
            errors.append(f"{p}: has child elements where the model has a value")

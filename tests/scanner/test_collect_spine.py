"""The collection spine, cloud-free: specs refused at load time (schema, rules, hook names, writes), and the rules
every cloud now shares by construction (absent answers, soft failures, keep_if once, ids, item work)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jmespath
import pytest

from scanner.collect import (
    Dialect,
    Failure,
    Op,
    Placement,
    SpecError,
    Task,
    TypeSpec,
    collect,
    load_specs,
)
from scanner.collect.spec import parse_type
from scanner.collect.spine import has_item_work
from scanner.errors import MlpsError
from scanner.model import Coverage, CoverageStatus


class Failed(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Fake:
    """A transport over canned answers: operation name -> body, or a Failed to raise."""

    provider = "aws"

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def plan(self, spec: TypeSpec) -> tuple[list[Placement], list[Coverage]]:
        return [Placement("r1", "r1" if spec.scope == "regional" else "global", "111")], []

    def prepare(self, tasks: Sequence[Task[Any]]) -> None:
        return None

    def call(self, task: Task[Any], op: Op, params: Mapping[str, Any]) -> Any:
        self.calls.append((op.name, dict(params)))
        got = self.answers[op.name]
        if isinstance(got, Exception):
            raise got
        return got(params) if callable(got) else got

    def paginate(self, task: Task[Any], op: Op, params: Mapping[str, Any], items: str) -> list[Any]:
        return list(jmespath.search(items, self.call(task, op, params)) or [])

    def absent_key(self, exc: BaseException) -> str | int | None:
        return getattr(exc, "code", None)

    def classify(self, exc: BaseException, op: Op) -> Failure:
        code = getattr(exc, "code", type(exc).__name__)
        if code == "Denied":
            return CoverageStatus.DENIED, f"{code} calling {op.name}", f"x:{op.name}"
        return CoverageStatus.ERROR, f"{code} calling {op.name}", None

    @staticmethod
    def is_read(op: Op) -> bool:
        return op.name.startswith(("Describe", "List", "Get"))

    @staticmethod
    def permission(op: Op) -> str:
        return f"x:{op.name}"

    def region_of(self, data: Mapping[str, Any]) -> str | None:
        return None


def enrich(task: Task[Any], item: dict[str, Any]) -> None:
    item["Enriched"] = True


def rows(task: Task[Any]) -> list[tuple[dict[str, Any], str | None]]:
    return [({"Id": "a"}, "r9"), ({"Id": "b"}, None)]


DIALECT = Dialect(
    provider="aws",
    op_key="operation",
    is_read=Fake.is_read,
    hooks={"demo.enrich": enrich, "demo.rows": rows},
    namespace=("service",),
    also_key="operations",
)


def spec(collect_block: dict[str, Any], scope: str = "regional") -> TypeSpec:
    t = {"type": "aws.demo.thing", "description": "x", "scope": scope, "collect": collect_block}
    return parse_type(t, {"service": "demo", **collect_block}, DIALECT, "demo/resources.yaml: aws.demo.thing")


def run(s: TypeSpec, answers: dict[str, Any]) -> tuple[Any, Fake]:
    fake = Fake(answers)
    return collect(fake, {s.type: s}, workers=2), fake


def cov(got: Any) -> Coverage:
    (c,) = got.coverage
    return c


# ---- load time: one line naming the file, the type and the field


def write(tmp_path: Path, collect_yaml: str) -> Path:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "resources.yaml").write_text(
        f"types:\n- type: aws.demo.thing\n  description: x\n  collect:\n{collect_yaml}", encoding="utf-8"
    )
    return tmp_path


LIST = "    service: demo\n    operation: ListThings\n    items: Things\n    id: Id\n"


def test_an_unknown_hook_name_is_a_load_time_error(tmp_path: Path):
    root = write(tmp_path, LIST + "    item_enrich: demo.enrichh\n")
    with pytest.raises(SpecError, match=r"demo/resources\.yaml: aws\.demo\.thing: collect\.item_enrich: unknown hook "):
        load_specs(root, DIALECT)
    with pytest.raises(SpecError, match=r"the aws hooks are: demo\.enrich, demo\.rows"):
        load_specs(root, DIALECT)


def test_a_hook_named_by_module_path_is_refused(tmp_path: Path):
    root = write(tmp_path, LIST + "    collector: providers.aws.s3.collect:buckets\n")
    with pytest.raises(MlpsError, match=r"resources\.yaml: types\[0\]\.collect\.collector: 'providers\.aws"):
        load_specs(root, DIALECT)


def test_an_unknown_key_is_a_load_time_error(tmp_path: Path):
    root = write(
        tmp_path, LIST + "    details:\n    - {operation: GetThing, params: {Id: Id}, as: X, paginate: true}\n"
    )
    with pytest.raises(MlpsError, match=r"types\[0\]\.collect\.details\[0\]: .*'paginate' was unexpected"):
        load_specs(root, DIALECT)
    (tmp_path / "demo" / "resources.yaml").write_text(
        "types:\n- type: aws.demo.thing\n  description: x\n  collect:\n" + LIST + "    keep: Id\n", encoding="utf-8"
    )
    with pytest.raises(MlpsError, match=r"types\[0\]\.collect: .*'keep' was unexpected"):
        load_specs(root, DIALECT)


def test_a_spec_that_would_write_never_loads(tmp_path: Path):
    root = write(tmp_path, LIST + "    details:\n    - {operation: DeleteThing, params: {Id: Id}, as: X}\n")
    with pytest.raises(SpecError, match=r"aws\.demo\.thing: DeleteThing is not a read operation"):
        load_specs(root, DIALECT)


def test_keep_if_is_for_lists_only():
    with pytest.raises(SpecError, match="keep_if filters listed items"):
        spec({"operation": "GetThing", "single": True, "id": "{region}", "keep_if": "Enabled"})


def test_the_loaded_spec_carries_its_calls_and_hooks(tmp_path: Path):
    root = write(
        tmp_path,
        LIST + "    item_enrich: demo.enrich\n    operations: ['demo:GetExtra', 'other:GetElse']\n"
        "    details:\n    - {operation: GetThing, params: {Id: Id}, as: X}\n",
    )
    (s,) = load_specs(root, DIALECT).values()
    assert s.item_enrich is enrich
    assert {(op.opts["service"], op.name) for op in s.calls} == {
        ("demo", "ListThings"),
        ("demo", "GetThing"),
        ("demo", "GetExtra"),
        ("other", "GetElse"),
    }


# ---- run time: the same rules on every cloud


def test_an_absent_answer_is_absent_data_and_add_stays_off():
    s = spec(
        {
            "operation": "GetPolicy",
            "single": True,
            "id": "{account}",
            "items": "Policy",
            "absent": ["NoSuchEntity"],
            "absent_data": {"Configured": False},
            "add": {"Configured": True},
        },
        scope="account",
    )
    got, _ = run(s, {"GetPolicy": Failed("NoSuchEntity")})
    (r,) = got.resources
    assert (r.id, r.region, r.data) == ("111", "global", {"Configured": False})
    assert cov(got).status is CoverageStatus.OK
    got, _ = run(s, {"GetPolicy": {"Policy": {"MinLength": 14}}})
    assert got.resources[0].data == {"MinLength": 14, "Configured": True}


def test_a_failed_detail_leaves_its_field_out_and_marks_the_type():
    s = spec(
        {
            "operation": "ListThings",
            "items": "Things",
            "id": "Id",
            "details": [
                {"operation": "GetSecret", "params": {"Id": "Id"}, "result": "Value", "as": "Secret"},
                {"operation": "GetTags", "params": {"Id": "Id"}, "result": "Tags", "as": "Tags"},
            ],
        }
    )
    answers = {
        "ListThings": {"Things": [{"Id": "a"}, {"Id": "b"}]},
        "GetSecret": Failed("Denied"),
        "GetTags": {"Tags": [{"Key": "env", "Value": "prod"}]},
    }
    got, _ = run(s, answers)
    assert [(r.id, "Secret" in r.data, r.tags) for r in got.resources] == [
        ("a", False, {"env": "prod"}),
        ("b", False, {"env": "prod"}),
    ]
    c = cov(got)
    assert (c.status, c.permission) == (CoverageStatus.DENIED, "x:GetSecret")


def test_keep_if_is_applied_once_after_the_details():
    """A condition may read what a detail added (KMS KeyManager comes from DescribeKey, not ListKeys)."""
    s = spec(
        {
            "operation": "ListKeys",
            "items": "Keys",
            "id": "Id",
            "keep_if": "Manager == 'CUSTOMER'",
            "details": [{"operation": "DescribeKey", "params": {"Id": "Id"}, "result": "Meta", "as": "@"}],
        }
    )
    answers = {
        "ListKeys": {"Keys": [{"Id": "mine"}, {"Id": "theirs"}]},
        "DescribeKey": lambda p: {"Meta": {"Manager": "CUSTOMER" if p["Id"] == "mine" else "AWS"}},
    }
    got, fake = run(s, answers)
    assert [r.id for r in got.resources] == ["mine"]
    assert [name for name, _ in fake.calls].count("DescribeKey") == 2


def test_an_item_without_its_id_is_left_out_and_the_type_marked():
    s = spec({"operation": "ListThings", "items": "Things", "id": "Id"})
    got, _ = run(s, {"ListThings": {"Things": [{"Id": "a"}, {"Name": "no id"}, {"Id": True}]}})
    assert [r.id for r in got.resources] == ["a"]
    c = cov(got)
    assert c.status is CoverageStatus.ERROR and "NoResourceId" in c.reason and "no identifier at 'Id'" in c.reason


def test_a_collector_type_gets_its_details_and_item_enrich_too():
    s = spec(
        {
            "operation": "ListThings",
            "collector": "demo.rows",
            "item_enrich": "demo.enrich",
            "id": "Id",
            "details": [{"operation": "GetThing", "params": {"Id": "Id"}, "result": "Size", "as": "Size"}],
        }
    )
    assert has_item_work(s)
    got, _ = run(s, {"GetThing": {"Size": 3}})
    assert [(r.id, r.region, r.data) for r in got.resources] == [  # by (type, region, id)
        ("b", "r1", {"Id": "b", "Size": 3, "Enriched": True}),
        ("a", "r9", {"Id": "a", "Size": 3, "Enriched": True}),
    ]


def test_region_and_account_are_filled_in_spec_values_only():
    s = spec(
        {
            "operation": "ListThings",
            "items": "Things",
            "id": "Id",
            "params": {"RegionId": "{region}", "Owner": "{account}"},
            "details": [{"operation": "GetThing", "params": {"Where": "'{region}'", "Id": "Id"}, "as": "X"}],
        }
    )
    _, fake = run(s, {"ListThings": {"Things": [{"Id": "x{region}"}]}, "GetThing": {}})
    assert fake.calls == [
        ("ListThings", {"RegionId": "r1", "Owner": "111"}),
        ("GetThing", {"Where": "r1", "Id": "x{region}"}),  # a name holding "{region}" is sent as it is
    ]

"""The toy cloud's transport: the only cloud-specific code a cloud needs beside its hooks.

The "API" is a dict held in memory: regions hold boxes; ``ListBoxes`` pages them two at a time and
``GetBoxLock`` answers per box. A region listed in ``DENIED`` refuses ``ListBoxes`` the way a real cloud
refuses a missing permission.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.collect import Failure, Op, Placement, Task, TypeSpec
from scanner.model import Coverage, CoverageStatus

ACCOUNT = "toy-account-1"
CLOUD: dict[str, list[dict[str, Any]]] = {
    "toy-east": [
        {"BoxId": "b-1", "BoxName": "payroll", "Locked": True},
        {"BoxId": "b-2", "BoxName": "scratch", "Locked": False},
        {"BoxId": "b-3", "BoxName": "archive", "Locked": True},
    ],
    "toy-west": [],
}
DENIED: set[str] = set()
READS = ("List", "Get", "Describe")


class ToyDenied(Exception):
    def __init__(self, op: str) -> None:
        super().__init__(f"AccessDenied: not allowed to call {op}")
        self.op = op


class ToyTransport:
    provider = "toy"

    def __init__(self, regions: Sequence[str]) -> None:
        self.regions = list(regions)
        self.calls: list[str] = []

    def plan(self, spec: TypeSpec) -> tuple[list[Placement], list[Coverage]]:
        missing = [r for r in self.regions if r not in CLOUD]
        unavailable = [Coverage(ACCOUNT, r, spec.type, CoverageStatus.NOT_AVAILABLE, "no such region") for r in missing]
        return [Placement(r, r, ACCOUNT) for r in self.regions if r in CLOUD], unavailable

    def prepare(self, tasks: Sequence[Task[Any]]) -> None:
        return None

    def call(self, task: Task[Any], op: Op, params: Mapping[str, Any]) -> Any:
        if not self.is_read(op):  # the spine refuses writes when the specs load; this is the last line
            raise PermissionError(f"{op.name} is not a read")
        self.calls.append(op.name)
        if task.region in DENIED:
            raise ToyDenied(op.name)
        boxes = CLOUD[task.region]
        if op.name == "ListBoxes":
            page = int(params.get("Page", 1))
            return {"Boxes": boxes[(page - 1) * 2 : page * 2], "Total": len(boxes)}
        if op.name == "GetBoxLock":
            box = next(b for b in boxes if b["BoxId"] == params["BoxId"])
            return {"Lock": {"Locked": box["Locked"]}}
        raise ValueError(f"unknown operation {op.name}")

    def paginate(self, task: Task[Any], op: Op, params: Mapping[str, Any], items: str) -> list[Any]:
        out: list[Any] = []
        page = 1
        while True:
            got = self.call(task, op, {**params, "Page": page})
            out += got["Boxes"]
            if len(out) >= got["Total"] or not got["Boxes"]:
                if len(out) != got["Total"]:
                    raise RuntimeError(f"ListBoxes said {got['Total']} boxes and gave {len(out)}")
                return out
            page += 1

    def absent_key(self, exc: BaseException) -> str | int | None:
        return None

    def classify(self, exc: BaseException, op: Op) -> Failure:
        if isinstance(exc, ToyDenied):
            return CoverageStatus.DENIED, str(exc), self.permission(op)
        return CoverageStatus.ERROR, f"{type(exc).__name__}: {exc}", None

    @staticmethod
    def is_read(op: Op) -> bool:
        return op.name.startswith(READS)

    @staticmethod
    def permission(op: Op) -> str:
        return f"toy:{op.name}"

    def region_of(self, data: Mapping[str, Any]) -> str | None:
        return None

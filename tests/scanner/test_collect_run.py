"""The shared collection runner: an overall deadline turns unfinished types into errors, never "none"."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from scanner.collect import CollectionDeadline, run
from scanner.model import CoverageStatus


@dataclass
class Spec:
    type: str


@dataclass
class Task:
    spec: Spec
    label: str = "cn-north-1"
    account: str | None = None
    problem: Any = None
    items: list[Any] = field(default_factory=list)


def test_deadline_turns_a_stuck_type_into_an_error_and_returns_promptly():
    release = threading.Event()

    def list_items(t: Task) -> list[Any]:
        if t.spec.type == "x.stuck.type":
            release.wait(10)  # a call stuck on the network
        return []

    tasks = [Task(Spec("x.fast.type")), Task(Spec("x.stuck.type"))]
    started = time.monotonic()
    try:
        resources, coverage = run(
            tasks,
            account="a",
            list_items=list_items,
            has_item_work=lambda spec: False,
            item_work=lambda t, i: None,
            build=lambda t, items: [],
            failure=lambda t, e: ("error", f"{type(e).__name__}: {e}", None),
            workers=2,
            deadline_s=0.3,
        )
    finally:
        release.set()
    assert time.monotonic() - started < 5
    status = {c.type: (c.status, c.reason) for c in coverage}
    assert status["x.fast.type"][0] is CoverageStatus.OK
    assert status["x.stuck.type"][0] is CoverageStatus.ERROR
    assert CollectionDeadline.__name__ in status["x.stuck.type"][1]
    assert resources == []

"""The bounded thread pool collection runs on, in phases, within one overall deadline.

Phase 1 lists every (resource type, region) task; phase 2 runs every listed item's detail calls as
separate jobs on the same pool, so a type with hundreds of buckets or users spreads over all workers;
phase 3 turns items into resources. Each task ends in exactly one coverage record: ok, denied (with
the missing permission), error, or — decided before any call — not_available.

This module knows nothing of specs or clouds: it runs callbacks. ``scanner.collect.spine`` supplies them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any

from scanner.errors import MlpsError
from scanner.model import Coverage, CoverageStatus, Resource
from scanner.redact import redact_tags

# (status, reason, missing permission or None): what one failed task or call comes to
Failure = tuple[CoverageStatus, str, str | None]


class CollectionDeadline(Exception):
    """The scan's overall deadline passed before this type was collected."""


def _default_deadline() -> float:
    """Seconds for a whole collection (``MLPS_COLLECT_DEADLINE``, default 2 hours)."""
    try:
        return float(os.environ.get("MLPS_COLLECT_DEADLINE", "7200"))
    except ValueError:
        raise MlpsError("MLPS_COLLECT_DEADLINE must be a number of seconds") from None


def run(
    tasks: list[Any],
    *,
    account: str,
    list_items: Callable[[Any], list[Any]],
    has_item_work: Callable[[Any], bool],
    item_work: Callable[[Any, Any], None],
    build: Callable[[Any, list[Any]], list[Resource]],
    failure: Callable[[Any, BaseException], tuple[Any, str, str | None]],
    workers: int,
    progress: Any = None,
    name: str = "mlps",
    deadline_s: float | None = None,
) -> tuple[list[Resource], list[Coverage]]:
    """Run listing, then per-item detail work, on one bounded pool, within an overall deadline: a type not
    done by then is a collection error for that type (never "none found"), and Ctrl-C stops at once.

    A task is anything with ``spec.type``, ``label``, ``account`` and ``problem`` (a Failure or None).
    """
    if workers < 1:
        raise MlpsError("--workers must be at least 1")
    listed: dict[int, list[Any]] = {}
    failed: dict[int, BaseException] = {}
    if progress:
        progress.start(len(tasks))
    deadline = time.monotonic() + (deadline_s if deadline_s is not None else _default_deadline())
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
    try:
        futures = {pool.submit(list_items, t): t for t in tasks}
        try:
            for fut in as_completed(futures, timeout=max(deadline - time.monotonic(), 0.001)):
                t = futures[fut]
                try:
                    listed[id(t)] = fut.result()
                except Exception as e:
                    failed[id(t)] = e
                if progress:
                    progress.advance(t.spec.type, t.label, ok=id(t) not in failed)
        except FuturesTimeout:
            for fut, t in futures.items():
                if id(t) not in listed and id(t) not in failed:
                    fut.cancel()
                    failed[id(t)] = CollectionDeadline(f"collection deadline reached before {t.spec.type} was listed")
        jobs = {
            pool.submit(item_work, t, item): t
            for t in tasks
            if id(t) in listed and has_item_work(t.spec)
            for item in listed[id(t)]
        }
        if progress and jobs:
            progress.add(len(jobs), "details")
        try:
            for job in as_completed(jobs, timeout=max(deadline - time.monotonic(), 0.001)):
                job.result()  # item_work records API failures on its task; anything else is a bug
                if progress:
                    progress.advance("details", "", ok=True)
        except FuturesTimeout:
            for job, t in jobs.items():
                if not job.done():
                    job.cancel()
                    if id(t) in listed and id(t) not in failed:
                        failed[id(t)] = CollectionDeadline(
                            f"collection deadline reached while reading {t.spec.type} details"
                        )
    finally:
        # done, out of time, Ctrl-C or a bug: never wait for calls that are stuck on the network
        pool.shutdown(wait=False, cancel_futures=True)
    if progress:
        progress.stop()
    resources: list[Resource] = []
    coverage: list[Coverage] = []
    for t in tasks:
        acct = t.account or account
        if id(t) in failed:
            status, reason, perm = failure(t, failed[id(t)])
            coverage.append(Coverage(acct, t.label, t.spec.type, CoverageStatus(status), reason, perm))
            continue
        for r in build(t, listed[id(t)]):
            r.tags = redact_tags(r.tags)  # the data is redacted as it is built; tags are copied out of it
            resources.append(r)
        if t.problem:
            status, reason, perm = t.problem
            coverage.append(Coverage(acct, t.label, t.spec.type, CoverageStatus(status), reason, perm))
        else:
            coverage.append(Coverage(acct, t.label, t.spec.type, CoverageStatus.OK))
    resources.sort(key=lambda r: (r.type, r.region, r.id))
    return resources, coverage

"""Collection: one declarative spine for every cloud (``spine``), the specs it reads (``spec``), and the bounded
pool it runs on (``pool``). A cloud adds only its transport and its hooks (providers/<cloud>/transport.py,
hooks.py); this package imports nothing from ``providers/``.
"""

from __future__ import annotations

from scanner.collect.pool import CollectionDeadline, Failure, run
from scanner.collect.spec import Detail, Dialect, Hook, Join, Op, SpecError, TypeSpec, check_type, load_specs
from scanner.collect.spine import (
    ABSENT,
    MISSING,
    Collected,
    Placement,
    Task,
    Transport,
    collect,
    not_available,
    plan,
    tags_of,
)

__all__ = [
    "ABSENT",
    "MISSING",
    "Collected",
    "CollectionDeadline",
    "Detail",
    "Dialect",
    "Failure",
    "Hook",
    "Join",
    "Op",
    "Placement",
    "SpecError",
    "Task",
    "Transport",
    "TypeSpec",
    "check_type",
    "collect",
    "load_specs",
    "not_available",
    "plan",
    "run",
    "tags_of",
]

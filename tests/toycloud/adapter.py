"""The toy cloud's adapter (providers.Adapter): its own options in, an inventory out."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scanner import collect as spine
from scanner.collect import Dialect
from scanner.inventory import Inventory, utc_now
from tests.toycloud.transport import ACCOUNT, CLOUD, ToyTransport

HOOKS: dict[str, Any] = {}  # the toy needs none; a cloud lists its hook functions here by name
DIALECT = Dialect(provider="toy", op_key="action", is_read=ToyTransport.is_read, hooks=HOOKS)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("Toy cloud")
    g.add_argument("--toy-token", metavar="TOKEN", help="the toy cloud's credential (never stored)")


def collect(args: argparse.Namespace, progress: Any) -> Inventory:
    regions = args.regions or sorted(CLOUD)
    specs = spine.load_specs(Path(__file__).parent, DIALECT)
    started = utc_now()
    got = spine.collect(ToyTransport(regions), specs, workers=args.workers, progress=progress)
    return Inventory(
        provider="toy",
        accounts=[{"id": ACCOUNT}],
        regions=regions,
        identity={"principal": "toy-auditor"},
        started_at=started,
        finished_at=utc_now(),
        resources=got.resources,
        coverage=got.coverage,
        scope={"regions_available": sorted(CLOUD)},
    )

"""Provider adapters: one subpackage per cloud, registered in ``providers/clouds.yaml``.

Resource types (``<service>/resources.yaml``) and checks (``<service>/checks/``) are YAML beside each
adapter. An adapter is a module with the two functions of ``Adapter``; the CLI imports it by the name the
registry gives, and the core never imports it.
"""

from __future__ import annotations

import argparse
from typing import Any, Protocol

from scanner.inventory import Inventory


class Adapter(Protocol):
    """What ``mlps scan <cloud>`` needs from a cloud: its own options, then a read-only collection."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add this cloud's options (credentials, role, cloud instance) to its ``mlps scan`` subcommand.
        Must import no cloud SDK, so that ``--help`` works without one installed."""

    def collect(self, args: argparse.Namespace, progress: Any) -> Inventory:
        """Collect one account read-only: every type and region ends in a coverage record."""

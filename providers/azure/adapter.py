"""Entry point of the Azure adapter for ``mlps scan azure``: options in, inventory out."""

from __future__ import annotations

import argparse
import os
from typing import Any

from scanner.errors import MlpsError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("Azure")
    g.add_argument(
        "--cloud",
        choices=("AzureChinaCloud", "AzureCloud"),
        default="AzureChinaCloud",
        help="Azure China (21Vianet, default) or the global cloud, where data location becomes a finding",
    )
    g.add_argument(
        "--subscription",
        action="append",
        metavar="ID",
        help="scan only this subscription (repeatable; default: every readable subscription)",
    )


def collect(args: argparse.Namespace, progress: Any) -> Any:
    try:
        from providers.azure import client, collect
    except ImportError:
        raise MlpsError(
            "the Azure adapter needs azure-identity and azure-mgmt-core", "pip install 'mlps-scanner[azure]'"
        ) from None
    ctx = client.connect(
        cloud=args.cloud, subscriptions=args.subscription, arm_endpoint=os.environ.get("MLPS_AZURE_ARM_ENDPOINT")
    )
    return collect.collect(ctx, workers=args.workers, progress=progress)

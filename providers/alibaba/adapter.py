"""Entry point of the Alibaba Cloud adapter for ``mlps scan alibaba``: options in, inventory out."""

from __future__ import annotations

import argparse
from typing import Any

from scanner.errors import MlpsError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("Alibaba Cloud")
    g.add_argument(
        "--alibaba-profile",
        dest="alibaba_profile",
        metavar="NAME",
        help="aliyun CLI profile (default: the credentials default chain)",
    )
    g.add_argument(
        "--alibaba-role-arn",
        dest="alibaba_role_arn",
        metavar="ARN",
        help="assume this RAM role, e.g. acs:ram::1234567890123456:role/mlps-readonly",
    )


def collect(args: argparse.Namespace, progress: Any) -> Any:
    try:
        from providers.alibaba import client, collect
    except ImportError:
        raise MlpsError("the Alibaba Cloud adapter needs its SDKs", "pip install 'mlps-scanner[alibaba]'") from None
    ctx = client.connect(
        profile=args.alibaba_profile,
        role_arn=args.alibaba_role_arn,
        regions=args.regions,
    )
    return collect.collect(ctx, workers=args.workers, progress=progress)

"""Entry point of the AWS adapter for ``mlps scan aws``: options in, inventory out."""

from __future__ import annotations

import argparse
from typing import Any

from scanner.errors import MlpsError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("AWS")
    g.add_argument("--profile", help="shared-config profile (default: boto3's credential chain)")
    g.add_argument("--role-arn", help="assume this role (e.g. arn:aws-cn:iam::123456789012:role/mlps-readonly)")
    g.add_argument("--external-id", help="external ID for --role-arn")


def collect(args: argparse.Namespace, progress: Any) -> Any:
    try:
        from providers.aws import client, collect
    except ImportError:
        raise MlpsError("the AWS adapter needs boto3", "pip install 'mlps-scanner[aws]'") from None
    if args.external_id and not args.role_arn:
        raise MlpsError("--external-id needs --role-arn")
    ctx = client.connect(
        profile=args.profile, role_arn=args.role_arn, external_id=args.external_id, regions=args.regions
    )
    return collect.collect(ctx, workers=args.workers, progress=progress)

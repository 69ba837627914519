"""AWS sessions and clients: credentials, partition, regions, retries, and the read-only guard.

boto3 and botocore are imported only here, in transport.py and in the service hooks, never at import
time of the CLI. Credentials come from boto3's own chain (environment, shared profiles, SSO, instance
and container roles); ``--role-arn`` assumes a role through botocore's refreshing AssumeRole fetcher.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from scanner.errors import MlpsError

# Operations that are reads although their names do not start with a read verb. Each is listed with
# why it is safe; anything else must start with one of READ_PREFIXES.
READ_PREFIXES = ("Describe", "List", "Get", "Search", "Lookup", "BatchGet", "Select")
EXTRA_READS = {
    ("sts", "AssumeRole"): "obtains temporary credentials for --role-arn; changes no resource",
}
# IAM action names that differ from the API operation name (from the S3 permissions reference).
ACTION_NAMES = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
}
# IAM service prefixes that differ from the botocore signing name (CloudWatch signs as "monitoring", the
# Resource Groups Tagging API as "tagging"; their actions are cloudwatch:* and tag:*).
IAM_PREFIXES = {"cloudwatch": "cloudwatch", "resourcegroupstaggingapi": "tag"}
DENIED_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
    "AuthorizationErrorException",
    "Forbidden",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "OptInRequired",
}
THROTTLE_RE = re.compile(r"Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|RateExceeded", re.I)
HOME_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


# Operations named like reads that change state or read secrets (reliability review L4): never called.
NOT_READS = {
    ("redshift", "GetClusterCredentials"): "AutoCreate creates a database user",
    ("redshift", "GetClusterCredentialsWithIAM"): "issues database credentials",
    ("lightsail", "GetInstanceAccessDetails"): "creates temporary keys",
    ("cognito-identity", "GetId"): "creates an identity",
    ("secretsmanager", "GetSecretValue"): "reads a secret",
    ("ssm", "GetParameter"): "may read a SecureString secret",
    ("ssm", "GetParameters"): "may read SecureString secrets",
    ("ssm", "GetParametersByPath"): "may read SecureString secrets",
    ("ec2", "GetPasswordData"): "reads a Windows administrator password",
    ("s3", "GetObject"): "reads customer data",
}


def is_read(service: str, operation: str) -> bool:
    if (service, operation) in NOT_READS:
        return False
    return operation.startswith(READ_PREFIXES) or (service, operation) in EXTRA_READS


class WriteAttempt(RuntimeError):
    """Raised by the guard before a non-read operation leaves the process."""


class RepeatedToken(RuntimeError):
    """A listing whose next-page token came back a second time: paging stops, and the type is marked ERROR."""

    def __init__(self, operation: str, detail: str) -> None:
        super().__init__(
            f"paging stopped: {operation} returned a next-page token it had already returned ({detail}); "
            "the listing is incomplete"
        )
        self.operation_name = operation.split(":", 1)[-1]


def output_tokens(service: str, operation: str) -> list[str]:
    """The response fields botocore's paginator model pages by (``output_token``), as JMESPath expressions."""
    cfg = _models().get_paginator_model(service).get_paginator(operation)
    out = cfg["output_token"]
    return [out] if isinstance(out, str) else list(out)


@dataclass
class AwsContext:
    """One authenticated session plus everything derived from it, shared by all collectors."""

    session: boto3.Session
    partition: str
    account: str
    identity_arn: str
    regions: list[str]
    max_attempts: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    calls: int = 0
    operations_seen: set[tuple[str, str]] = field(default_factory=set)
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def home_region(self) -> str:
        return HOME_REGION.get(self.partition, self.regions[0] if self.regions else "us-east-1")

    def client(self, service: str, region: str) -> Any:
        """A client per (service, region), created under a lock: sessions are not thread-safe."""
        key = (service, region)
        with self._lock:
            c = self._clients.get(key)
            if c is None:
                cfg = Config(
                    retries={"mode": "standard", "max_attempts": self.max_attempts},
                    connect_timeout=self.connect_timeout,
                    read_timeout=self.read_timeout,
                    user_agent_extra="mlps-scanner",
                )
                c = self.session.client(service, region_name=region, config=cfg)
                c.meta.events.register("before-call.*.*", self._guard)
                self._clients[key] = c
            return c

    def _guard(self, model: Any, **_: Any) -> None:
        """Runs before every API call: counts it and refuses anything that is not a read."""
        service = model.service_model.service_name
        with self._lock:
            self.calls += 1
            self.operations_seen.add((service, model.name))
        if not is_read(service, model.name):
            raise WriteAttempt(f"refusing non-read operation {service}:{model.name}")

    def available(self, service: str) -> bool:
        """Whether botocore's endpoint data lists the service in this partition (not a hard-coded list)."""
        return bool(self.session.get_available_regions(service, self.partition, allow_non_regional=True))

    def service_regions(self, service: str) -> list[str]:
        return self.session.get_available_regions(service, self.partition)

    @property
    def regions_available(self) -> list[str]:
        """The partition's EC2 regions in botocore's endpoint data: what the account could hold resources in,
        whatever ``--regions`` narrowed the scan to (the scope statement names the difference)."""
        return sorted(self.service_regions("ec2"))


def action_name(client_or_service: Any, operation: str) -> str:
    """The IAM action that authorises ``operation`` (e.g. s3:GetEncryptionConfiguration)."""
    if isinstance(client_or_service, str):
        service = client_or_service
        prefix = IAM_PREFIXES.get(service) or _signing_name(service)
    else:
        service = client_or_service.meta.service_model.service_name
        prefix = IAM_PREFIXES.get(service) or client_or_service.meta.service_model.signing_name
    return ACTION_NAMES.get((service, operation), f"{prefix}:{operation}")


@cache
def _signing_name(service: str) -> str:
    return _models().get_service_model(service).signing_name


@lru_cache(maxsize=1)
def _models() -> botocore.session.Session:
    return botocore.session.get_session()


def classify(exc: BaseException) -> tuple[str, str, str | None]:
    """(status, reason, code) for a failed call: status is 'denied' or 'error'."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", "Unknown"))
        msg = str(err.get("Message", ""))[:200]
        op = getattr(exc, "operation_name", "?")
        if code in DENIED_CODES or code.startswith("AccessDenied"):
            return "denied", f"{code} calling {op}: {msg}".strip(), code
        if THROTTLE_RE.search(code):
            return "error", f"{code} calling {op} after retries", code
        return "error", f"{code} calling {op}: {msg}".strip(), code
    if isinstance(exc, (ReadTimeoutError, ConnectTimeoutError)):
        return "error", f"timed out ({type(exc).__name__})", None
    if isinstance(exc, EndpointConnectionError):
        return "error", f"endpoint unreachable: {exc}", None
    if isinstance(exc, (WriteAttempt, RepeatedToken)):
        return "error", str(exc), None
    if isinstance(exc, BotoCoreError):
        return "error", f"{type(exc).__name__}: {exc}", None
    return "error", f"{type(exc).__name__}: {exc}", None


def connect(
    profile: str | None = None,
    role_arn: str | None = None,
    external_id: str | None = None,
    regions: list[str] | None = None,
    region_hint: str | None = None,
) -> AwsContext:
    """Authenticate, find the partition from the caller identity, and settle the regions to scan."""
    try:
        base = (
            boto3.Session(profile_name=profile, region_name=region_hint)
            if profile
            else boto3.Session(region_name=region_hint)
        )
    except BotoCoreError as e:  # unknown profile and the like
        raise MlpsError(f"AWS credentials: {e}") from None
    hint = region_hint or base.region_name or (regions[0] if regions else None) or "cn-north-1"
    session = base
    if role_arn:
        session = _assume_role_session(base, role_arn, external_id, hint)
    sts = session.client("sts", region_name=hint, config=Config(retries={"mode": "standard", "max_attempts": 3}))
    try:
        ident = sts.get_caller_identity()
    except NoCredentialsError:
        raise MlpsError(
            "no AWS credentials found", "set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or pass --profile"
        ) from None
    except (ClientError, BotoCoreError) as e:
        raise MlpsError(f"AWS authentication failed: {classify(e)[1]}") from None
    arn = ident["Arn"]
    partition = arn.split(":")[1]
    available = session.get_available_regions("ec2", partition)
    if regions:
        unknown = [r for r in regions if r not in available]
        if unknown:
            raise MlpsError(
                f"region(s) {', '.join(unknown)} are not in partition {partition}",
                f"regions of {partition}: {', '.join(available)}",
            )
        scan_regions = list(regions)
    else:
        scan_regions = list(available)
    return AwsContext(
        session=session, partition=partition, account=ident["Account"], identity_arn=arn, regions=scan_regions
    )


def _assume_role_session(base: boto3.Session, role_arn: str, external_id: str | None, region: str) -> boto3.Session:
    extra: dict[str, Any] = {"RoleSessionName": "mlps-scanner"}
    if external_id:
        extra["ExternalId"] = external_id
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=lambda *a, **k: base._session.create_client(*a, region_name=region, **k),
        source_credentials=base.get_credentials(),
        role_arn=role_arn,
        extra_args=extra,
    )
    creds = DeferredRefreshableCredentials(method="assume-role", refresh_using=fetcher.fetch_credentials)
    bs = botocore.session.Session()
    bs._credentials = creds
    return boto3.Session(botocore_session=bs, region_name=region)

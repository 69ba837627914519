"""Alibaba Cloud OpenAPI access through alibabacloud-tea-openapi's generic ``call_api``.

No product SDK is used: every call is (product, version, action, style) from the declarative action
table in ``providers/alibaba/<service>/resources.yaml``, signed with ACS3-HMAC-SHA256 by the SDK.
Credentials come from alibabacloud-credentials' default chain (environment AccessKey, STS token,
RAM role ARN, ECS RAM role, OIDC, the aliyun CLI profile); ``--profile`` picks a CLI profile and
``--role-arn`` assumes a RAM role.
"""

from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from alibabacloud_credentials.client import Client as CredentialClient
from alibabacloud_credentials.models import Config as CredentialConfig
from alibabacloud_tea_openapi import models as api_models
from alibabacloud_tea_openapi.client import Client as OpenApiClient
from alibabacloud_tea_util import models as util_models

from scanner.errors import MlpsError

# The credentials library logs full tracebacks (with request details) on its own stderr handler for
# every provider it tries; the scanner reports one line instead and never lets that output through.
logging.getLogger("credentials").setLevel(logging.CRITICAL + 1)

# "Search": ResourceCenter SearchResources, a list-level read in its RAM authorisation table
READ_PREFIXES = ("Describe", "List", "Get", "Query", "Check", "Search")
DENIED_CODES = re.compile(
    r"^(Forbidden|NoPermission|InvalidAccessKeyId|SignatureDoesNotMatch|"
    r"InvalidSecurityToken|Unauthorized|AccessDenied|NotAuthorized|UnauthorizedOperation)",
    re.I,
)
THROTTLE_CODES = re.compile(r"^(Throttling|ServiceUnavailable|Too[ _]?Many|RequestLimitExceeded)", re.I)

# Product -> (endpoint template, central region for non-regional products). Facts from Alibaba's
# endpoint lists; regional products put the region in the host.
ENDPOINTS = {
    "ecs": "ecs.{region}.aliyuncs.com",
    "vpc": "vpc.{region}.aliyuncs.com",
    "slb": "slb.{region}.aliyuncs.com",
    "ram": "ram.aliyuncs.com",
    "ims": "ims.aliyuncs.com",  # alibabacloud_ims20190815: endpoint rule "central"
    "sts": "sts.aliyuncs.com",
    "actiontrail": "actiontrail.{region}.aliyuncs.com",
    "rds": "rds.{region}.aliyuncs.com",
    "r-kvstore": "r-kvstore.{region}.aliyuncs.com",
    "kms": "kms.{region}.aliyuncs.com",
    "sas": "tds.{region}.aliyuncs.com",
    "resourcecenter": "resourcecenter.aliyuncs.com",  # one central endpoint (the product's SDK has no endpoint rule)
    "cms": "metrics.{region}.aliyuncs.com",  # alibabacloud_cms20190101 client._endpoint_map
}
# Products served from one central region for mainland accounts: their endpoint's region, and the region the
# account-wide types of that product are collected from (transport.py). Security Center: cn-shanghai.
CENTRAL_REGION = {"sas": "cn-shanghai"}


def is_read(action: str) -> bool:
    return action.startswith(READ_PREFIXES)


class WriteAttempt(RuntimeError):
    """Raised before a non-read action leaves the process."""


class ApiError(Exception):
    """A failed call, with Alibaba's error code and the action that failed."""

    def __init__(self, code: str, message: str, action: str, product: str, status: int | None = None) -> None:
        super().__init__(f"{code} calling {action}: {message}")
        self.code, self.message, self.action, self.product, self.status = code, message, action, product, status


@dataclass
class AlibabaContext:
    """Credentials, account, regions and one generic client per endpoint, shared by all collectors."""

    credential: Any
    account: str
    identity_arn: str
    regions: list[str]
    endpoint_override: dict[str, str] | None = None  # region ("*" default) -> host:port, e.g. private endpoints
    protocol: str = "https"
    max_attempts: int = 5
    connect_timeout_ms: int = 5000
    read_timeout_ms: int = 20000
    calls: int = 0
    actions_seen: set[tuple[str, str]] = field(default_factory=set)
    _clients: dict[str, OpenApiClient] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    access_key: tuple[str, str, str | None] | None = None  # for OSS (oss2 signs itself)
    # every region ECS DescribeRegions lists for the account; ``regions`` may be a --regions subset of it
    regions_available: list[str] = field(default_factory=list)

    def endpoint(self, product: str, region: str) -> str:
        if self.endpoint_override:
            return self.endpoint_override.get(region) or self.endpoint_override["*"]
        return ENDPOINTS[product].format(region=CENTRAL_REGION.get(product, region))

    def _client(self, product: str, region: str) -> OpenApiClient:
        host = self.endpoint(product, region)
        with self._lock:
            c = self._clients.get(host)
            if c is None:
                cfg = api_models.Config(
                    credential=self.credential,
                    endpoint=host,
                    protocol=self.protocol,
                    region_id=region,
                    read_timeout=self.read_timeout_ms,
                    connect_timeout=self.connect_timeout_ms,
                )
                c = OpenApiClient(cfg)
                self._clients[host] = c
            return c

    def admit(self, product: str, action: str, read: bool, what: str = "") -> None:
        """The one read gate and call counter: every request, through the OpenAPI client or a product SDK (OSS,
        SLS; see transport.py), is counted here and refused here, before it is sent, unless it only reads."""
        with self._lock:
            self.calls += 1
            self.actions_seen.add((product, action))
        if not read:
            raise WriteAttempt(f"refusing non-read action {product}:{action}{what}")

    def call(
        self,
        product: str,
        version: str,
        action: str,
        region: str,
        query: dict[str, Any] | None = None,
        style: str = "RPC",
        pathname: str = "/",
        method: str = "POST",
    ) -> dict[str, Any]:
        """One read call, retried with jittered backoff on throttling; returns the response body."""
        self.admit(product, action, is_read(action))
        params = api_models.Params(
            action=action,
            version=version,
            protocol=self.protocol.upper(),
            method=method,
            auth_type="AK",
            style=style,
            pathname=pathname,
            req_body_type="json",
            body_type="json",
        )
        q = {k: _stringify(v) for k, v in (query or {}).items() if v is not None}
        request = api_models.OpenApiRequest(query=q)
        runtime = util_models.RuntimeOptions(
            autoretry=False, read_timeout=self.read_timeout_ms, connect_timeout=self.connect_timeout_ms
        )
        client = self._client(product, region)
        for attempt in range(1, self.max_attempts + 1):
            try:
                resp = client.call_api(params, request, runtime)
                return resp.get("body") or {}
            except Exception as e:
                err = normalise(e, action, product)
                if THROTTLE_CODES.match(err.code) and attempt < self.max_attempts:
                    time.sleep(min(8.0, 0.2 * 2 ** (attempt - 1)) * (0.5 + random.random()))
                    continue
                if err.code == "Throttling" or THROTTLE_CODES.match(err.code):
                    err.message = f"still throttled after {attempt} attempts"
                raise err from None
        raise AssertionError("unreachable")  # pragma: no cover


def _stringify(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, dict)):
        import json

        return json.dumps(v)
    return str(v)


def normalise(exc: BaseException, action: str, product: str) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, WriteAttempt):
        return ApiError("WriteRefused", str(exc), action, product)
    code = getattr(exc, "code", None)
    if code:
        msg = str(getattr(exc, "message", "") or "")[:200]
        return ApiError(str(code), msg, action, product, getattr(exc, "status_code", None))
    text = f"{type(exc).__name__}: {exc}"
    if re.search(r"timed? ?out|Timeout", text, re.I):
        return ApiError("Timeout", "the request timed out", action, product)
    return ApiError("ConnectionError", text[:200], action, product)


def classify(err: ApiError) -> tuple[str, str]:
    if DENIED_CODES.match(err.code):
        return "denied", f"{err.code} calling {err.action}: {err.message}".strip()
    if THROTTLE_CODES.match(err.code):
        return "error", f"{err.code} calling {err.action}: {err.message}".strip()
    return "error", f"{err.code} calling {err.action}: {err.message}".strip()


def ram_action(product: str, action: str) -> str:
    """The RAM action that authorises an OpenAPI action: '<product code>:<Action>'."""
    # IMS (the newer RAM API) is authorised with RAM's own code, e.g. ram:GetAccountMFAInfo
    code = {"r-kvstore": "kvstore", "sas": "yundun-sas", "ims": "ram"}.get(product, product)
    return f"{code}:{action}"


def _credential(profile: str | None, role_arn: str | None) -> Any:
    """The credentials client. The library snapshots environment variables when it is imported, so the
    environment AccessKey (the common CI case) is read here, at call time; the rest of the default
    chain (STS, RAM role ARN, ECS RAM role, OIDC, CLI profile) is the library's."""
    from alibabacloud_credentials.provider import CLIProfileCredentialsProvider

    if profile:
        base = CredentialClient(provider=CLIProfileCredentialsProvider(profile_name=profile))
    else:
        ak = os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_ID")
        sk = os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        token = os.environ.get("ALIBABA_CLOUD_SECURITY_TOKEN")
        if ak and sk:
            base = CredentialClient(
                CredentialConfig(
                    type="sts" if token else "access_key", access_key_id=ak, access_key_secret=sk, security_token=token
                )
            )
        else:
            base = CredentialClient()
    if not role_arn:
        return base
    src = base.get_credential()
    cfg = CredentialConfig(
        type="ram_role_arn",
        access_key_id=src.access_key_id,
        access_key_secret=src.access_key_secret,
        security_token=src.security_token,
        role_arn=role_arn,
        role_session_name="mlps-scanner",
    )
    return CredentialClient(cfg)


def parse_endpoint_override(value: str | dict[str, str] | None) -> dict[str, str] | None:
    """'host:port' (every call) or a JSON object of region -> host:port with "*" as the default."""
    if not value:
        return None
    if isinstance(value, dict):
        return dict(value)
    text = value.strip()
    if text.startswith("{"):
        import json

        try:
            mapping = json.loads(text)
        except ValueError:
            raise MlpsError("MLPS_ALIBABA_ENDPOINT is not valid JSON") from None
        if "*" not in mapping:
            raise MlpsError('MLPS_ALIBABA_ENDPOINT needs a "*" entry for calls without a region')
        return {str(k): str(v) for k, v in mapping.items()}
    return {"*": text}


def connect(
    profile: str | None = None,
    role_arn: str | None = None,
    regions: list[str] | None = None,
    endpoint_override: str | dict[str, str] | None = None,
    protocol: str | None = None,
) -> AlibabaContext:
    """Authenticate (STS GetCallerIdentity), then list regions (ECS DescribeRegions)."""
    try:
        credential = _credential(profile, role_arn)
        cred = credential.get_credential()
    except MlpsError:
        raise
    except Exception as e:
        raise MlpsError(
            f"Alibaba Cloud credentials: {str(e).splitlines()[0][:200]}",
            "set ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, or pass --profile",
        ) from None
    override = parse_endpoint_override(endpoint_override or os.environ.get("MLPS_ALIBABA_ENDPOINT"))
    proto = protocol or ("http" if override else "https")
    ctx = AlibabaContext(
        credential=credential,
        account="",
        identity_arn="",
        regions=[],
        endpoint_override=override,
        protocol=proto,
        access_key=(cred.access_key_id, cred.access_key_secret, cred.security_token),
    )
    try:
        ident = ctx.call("sts", "2015-04-01", "GetCallerIdentity", "cn-hangzhou")
    except ApiError as e:
        raise MlpsError(f"Alibaba Cloud authentication failed: {classify(e)[1]}") from None
    ctx.account = str(ident.get("AccountId", ""))
    ctx.identity_arn = str(ident.get("Arn", ""))
    try:
        listed = ctx.call("ecs", "2014-05-26", "DescribeRegions", "cn-hangzhou", {"AcceptLanguage": "en-US"})
    except ApiError as e:
        raise MlpsError(f"cannot list regions: {classify(e)[1]}") from None
    available = [r["RegionId"] for r in (listed.get("Regions") or {}).get("Region", [])]
    ctx.regions_available = list(available)
    if regions:
        unknown = [r for r in regions if r not in available]
        if unknown:
            raise MlpsError(f"unknown region(s) {', '.join(unknown)}", f"regions: {', '.join(available)}")
        ctx.regions = list(regions)
    else:
        ctx.regions = available
    return ctx

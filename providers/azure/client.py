"""Azure Resource Manager access for Azure China (and the global cloud), read-only.

Calls go through azure-mgmt-core's ``ARMPipelineClient`` — the pipeline every azure-mgmt-* client is
built on — with azure-core's retry policy (429 and 5xx, honouring Retry-After), timeouts, and ARM
challenge authentication. The endpoint and the token scope both come from the chosen cloud, so a China
scan talks to management.chinacloudapi.cn with a chinacloudapi.cn token. Which paths are called, and
with which pinned api-version, is data: ``providers/azure/<service>/resources.yaml`` and
``providers/azure/api-versions.yaml``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError, ServiceRequestError
from azure.core.pipeline import policies
from azure.core.rest import HttpRequest
from azure.mgmt.core import ARMPipelineClient
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

from scanner.errors import MlpsError

CLOUDS = {
    "AzureChinaCloud": {
        "arm": "https://management.chinacloudapi.cn",
        "authority": "login.chinacloudapi.cn",
        "scope": "https://management.chinacloudapi.cn/.default",
    },
    "AzureCloud": {
        "arm": "https://management.azure.com",
        "authority": "login.microsoftonline.com",
        "scope": "https://management.azure.com/.default",
    },
}
# POSTs that only read (none used yet besides Resource Graph's query). Everything else must be a GET.
READ_POSTS = re.compile(r"/providers/Microsoft\.ResourceGraph/resources$", re.I)


class WriteAttempt(RuntimeError):
    """Raised before a non-read request leaves the process."""


class ArmError(Exception):
    def __init__(self, status: int | None, code: str, message: str, path: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message, self.path = status, code, message, path


MAX_RETRY_AFTER = 60.0  # seconds: a server asking for hours is answered with an error, not a sleep


class _CappedRetry(policies.RetryPolicy):
    """azure-core's retry, with ``Retry-After`` capped: a 429 that asks for 100,000 s must not stall a scan."""

    def get_retry_after(self, response: Any) -> float | None:
        wait = super().get_retry_after(response)
        return None if wait is None else min(wait, MAX_RETRY_AFTER)


class _ReadOnlyGuard(policies.SansIOHTTPPolicy):
    """First policy of the pipeline: counts requests and refuses anything that is not a read."""

    def __init__(self, ctx: AzureContext) -> None:
        self.ctx = ctx

    def on_request(self, request: Any) -> None:
        http = request.http_request
        path = urlsplit(http.url).path
        with self.ctx._lock:
            self.ctx.calls += 1
            self.ctx.requests_seen.add((http.method, _shape(path)))
        if http.method != "GET" and not (http.method == "POST" and READ_POSTS.search(path)):
            raise WriteAttempt(f"refusing {http.method} {path}")


def _shape(path: str) -> str:
    """A path with its ids replaced by placeholders, for the read-only proofs."""
    return re.sub(r"/(subscriptions|resourceGroups|resourcegroups)/[^/]+", r"/\1/{}", path)


@dataclass
class AzureContext:
    credential: Any
    cloud: str
    subscriptions: list[dict[str, Any]]
    identity: dict[str, Any]
    arm_endpoint: str
    scope: str
    # every subscription id the identity can read, including those left out by --subscription
    available_subscriptions: list[str] = field(default_factory=list)
    transport: Any = None  # an azure-core transport (tests inject a fake; production uses the default)
    timeout: int = 20
    retry_total: int = 5
    calls: int = 0
    requests_seen: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _client: ARMPipelineClient | None = None

    def pipeline(self) -> ARMPipelineClient:
        with self._lock:
            if self._client is None:
                pol = [
                    _ReadOnlyGuard(self),
                    policies.HeadersPolicy(),
                    policies.UserAgentPolicy(sdk_moniker="mlps-scanner"),
                    _CappedRetry(retry_total=self.retry_total, retry_backoff_factor=0.5, timeout=self.timeout * 6),
                    ARMChallengeAuthenticationPolicy(self.credential, self.scope),
                    policies.ContentDecodePolicy(),
                    # no redirect is followed: the read-only guard runs before redirects, so one could carry a
                    # request past it; ARM answers reads directly, and a 3xx becomes an error below
                    policies.RedirectPolicy(permit_redirects=False),
                ]
                kwargs: dict[str, Any] = {"policies": pol}
                if self.transport is not None:
                    kwargs["transport"] = self.transport
                self._client = ARMPipelineClient(base_url=self.arm_endpoint, **kwargs)
            return self._client

    def get(self, path_or_url: str, api_version: str | None, params: dict[str, str] | None = None) -> dict[str, Any]:
        url = path_or_url if path_or_url.startswith("http") else self.arm_endpoint + path_or_url
        if api_version and "api-version=" not in url:
            query = dict(parse_qsl(urlsplit(url).query))
            query["api-version"] = api_version
            query.update(params or {})
            url = url.split("?", 1)[0] + "?" + urlencode(query)
        return self._send(HttpRequest("GET", url), urlsplit(url).path)

    def post(self, path: str, api_version: str, body: dict[str, Any]) -> dict[str, Any]:
        """A read-only POST (Resource Graph query); the guard refuses any other POST."""
        return self._send(HttpRequest("POST", f"{self.arm_endpoint}{path}?api-version={api_version}", json=body), path)

    def _send(self, request: HttpRequest, path: str) -> dict[str, Any]:
        """Send one request; every failure becomes an ArmError naming ``path`` (the one mapping of GET and POST):
        authentication, connection, timeout, an error status (a redirect is refused), a body that is not a JSON
        object (a proxy's HTML page, an empty or truncated answer: never "none found")."""
        try:
            resp = self.pipeline().send_request(request, connection_timeout=5, read_timeout=self.timeout)
        except WriteAttempt:
            raise
        except ClientAuthenticationError as e:
            raise ArmError(401, "AuthenticationFailed", str(e).splitlines()[0][:200], path) from None
        except ServiceRequestError as e:
            raise ArmError(None, "ConnectionError", str(e).splitlines()[0][:200], path) from None
        except AzureError as e:
            text = str(e).splitlines()[0][:200]
            code = "Timeout" if "timed out" in text.lower() or "timeout" in type(e).__name__.lower() else "AzureError"
            raise ArmError(None, code, text, path) from None
        if resp.status_code >= 300:
            try:
                err = resp.json().get("error", {})
            except (ValueError, AttributeError, HttpResponseError):
                err = {}
            code = "RedirectRefused" if resp.status_code < 400 else str(err.get("code", resp.status_code))
            raise ArmError(resp.status_code, code, str(err.get("message", ""))[:200], path)
        try:
            body = resp.json()
        except (ValueError, HttpResponseError):
            body = None
        if not isinstance(body, dict):  # found by the fault-plan test: a proxy page here used to crash the scan
            raise ArmError(resp.status_code, "InvalidResponse", "the answer is not a JSON object", path)
        return body

    def list(self, path: str, api_version: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Every item of an ARM collection, following nextLink to the end.

        Paging guard: a nextLink (or its ``$skipToken``) seen before on this listing means the service is going
        round in circles; the listing stops with ``ArmError("PagingError")``, so the type (or the detail) it
        belongs to ends with an ERROR coverage record instead of looping or keeping a partial list as complete.
        """
        out: list[dict[str, Any]] = []
        guard = PageGuard(path)
        page = self.get(path, api_version, params)
        home = urlsplit(self.arm_endpoint).netloc
        while True:
            if not isinstance(page.get("value"), list):
                raise ArmError(None, "InvalidResponse", "the answer has no 'value' list", path)
            out.extend(page["value"])
            nxt = page.get("nextLink")
            if not nxt:
                return out
            if urlsplit(str(nxt)).netloc != home:  # the bearer token goes to the ARM host only
                raise ArmError(
                    None, "InvalidResponse", f"nextLink points to another host ({urlsplit(str(nxt)).netloc})", path
                )
            guard.token(str(nxt), "nextLink")
            if len(out) > 1_000_000:
                raise ArmError(None, "PagingError", "nextLink did not end after 1,000,000 items", path)
            page = self.get(nxt, None)


class PageGuard:
    """Remembers the page tokens of one listing; a token seen before raises ``ArmError("PagingError")``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.seen: set[str] = set()

    def token(self, value: str, what: str) -> None:
        key = skip_token(value) if what == "nextLink" else value
        if key in self.seen:
            raise ArmError(
                None,
                "PagingError",
                f"the service returned a {what} it had already returned ({key[:80]!r}); the list was not completed",
                self.path,
            )
        self.seen.add(key)


def skip_token(next_link: str) -> str:
    """The paging position a nextLink carries: its $skipToken (any case) when it has one, else the whole link."""
    for k, v in parse_qsl(urlsplit(next_link).query, keep_blank_values=True):
        if k.lower() == "$skiptoken":
            return f"$skipToken={v}"
    return next_link


def permission_for(path: str) -> str:
    """The Azure RBAC action that authorises a GET on ``path`` (provider/type/.../read)."""
    parts = [p for p in path.split("/") if p]
    try:
        i = max(idx for idx, p in enumerate(parts) if p.lower() == "providers")
    except ValueError:
        if len(parts) >= 3 and parts[2].lower() == "resourcegroups":
            return "Microsoft.Resources/subscriptions/resourceGroups/read"
        if len(parts) >= 3 and parts[2].lower() == "resources":
            return "Microsoft.Resources/subscriptions/resources/read"
        return "Microsoft.Resources/subscriptions/read"
    namespace = parts[i + 1]
    types = parts[i + 2 :: 2]
    return "/".join([namespace, *types, "read"])


def classify(err: ArmError) -> tuple[str, str]:
    denied_codes = ("AuthorizationFailed", "AuthenticationFailed", "LinkedAuthorizationFailed")
    if err.status in (401, 403) or err.code in denied_codes:
        return "denied", f"{err.code} on GET {err.path}: {err.message}".strip()
    if err.status == 429 or err.code in ("TooManyRequests",):
        return "error", f"throttled (429) on GET {err.path} after retries"
    return "error", f"{err.code} on GET {err.path}: {err.message}".strip()


def connect(
    cloud: str = "AzureChinaCloud",
    subscriptions: list[str] | None = None,
    credential: Any = None,
    arm_endpoint: str | None = None,
    transport: Any = None,
) -> AzureContext:
    """Credential (DefaultAzureCredential with the cloud's authority), then the readable subscriptions."""
    if cloud not in CLOUDS:
        raise MlpsError(f"unknown Azure cloud {cloud!r}", f"use one of {', '.join(CLOUDS)}")
    c = CLOUDS[cloud]
    if credential is None:
        from azure.identity import DefaultAzureCredential

        credential = DefaultAzureCredential(authority=c["authority"])
    ctx = AzureContext(
        credential=credential,
        cloud=cloud,
        subscriptions=[],
        identity={"cloud": cloud},
        arm_endpoint=(arm_endpoint or c["arm"]).rstrip("/"),
        scope=c["scope"],
        transport=transport,
    )
    try:
        subs = ctx.list("/subscriptions", "2022-12-01")
    except ArmError as e:
        raise MlpsError(f"Azure: cannot list subscriptions: {classify(e)[1]}") from None
    except WriteAttempt as e:  # pragma: no cover - a GET is never refused
        raise MlpsError(str(e)) from None
    ctx.available_subscriptions = sorted({str(s["subscriptionId"]) for s in subs if s.get("subscriptionId")})
    if subscriptions:
        known = {s["subscriptionId"] for s in subs}
        missing = [s for s in subscriptions if s not in known]
        if missing:
            raise MlpsError(f"subscription(s) {', '.join(missing)} are not readable with this identity")
        subs = [s for s in subs if s["subscriptionId"] in subscriptions]
    if not subs:
        raise MlpsError("the identity can read no subscription", "grant it Reader on the subscriptions to scan")
    ctx.subscriptions = [
        {"id": s["subscriptionId"], "name": s.get("displayName"), "tenant": s.get("tenantId"), "state": s.get("state")}
        for s in subs
    ]
    return ctx

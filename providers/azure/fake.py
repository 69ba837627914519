"""A fake Azure Resource Manager, for tests, benchmarks and the demo: no network, no TLS shortcuts.

``FakeArm(scenario).transport()`` returns an azure-core ``RequestsTransport`` whose ``requests`` session
answers every request itself, so the real pipeline (retry policy, authentication policy, the adapter's
read-only guard) runs against the real China URL (management.chinacloudapi.cn) without leaving the
process. Bodies are ARM-shaped as the REST reference documents them; collections page with
``nextLink``; scenario paths and bodies write the subscription id as ``@SUB@``; faults per path pattern
give 403 AuthorizationFailed, 429 with Retry-After, or a timeout.
``FakeCredential`` hands out a token and records the scopes it was asked for.
"""

from __future__ import annotations

import copy
import io
import json
import re
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
import yaml
from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import RequestsTransport

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def load_scenario(name_or_path: str | Path) -> dict[str, Any]:
    p = Path(name_or_path)
    if not p.exists():
        p = SCENARIOS / f"{name_or_path}.yaml"
    with open(p, encoding="utf-8") as f:
        return yaml.safe_load(f)


class FakeCredential:
    """A TokenCredential that never calls Entra ID; ``scopes`` shows which audience was requested."""

    def __init__(self) -> None:
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **_: Any) -> AccessToken:
        self.scopes.extend(scopes)
        return AccessToken("fake-arm-token", int(time.time()) + 3600)


class FakeArm:
    def __init__(self, scenario: dict[str, Any], page_size: int = 2, latency: float = 0.0) -> None:
        sc = copy.deepcopy(scenario)
        self.page_size, self.latency = page_size, latency
        self.collections: dict[str, list[Any]] = {}
        self.objects: dict[str, Any] = {}
        for sub in sc.get("subscriptions", []):
            sub = _substitute(sub, sub["subscriptionId"])  # "@SUB@" in paths and bodies
            for path, value in (sub.get("collections") or {}).items():
                self.collections[_key(path)] = value
            for path, value in (sub.get("objects") or {}).items():
                self.objects[_key(path)] = value
        self.collections["/subscriptions"] = [
            {
                "id": f"/subscriptions/{s['subscriptionId']}",
                "subscriptionId": s["subscriptionId"],
                "displayName": s.get("displayName"),
                "state": s.get("state", "Enabled"),
                "tenantId": sc.get("tenantId"),
            }
            for s in sc.get("subscriptions", [])
        ]
        self.faults: list[tuple[re.Pattern[str], str, int | None]] = []
        self.requests: list[tuple[str, str]] = []  # (method, url)
        self._lock = threading.Lock()

    def inject(self, path_pattern: str, kind: str, times: int | None = None) -> None:
        """kind: denied (403 AuthorizationFailed), throttle (429 Retry-After: 0), timeout."""
        self.faults.append((re.compile(path_pattern, re.I), kind, times))

    def transport(self) -> RequestsTransport:
        session = requests.Session()
        session.mount("https://", _Adapter(self))
        session.mount("http://", _Adapter(self))
        return RequestsTransport(session=session, session_owner=False)

    # -- answers ---------------------------------------------------------------------------------------
    def answer(self, method: str, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._lock:
            self.requests.append((method, url))
        if self.latency:
            time.sleep(self.latency)
        parts = urlsplit(url)
        path, query = parts.path, parse_qs(parts.query)
        if not headers.get("Authorization", "").startswith("Bearer "):
            return 401, {}, {"error": {"code": "AuthenticationFailed", "message": "no bearer token"}}
        if "api-version" not in query:
            return 400, {}, {"error": {"code": "MissingApiVersionParameter", "message": "api-version missing"}}
        fault = self._fault(path)
        if fault == "denied":
            return (
                403,
                {},
                {
                    "error": {
                        "code": "AuthorizationFailed",
                        "message": (f"The client does not have authorization to perform action over scope '{path}'."),
                    }
                },
            )
        if fault == "throttle":
            return 429, {"Retry-After": "0"}, {"error": {"code": "TooManyRequests", "message": "throttled"}}
        if fault == "timeout":
            raise requests.exceptions.ReadTimeout("fake ARM: read timed out")
        if method != "GET":
            return 405, {}, {"error": {"code": "MethodNotAllowed", "message": f"{method} not allowed"}}
        key = _key(path)
        if key in self.collections:
            rows = self.collections[key]
            skip = int((query.get("$skiptoken") or ["0"])[0])
            page = rows[skip : skip + self.page_size]
            body: dict[str, Any] = {"value": page}
            if skip + self.page_size < len(rows):
                q = {k: v[0] for k, v in query.items()}
                q["$skiptoken"] = str(skip + self.page_size)
                body["nextLink"] = f"{parts.scheme}://{parts.netloc}{path}?{urlencode(q)}"
            return 200, {}, body
        if key in self.objects:
            return 200, {}, self.objects[key]
        return 404, {}, {"error": {"code": "ResourceNotFound", "message": f"{path} was not found"}}

    def _fault(self, path: str) -> str | None:
        with self._lock:
            for n, (pattern, kind, times) in enumerate(self.faults):
                if pattern.search(path):
                    if times is not None:
                        if times <= 0:
                            continue
                        self.faults[n] = (pattern, kind, times - 1)
                    return kind
        return None


def _substitute(value: Any, sid: str) -> Any:
    if isinstance(value, str):
        return value.replace("@SUB@", sid)
    if isinstance(value, list):
        return [_substitute(v, sid) for v in value]
    if isinstance(value, dict):
        return {_substitute(k, sid): _substitute(v, sid) for k, v in value.items()}
    return value


def _key(path: str) -> str:
    return path.rstrip("/").lower()


class _Adapter(requests.adapters.BaseAdapter):
    def __init__(self, fake: FakeArm) -> None:
        super().__init__()
        self.fake = fake

    def send(self, request: Any, **_: Any) -> requests.Response:
        status, headers, body = self.fake.answer(request.method, request.url, dict(request.headers))
        r = requests.Response()
        r.status_code = status
        r.raw = io.BytesIO(json.dumps(body).encode())
        r.headers.update({"Content-Type": "application/json; charset=utf-8", "x-ms-request-id": "fake", **headers})
        r.url, r.request, r.reason = request.url, request, "fake"
        return r

    def close(self) -> None:
        pass

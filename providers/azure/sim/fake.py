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
# Collections whose list model has no nextLink at the pinned api-version: answered in one page, as ARM does
# (tests/providers/azure/test_contract.py fails if a paged answer would carry a key the model lacks).
UNPAGED = (
    re.compile(r"/providers/microsoft\.insights/metricalerts$"),  # MetricAlertResourceCollection (2018-03-01)
    re.compile(r"/providers/microsoft\.network/networkwatchers$"),  # NetworkWatcherListResult (2023-09-01)
    re.compile(r"/providers/microsoft\.insights/diagnosticsettings$"),  # (2021-05-01-preview)
    re.compile(r"/providers/microsoft\.operationalinsights/workspaces$"),  # WorkspaceListResult (2022-10-01)
    re.compile(r"/providers/microsoft\.security/pricings$"),  # PricingList (2018-06-01)
)


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
    def _graph(self, body: dict[str, Any] | None) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Resource Graph: ``type in~ (...)`` over the scenario's typed collections, paged with $skipToken."""
        body = body or {}
        wanted = set(re.findall(r"'([^']+)'", body.get("query", "").split("| project")[0]))
        subs = {s.lower() for s in body.get("subscriptions", [])}
        rows: list[dict[str, Any]] = []
        for key, items in self.collections.items():
            m = re.match(r"^/subscriptions/([^/]+)/.*/providers/([^/]+/.+)$", key) or re.match(
                r"^/subscriptions/([^/]+)/providers/([^/]+/[^/]+)$", key
            )
            if not m or m.group(1) not in subs:
                continue
            arm_type = _arm_type(m.group(2))
            if arm_type in wanted:
                rows.extend({**i, "type": arm_type, "subscriptionId": m.group(1)} for i in items)
        opts = body.get("options") or {}
        skip = int(opts.get("$skipToken") or 0)
        top = int(opts.get("$top") or 1000)
        page = rows[skip : skip + min(top, self.page_size * 5)]
        out: dict[str, Any] = {"totalRecords": len(rows), "count": len(page), "data": page, "resultTruncated": "false"}
        if skip + len(page) < len(rows):
            out["$skipToken"] = str(skip + len(page))
        return 200, {}, out

    def answer(
        self, method: str, url: str, headers: dict[str, str], body: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
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
        if method == "POST" and _key(path) == "/providers/microsoft.resourcegraph/resources":
            return self._graph(body)
        if method != "GET":
            return 405, {}, {"error": {"code": "MethodNotAllowed", "message": f"{method} not allowed"}}
        key = _key(path)
        if key in self.collections and any(p.search(key) for p in UNPAGED):
            return 200, {}, {"value": self.collections[key]}
        if key in self.collections:
            rows = self.collections[key]
            skip = int((query.get("$skiptoken") or ["0"])[0])
            page = rows[skip : skip + self.page_size]
            listing: dict[str, Any] = {"value": page}
            if skip + self.page_size < len(rows):
                q = {k: v[0] for k, v in query.items()}
                q["$skiptoken"] = str(skip + self.page_size)
                listing["nextLink"] = f"{parts.scheme}://{parts.netloc}{path}?{urlencode(q)}"
            return 200, {}, listing
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


class ArmServer:
    """The same fake over real HTTPS on 127.0.0.1, for out-of-process use (CLI tests, the demo).

    TLS is real: a self-signed certificate for 127.0.0.1 is written next to the key, and clients trust it
    through ``REQUESTS_CA_BUNDLE`` (honoured by requests, which azure-core uses); nothing disables checks.
    """

    def __init__(self, fake: FakeArm, workdir: Path) -> None:
        self.fake, self.workdir = fake, Path(workdir)
        self.cert = self.workdir / "fake-arm-cert.pem"
        self._server: Any = None

    def start(self) -> str:
        import ssl
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        key = _self_signed(self.workdir, self.cert)
        fake = self.fake

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def do_DELETE(self) -> None:
                self._answer()

            def _answer(self) -> None:
                url = f"https://{self.headers.get('Host')}{self.path}"
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length)) if length else None
                try:
                    status, headers, body = fake.answer(self.command, url, dict(self.headers), payload)
                except requests.exceptions.ReadTimeout:
                    time.sleep(5)
                    self.close_connection = True
                    return
                data = json.dumps(body).encode()
                self.send_response(status)
                for k, v in {"Content-Type": "application/json; charset=utf-8", **headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        srv.daemon_threads, srv.block_on_close = True, False
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        threading.Thread(target=srv.serve_forever, daemon=True, name="fake-arm").start()
        self._server = srv
        return self.endpoint

    @property
    def endpoint(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _self_signed(workdir: Path, cert_path: Path) -> Path:
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mlps-scanner fake ARM")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    key_path = workdir / "fake-arm-key.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path


def _substitute(value: Any, sid: str) -> Any:
    if isinstance(value, str):
        return value.replace("@SUB@", sid)
    if isinstance(value, list):
        return [_substitute(v, sid) for v in value]
    if isinstance(value, dict):
        return {_substitute(k, sid): _substitute(v, sid) for k, v in value.items()}
    return value


def _arm_type(provider_path: str) -> str:
    """'Microsoft.Network/networkWatchers/nw1/flowLogs' -> 'microsoft.network/networkwatchers/flowlogs'."""
    parts = provider_path.split("/")
    return "/".join([parts[0], *parts[1::2]]).lower()


def _key(path: str) -> str:
    return path.rstrip("/").lower()


class _Adapter(requests.adapters.BaseAdapter):
    def __init__(self, fake: FakeArm) -> None:
        super().__init__()
        self.fake = fake

    def send(self, request: Any, **_: Any) -> requests.Response:  # type: ignore[override]
        payload = json.loads(request.body) if request.body else None
        status, headers, body = self.fake.answer(request.method, request.url, dict(request.headers), payload)
        r = requests.Response()
        r.status_code = status
        r.raw = io.BytesIO(json.dumps(body).encode())
        r.headers.update({"Content-Type": "application/json; charset=utf-8", "x-ms-request-id": "fake", **headers})
        r.url, r.request, r.reason = request.url, request, "fake"
        return r

    def close(self) -> None:
        pass

"""Missing data is never evidence, and nothing bounds a scan but the tool (reliability review M1, M5, L4):
a non-JSON 200, a list page without ``value``, a truncated Resource Graph answer, a nextLink to another
host, a redirect, and a huge Retry-After."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

import requests
from azure.core.pipeline.transport import RequestsTransport

from providers.azure import client, collect
from providers.azure.sim.fake import FakeArm, FakeCredential, _Adapter, load_scenario
from scanner.model import CoverageStatus

PRICINGS = "microsoft.security/pricings"


class Faulty(_Adapter):
    def __init__(self, fake: FakeArm, mode: str) -> None:
        super().__init__(fake)
        self.mode = mode

    def send(self, request: Any, **kw: Any) -> requests.Response:
        if PRICINGS in request.url.lower() and self.mode in ("html", "novalue", "redirect"):
            r = requests.Response()
            r.request, r.url, r.reason = request, request.url, "fault"
            if self.mode == "html":
                r.status_code, r.raw = 200, io.BytesIO(b"<html>proxy error page</html>")
                r.headers["Content-Type"] = "text/html"
            elif self.mode == "novalue":
                r.status_code, r.raw = 200, io.BytesIO(b'{"something": []}')
                r.headers["Content-Type"] = "application/json"
            else:
                r.status_code, r.raw = 307, io.BytesIO(b"")
                r.headers["Location"] = request.url.replace("pricings", "pricings/x/delete")
            return r
        return super().send(request, **kw)


class Truncating(FakeArm):
    def _graph(self, body):  # type: ignore[override]
        st, h, out = super()._graph(body)
        out = {**out, "data": out["data"][:1], "resultTruncated": "true"}
        out.pop("$skipToken", None)
        return st, h, out


class Elsewhere(FakeArm):
    def answer(self, method, url, headers, body=None):  # type: ignore[override]
        status, h, out = super().answer(method, url, headers, body)
        if status == 200 and urlsplit(url).path.lower().endswith("/providers/microsoft.storage/storageaccounts"):
            out = {**out, "nextLink": "https://evil.example/collect?$skiptoken=1"}
        return status, h, out


def _scan(fake: FakeArm, mode: str | None = None, **kw: Any):
    if mode:
        s = requests.Session()
        s.mount("https://", Faulty(fake, mode))
        transport = RequestsTransport(session=s, session_owner=False)
    else:
        transport = fake.transport()
    ctx = client.connect(credential=FakeCredential(), transport=transport)
    return collect.collect(ctx, workers=4, **kw)


def test_a_non_json_answer_or_a_page_without_its_list_is_an_error_never_none():
    for mode in ("html", "novalue"):
        inv = _scan(FakeArm(load_scenario("company")), mode, resource_graph=False)
        (cov,) = [c for c in inv.coverage if c.type == "azure.security.pricing"]
        assert cov.status is CoverageStatus.ERROR and "InvalidResponse" in (cov.reason or ""), (mode, cov)


def test_a_redirect_is_refused_not_followed():
    inv = _scan(FakeArm(load_scenario("company")), "redirect", resource_graph=False)
    (cov,) = [c for c in inv.coverage if c.type == "azure.security.pricing"]
    assert cov.status is CoverageStatus.ERROR and "RedirectRefused" in (cov.reason or "")


def test_a_truncated_resource_graph_answer_falls_back_to_the_per_service_lists():
    full = _scan(FakeArm(load_scenario("company")), resource_graph=False)
    inv = _scan(Truncating(load_scenario("company")))
    assert any("Resource Graph unavailable" in n for n in inv.notes)
    assert sorted((r.type, r.id) for r in inv.resources) == sorted((r.type, r.id) for r in full.resources)


def test_a_next_link_to_another_host_is_not_followed():
    fake = Elsewhere(load_scenario("company"))
    inv = _scan(fake, resource_graph=False)
    (cov,) = [c for c in inv.coverage if c.type == "azure.storage.account"]
    assert cov.status is CoverageStatus.ERROR and "another host" in (cov.reason or "")
    assert not [u for _, u in fake.requests if "evil.example" in u]


def test_retry_after_is_capped():
    class Resp:
        http_response = type("H", (), {"headers": {"Retry-After": "100000"}})()

    policy = client._CappedRetry(retry_total=1)
    assert policy.get_retry_after(Resp()) == client.MAX_RETRY_AFTER

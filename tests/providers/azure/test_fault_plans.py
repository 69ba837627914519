"""Random fault plans through the Azure fake ARM (denials, throttling, a non-JSON 200, a page without its
list, a truncated Resource Graph answer): no requirement item's status may improve over the clean scan."""

from __future__ import annotations

import io
import re
from typing import Any

import requests
from azure.core.pipeline.transport import RequestsTransport
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.azure import client, collect
from providers.azure.sim.fake import FakeArm, FakeCredential, _Adapter, load_scenario
from scanner.catalogue import load_catalogue
from scanner.checks import load_checks
from scanner.engine import evaluate
from scanner.links import load_links
from scanner.rollup import rollup
from scanner.scope import scope_of
from tests.scanner.fault_plans import improved

PATHS = (
    "storageaccounts",
    "networksecuritygroups",
    "flowlogs",
    "virtualmachines",
    "microsoft.compute/disks",
    "microsoft.sql/servers",
    "vaults",
    "pricings",
    "roleassignments",
    "diagnosticsettings",
    "workspaces",
    "assessments",
    "activitylogalerts",
    "metricalerts",
    "/resources",
)
KINDS = ("denied", "throttle", "html", "novalue")


class Planned(_Adapter):
    def __init__(self, fake: FakeArm, content: dict[str, str]) -> None:
        super().__init__(fake)
        self.content = content

    def send(self, request: Any, **kw: Any) -> requests.Response:
        path = request.url.split("?", 1)[0].lower()
        for frag, kind in self.content.items():
            if re.search(re.escape(frag) + r"(/|$)", path):
                r = requests.Response()
                r.request, r.url, r.reason, r.status_code = request, request.url, "fault", 200
                r.raw = io.BytesIO(b"<html>proxy</html>" if kind == "html" else b'{"unexpected": []}')
                r.headers["Content-Type"] = "text/html" if kind == "html" else "application/json"
                return r
        return super().send(request, **kw)


class Truncating(FakeArm):
    def _graph(self, body):  # type: ignore[override]
        st_, h, out = super()._graph(body)
        out = {**out, "data": out["data"][:2], "resultTruncated": "true"}
        out.pop("$skipToken", None)
        return st_, h, out


def statuses(inv) -> dict:
    cat = load_catalogue()
    fs = evaluate(inv, load_checks())
    out = {}
    for r in rollup(cat, load_links(cat), fs, "azure", inv.account_ids, 3, scope_of(inv)):
        out[(r.account, r.item.id)] = r
    return out


def run(plan: list[tuple[str, str]], truncate: bool) -> dict:
    fake = (Truncating if truncate else FakeArm)(load_scenario("company"))
    for frag, kind in plan:
        if kind in ("denied", "throttle"):
            fake.inject(re.escape(frag), kind)
    s = requests.Session()
    s.mount("https://", Planned(fake, {f: k for f, k in plan if k in ("html", "novalue")}))
    ctx = client.connect(credential=FakeCredential(), transport=RequestsTransport(session=s, session_owner=False))
    ctx.retry_total = 0
    return statuses(collect.collect(ctx, workers=4))


_CLEAN: dict = {}
# found by this test: an HTML answer to the Resource Graph query crashed the scan (JSONDecodeError)
REGRESSIONS = [([("/resources", "html")], False), ([("pricings", "novalue")], True)]


def test_known_fault_plans():
    if not _CLEAN:
        _CLEAN.update(run([], False))
    for plan, truncate in REGRESSIONS:
        assert improved(_CLEAN, run(plan, truncate)) == [], plan


@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(PATHS), st.sampled_from(KINDS)), min_size=1, max_size=4, unique_by=lambda t: t[0]
    ),
    st.booleans(),
)
def test_no_fault_plan_improves_any_item(plan, truncate):
    if not _CLEAN:
        _CLEAN.update(run([], False))
    assert improved(_CLEAN, run(plan, truncate)) == []

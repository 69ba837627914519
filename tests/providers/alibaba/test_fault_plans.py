"""Random fault plans through the Alibaba fake (denials, throttling, a 200 without its list, a page that
contradicts its total): no requirement item's status may improve over the fault-free scan."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.alibaba import client, collect
from providers.alibaba.sim.fake import LISTINGS, FakeAlibabaCloud, load_scenario
from scanner.catalogue import load_catalogue
from scanner.checks import load_checks
from scanner.engine import evaluate
from scanner.links import load_links
from scanner.rollup import rollup
from scanner.scope import scope_of
from tests.scanner.fault_plans import improved

ACTIONS = sorted({action for _, action in LISTINGS} | {"GetUserMFAInfo", "DescribeSecurityGroupAttribute", "GetUser"})
KINDS = ("denied", "throttle", "nolist", "shortpage")
# found by this test: ListUsers answering a 200 without its list once gave L3-CES1-05 部分符合 -> 人工核查
REGRESSIONS = [[("ListUsers", "nolist")], [("DescribeVpcs", "shortpage")], [("DescribeSecurityGroups", "nolist")]]


class Planned(FakeAlibabaCloud):
    """The fake, with content faults the stock injector does not make."""

    def __init__(self, scenario: dict[str, Any], content: dict[str, str]) -> None:
        super().__init__(scenario)
        self.content = content

    def answer(self, version, action, query, host_region=None):  # type: ignore[override]
        status, body = super().answer(version, action, query, host_region)
        kind = self.content.get(action)
        if status == 200 and kind == "nolist":
            body = {"RequestId": "fault"}
        elif status == 200 and kind == "shortpage":
            listing = LISTINGS.get((version, action))
            # only where the answer carries a total: without one an empty page is what "none" looks like
            if listing and "page" in listing.paging:
                outer, _, inner = listing.items.partition(".")
                if isinstance(body.get(outer), dict) and inner:
                    body = {**body, outer: {**body[outer], inner: []}}
        return status, body


def statuses(inv) -> dict:
    cat = load_catalogue()
    fs = evaluate(inv, load_checks())
    return {r.item.id: r for r in rollup(cat, load_links(cat), fs, "alibaba", inv.account_ids, 3, scope_of(inv))}


def run(plan: list[tuple[str, str]]) -> dict:
    content = {a: k for a, k in plan if k in ("nolist", "shortpage")}
    with Planned(copy.deepcopy(load_scenario("company")), content) as fake:
        for action, kind in plan:
            if kind in ("denied", "throttle"):
                fake.inject(action, kind)
        ctx = client.connect(endpoint_override=fake.endpoints)
        ctx.max_attempts = 2
        return statuses(collect.collect(ctx, workers=4))


_CLEAN: dict = {}


def test_known_fault_plans(ali_env):
    if not _CLEAN:
        _CLEAN.update(run([]))
    for plan in REGRESSIONS:
        assert improved(_CLEAN, run(plan)) == [], plan


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.sampled_from(KINDS)), min_size=1, max_size=4, unique_by=lambda t: t[0]
    )
)
def test_no_fault_plan_improves_any_item(ali_env, plan):
    if not _CLEAN:
        _CLEAN.update(run([]))
    assert improved(_CLEAN, run(plan)) == []

"""The fake ARM cannot lie: every body it can send conforms to the azure-mgmt-* model of the pinned api-version,
and every field an Azure check reads exists in the model of the call its type is collected from.

Models and the api-version each stands for are in tests/providers/azure/contract.py (``LISTS``, ``PARENTS``,
``DETAILS``); a path of the table without a model fails here, so a new type is covered or the suite is red.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest

from providers.azure.collect import GRAPH_PATH, api_versions, load_specs
from providers.azure.sim.fake import FakeArm, load_scenario
from scanner.checks import load_checks
from tests.providers.aws import shapes
from tests.providers.azure import contract
from tests.providers.azure.contract import M

ARM = "https://management.chinacloudapi.cn"
AUTH = {"Authorization": "Bearer t"}
CHECKS = [c for c in load_checks() if c.provider == "azure"]

# Models that stand in for a pinned api-version no published SDK carries (see contract.SQL_PROXY / PG_PROXY).
EXPECTED_PROXIES = {
    ("azure.sql.server", "list"),
    ("azure.sql.server", "auditing"),
    ("azure.sql.server", "firewallRules"),
    ("azure.sql.server", "administrators"),
    ("azure.sql.database", "list"),
    ("azure.sql.database", "parent"),
    ("azure.sql.database", "transparentDataEncryption"),
    ("azure.rdbms.postgresql-flexible-server", "list"),
    ("azure.rdbms.postgresql-flexible-server", "requireSecureTransport"),
}


def test_every_path_of_the_table_has_a_model_of_its_pinned_version():
    missing, wrong, proxies = [], [], set()
    for name, role, m in contract.every_model():
        if m is None:
            missing.append((name, role))
            continue
        m.cls()  # importable
        folder = re.search(r"\.v(\d{4})_(\d{2})_(\d{2})(_preview)?\.", m.module + ".")
        if folder:  # a multi-api package: the module's own version must be the one stated
            stated = "-".join(folder.groups()[:3]) + ("-preview" if folder.group(4) else "")
            assert stated == m.version, (name, role, m)
        want = contract.pinned(load_specs()[name], role)
        if m.version != want:
            if m.proxy:
                proxies.add((name, role))
            else:
                wrong.append((name, role, m.version, want))
    assert missing == []
    assert wrong == []
    assert proxies == EXPECTED_PROXIES
    assert contract.SUBSCRIPTIONS.version == "2022-12-01"  # client.connect's own call
    assert contract.GRAPH.version == api_versions()["resource_graph"]


# ---- every body the fake sends


def _id_pattern(name: str) -> str:
    """A regex for the ids of one type's items (lower case, as the fake keys its paths)."""
    spec = load_specs()[name]
    parent_path = spec.op.opts.get("parent")
    if parent_path:
        tops = [n for n, s in load_specs().items() if s.op.name == parent_path and not s.op.opts.get("parent")]
        (parent,) = tops or [None]
        base = _id_pattern(parent) if parent else _parent_item(parent_path)
        return base + "/" + re.escape(spec.op.name.split("/")[-1].lower()) + "/[^/]+"
    tail = spec.op.name.split("/providers/", 1)[1].lower()
    return r"/subscriptions/[^/]+/resourcegroups/[^/]+/providers/" + re.escape(tail) + "/[^/]+"


def _parent_item(parent_path: str) -> str:
    tail = parent_path.split("/providers/", 1)[1].lower()
    return r"/subscriptions/[^/]+/resourcegroups/[^/]+/providers/" + re.escape(tail) + "/[^/]+"


def routes() -> list[tuple[re.Pattern[str], str, M]]:
    """(path regex, what, list or detail model) for every path the table can GET."""
    out: list[tuple[re.Pattern[str], str, M]] = [
        (re.compile("^/subscriptions$"), "subscriptions", contract.SUBSCRIPTIONS)
    ]
    for name, spec in load_specs().items():
        parent_path = spec.op.opts.get("parent")
        if parent_path:
            parent = parent_path.lower().replace("{subscription}", "[^/]+")
            out.append((re.compile(f"^{parent}$"), f"{name} parent", contract.PARENTS[name]))
            own = _parent_item(parent_path) + re.escape(spec.op.name.replace("{parent}", "").lower())
        else:
            own = re.escape(spec.op.name.lower()).replace(re.escape("{subscription}"), "[^/]+")
        out.append((re.compile(f"^{own}$"), f"{name} list", contract.LISTS[name]))
        for d in spec.details:
            path = _id_pattern(name) + re.escape(d.op.name.replace("{id}", "").lower())
            out.append((re.compile(f"^{path}$"), f"{name} {d.as_}", contract.DETAILS[(name, d.as_)]))
    return out


def _get(fake: FakeArm, path: str, version: str = "2099-01-01") -> tuple[int, dict[str, Any]]:
    status, _, body = fake.answer("GET", f"{ARM}{path}?{urlencode({'api-version': version})}", AUTH)
    # what the client parses is the JSON text, so compare after a round trip
    return status, json.loads(json.dumps(body))


def fake_problems(scenario: dict[str, Any]) -> tuple[list[str], list[str], int]:
    """(problems, additional-properties keys, bodies checked) over every body the fake serves for a scenario.

    Collections are doubled when they hold one item and served one item a page, so every paged answer carries
    its nextLink (a list model without nextLink must then be answered unpaged, as ARM does)."""
    sc = copy.deepcopy(scenario)
    for sub in sc.get("subscriptions", []):
        for key, items in (sub.get("collections") or {}).items():
            if isinstance(items, list) and len(items) == 1:
                sub["collections"][key] = [items[0], copy.deepcopy(items[0])]
    fake = FakeArm(sc, page_size=1)
    table = routes()
    problems: list[str] = []
    loose: list[str] = []
    checked = 0
    for key in sorted([*fake.collections, *fake.objects]):
        hits = list({m: (what, m) for rx, what, m in table if rx.match(key)}.values())  # a parent is a list too
        if len(hits) != 1:
            problems.append(f"{key}: served by the fake but matched by {len(hits)} paths of the table")
            continue
        what, model = hits[0]
        status, body = _get(fake, key)
        seen = 0
        while True:
            checked += 1
            p, lo = contract.validate(body, model, f"GET {key} ({what}, {model.name})")
            problems += p
            loose += lo
            nxt = body.get("nextLink") if status == 200 else None
            if not nxt or seen > 50:
                break
            seen += 1
            status, _, body = fake.answer("GET", nxt, AUTH)
            body = json.loads(json.dumps(body))
    return problems, loose, checked


def test_every_body_the_fake_sends_conforms_to_the_pinned_model():
    problems, loose, checked = fake_problems(load_scenario("company"))
    assert problems == []
    assert loose == []  # nothing rides on additional_properties
    assert checked > 40


def _graph_pages(fake: FakeArm) -> list[dict[str, Any]]:
    specs = load_specs()
    types = sorted({s.extra.get("arm_type") for s in specs.values() if s.extra.get("arm_type")})
    kql = (
        "Resources | where type in~ (" + ", ".join(f"'{t}'" for t in types) + ") | project id, name, type, "
        "location, tags, sku, kind, properties, subscriptionId"
    )
    body: dict[str, Any] = {"subscriptions": ["00000000-1111-2222-3333-444444444444"], "query": kql, "options": {}}
    pages = []
    for _ in range(50):
        url = f"{ARM}{GRAPH_PATH}?api-version={api_versions()['resource_graph']}"
        status, _, page = fake.answer("POST", url, AUTH, body)
        assert status == 200
        pages.append(json.loads(json.dumps(page)))
        if not page.get("$skipToken"):
            break
        body["options"]["$skipToken"] = page["$skipToken"]
    return pages


def test_resource_graph_answers_conform_and_rows_are_the_arm_items():
    """QueryResponse at 2021-03-01; each row carries only the projected columns, and (Resource Graph holding
    the provider's own ``properties``) each row minus ``subscriptionId`` conforms to the ARM item model."""
    pages = _graph_pages(FakeArm(load_scenario("company"), page_size=1))
    assert len(pages) > 1  # paged with $skipToken
    projected = {"id", "name", "type", "location", "tags", "sku", "kind", "properties", "subscriptionId"}
    by_arm = {s.extra.get("arm_type"): n for n, s in load_specs().items() if s.extra.get("arm_type")}
    problems, rows = [], 0
    for page in pages:
        p, _ = contract.validate(page, contract.GRAPH, "QueryResponse")
        problems += p
        for row in page["data"]:
            rows += 1
            extra = set(row) - projected
            if extra:
                problems.append(f"{row.get('id')}: columns the query does not project: {sorted(extra)}")
            item = contract.item_model(contract.LISTS[by_arm[row["type"]]])
            p, _ = contract.validate({k: v for k, v in row.items() if k != "subscriptionId"}, item, row["id"])
            problems += p
    assert problems == []
    assert rows == 12


@pytest.mark.parametrize(
    ("fault", "method", "status"),
    [("denied", "GET", 403), ("throttle", "GET", 429), (None, "GET", 404), (None, "POST", 405)],
)
def test_error_bodies_are_the_arm_error_envelope(fault, method, status):
    fake = FakeArm(load_scenario("company"))
    path = "/subscriptions/x/providers/Microsoft.Nothing/here"
    if fault:
        fake.inject("Nothing", fault)
    got, _, body = fake.answer(method, f"{ARM}{path}?api-version=2023-09-01", AUTH)
    assert got == status
    assert contract.validate(body, contract.ERROR) == ([], [])
    for headers, url, code in [({}, f"{ARM}{path}?api-version=1", 401), (AUTH, f"{ARM}{path}", 400)]:
        got, _, body = fake.answer("GET", url, headers)
        assert got == code and contract.validate(body, contract.ERROR) == ([], [])


# ---- the checker itself


@pytest.mark.parametrize(
    ("mutate", "wrong"),
    [
        # a key the model lacks (the old name of supportsHttpsTrafficOnly)
        (lambda c: c["storage"][0]["properties"].update(enableHttpsTrafficOnly=True), "enableHttpsTrafficOnly"),
        # wrong nesting: a properties.* member at the top of the item
        (lambda c: c["workspaces"][0].update(retentionInDays=365), "retentionInDays"),
        # wrong type: a number as a string
        (lambda c: c["workspaces"][0]["properties"].update(retentionInDays="365"), "retentionInDays"),
        # an object where the model has a scalar
        (lambda c: c["storage"][0]["properties"].update(minimumTlsVersion={"v": 1}), "minimumTlsVersion"),
        # a scalar where the model has an object
        (lambda c: c["storage"][0]["properties"].update(networkAcls="Deny"), "networkAcls"),
        # the 2014-04-01 TDE field, in a 2021-11-01 body
        (lambda c: c["tde"]["properties"].update(status="Enabled"), "status"),
        # a key inside a list member (NSG rule)
        (lambda c: c["nsg"][0]["properties"]["securityRules"][0]["properties"].update(sourceIp="*"), "sourceIp"),
        # unchanged: passes (the checker does not fail everything)
        (lambda c: None, None),
    ],
)
def test_the_checker_itself(mutate, wrong):
    sc = copy.deepcopy(load_scenario("company"))
    sub = sc["subscriptions"][0]
    cols, objs = sub["collections"], sub["objects"]
    handles = {
        "storage": cols["/subscriptions/@SUB@/providers/Microsoft.Storage/storageAccounts"],
        "workspaces": cols["/subscriptions/@SUB@/providers/Microsoft.OperationalInsights/workspaces"],
        "nsg": cols["/subscriptions/@SUB@/providers/Microsoft.Network/networkSecurityGroups"],
        "tde": next(v for k, v in objs.items() if k.endswith("/transparentDataEncryption/current")),
    }
    mutate(handles)
    problems, _, _ = fake_problems(sc)
    if wrong is None:
        assert problems == []
    else:
        assert problems and all(wrong in p for p in problems), problems


def test_the_checker_fails_a_paged_answer_the_model_cannot_page():
    """A collection whose list model has no nextLink, answered in pages, is caught (PricingList, 2018-06-01)."""
    import providers.azure.sim.fake as fake_mod

    saved = fake_mod.UNPAGED
    fake_mod.UNPAGED = tuple(p for p in saved if "pricings" not in p.pattern)
    try:
        problems, _, _ = fake_problems(load_scenario("company"))
    finally:
        fake_mod.UNPAGED = saved
    assert problems and all("nextLink" in p and "PricingList" in p for p in problems), problems


def test_polymorphic_and_additional_properties_models():
    """Metric alert criteria are polymorphic on odata.type; a key outside the subclass fails, and a model with
    additional_properties reports the extra key apart instead of failing."""
    (alert,) = load_scenario("company")["subscriptions"][0]["collections"][
        "/subscriptions/@SUB@/providers/Microsoft.Insights/metricAlerts"
    ]
    item = contract.item_model(contract.LISTS["azure.monitor.metric-alert"])
    assert contract.validate(alert, item) == ([], [])
    bad = copy.deepcopy(alert)
    bad["properties"]["criteria"]["madeUp"] = 1
    problems, loose = contract.validate(bad, item)
    assert problems or loose
    assert all("madeUp" in p for p in problems + loose)


# ---- every field a check reads


def check_reads(check: Any, doc: shapes.Node) -> list[str]:
    root = shapes.envelope(doc) if check.target == "resource" else doc
    if check.scope == "account":
        root = shapes.Lst(root, "resources")
    out = []
    for path in check.requires:
        base = doc if check.target != "resource" else root
        out += [f"requires {'.'.join(path)}: {p}" for p in contract.reads(".".join(f'"{p}"' for p in path), base)]
    if check.applies_if:  # per resource document, before an account-scope check sees the list
        item = shapes.envelope(doc) if check.target == "resource" else doc
        out += [f"applies_if: {p}" for p in contract.reads(check.applies_if.expression, item)]
    exprs = {"pass_if": check.pass_if.expression}
    exprs |= {f"evidence.{k}": v.expression for k, v in check.evidence.items()}
    for where, expr in exprs.items():
        out += [f"{where}: {p}" for p in contract.reads(expr, root)]
    return out


@pytest.mark.parametrize("check", CHECKS, ids=[c.key for c in CHECKS])
def test_every_field_a_check_reads_is_in_the_model(check):
    bad = {}
    for rtype in check.resources:
        problems = check_reads(check, contract.document(rtype))
        if problems:
            bad[rtype] = problems
    assert bad == {}


def _fake_check(pass_if: str, rtype: str):
    from dataclasses import replace

    (base,) = [c for c in CHECKS if c.key == "azure/secure-transfer-to-storage-accounts-should-be-enabled"]
    return replace(
        base, resources=(rtype,), pass_if_src=pass_if, applies_if_src=None, requires=(), evidence_src={}
    ).compile()


@pytest.mark.parametrize(
    ("pass_if", "rtype", "wrong"),
    [
        ("properties.supportsHttpsTrafficOnly == `true`", "azure.storage.account", None),
        ("properties.enableHttpsTrafficOnly == `true`", "azure.storage.account", "enableHttpsTrafficOnly"),
        ("supportsHttpsTrafficOnly == `true`", "azure.storage.account", "supportsHttpsTrafficOnly"),  # nesting
        ("blobService.deleteRetentionPolicy.enabled == `true`", "azure.storage.account", None),
        ("blobService.properties.deleteRetentionPolicy.enabled", "azure.storage.account", "properties"),
        ("transparentDataEncryption.state == 'Enabled'", "azure.sql.database", None),
        ("transparentDataEncryption.status == 'Enabled'", "azure.sql.database", "status"),  # 2014-04-01 name
        (
            "length(flowLogs[?properties.retentionPolicy.days >= `180`]) > `0`",
            "azure.network.network-security-group",
            None,
        ),
        (
            "length(flowLogs[?properties.retentionDays >= `180`]) > `0`",
            "azure.network.network-security-group",
            "retentionDays",
        ),
        ("properties.retentionInDays >= `180`", "azure.monitor.log-analytics-workspace", None),
        ("properties.retention >= `180`", "azure.monitor.log-analytics-workspace", "retention"),
        ("properties.criteria.allOf[0].threshold > `0`", "azure.monitor.metric-alert", None),
        ("properties.criteria.allOf[0].madeUp > `0`", "azure.monitor.metric-alert", "madeUp"),
    ],
)
def test_the_field_checker_itself(pass_if, rtype, wrong):
    problems = check_reads(_fake_check(pass_if, rtype), contract.document(rtype))
    if wrong is None:
        assert problems == []
    else:
        assert problems and all(wrong in p for p in problems), problems

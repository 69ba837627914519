"""Paging guard (a nextLink or $skipToken that repeats ends that type with an ERROR, never a loop) and declared ids
(every type names its id; a type without one is a load-time error; an item without an id string is not kept)."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from providers.azure import client, collect
from providers.azure.sim.fake import FakeArm, FakeCredential, load_scenario
from scanner.errors import MlpsError
from scanner.load import read_yaml
from scanner.model import CoverageStatus

STORAGE = "/providers/microsoft.storage/storageaccounts"


class LoopingArm(FakeArm):
    """A fake whose answers for paths ending in ``suffix`` carry nextLinks that go round in circles."""

    def __init__(self, scenario: dict[str, Any], suffix: str, cycle: tuple[str, ...]) -> None:
        super().__init__(scenario, page_size=1)
        self.suffix, self.cycle = suffix, cycle

    def answer(self, method, url, headers, body=None):  # type: ignore[override]
        status, h, out = super().answer(method, url, headers, body)
        parts = urlsplit(url)
        if status == 200 and parts.path.lower().endswith(self.suffix):
            token = (parse_qs(parts.query).get("$skiptoken") or [""])[0]
            nxt = self.cycle[(self.cycle.index(token) + 1) % len(self.cycle)] if token in self.cycle else self.cycle[0]
            out = {**out, "nextLink": f"{parts.scheme}://{parts.netloc}{parts.path}?api-version=x&$skiptoken={nxt}"}
        return status, h, out


def _collect(fake: FakeArm, **kw):
    ctx = client.connect(credential=FakeCredential(), transport=fake.transport())
    return collect.collect(ctx, workers=4, **kw), fake


@pytest.mark.parametrize("cycle", [("1",), ("1", "0")], ids=["repeated", "cycle"])
def test_a_repeating_next_link_ends_that_type_with_an_error(cycle):
    inv, fake = _collect(LoopingArm(load_scenario("company"), STORAGE, cycle), resource_graph=False)
    cov = {c.type: c for c in inv.coverage}
    storage = cov["azure.storage.account"]
    assert storage.status is CoverageStatus.ERROR
    assert (
        "PagingError" in storage.reason and "already returned" in storage.reason and "not completed" in storage.reason
    )
    assert not [r for r in inv.resources if r.type == "azure.storage.account"]  # a partial list is not kept
    others = [c for c in inv.coverage if c.type != "azure.storage.account"]
    assert others and all(c.status is CoverageStatus.OK for c in others)
    assert len([u for _, u in fake.requests if STORAGE in u.lower()]) <= len(cycle) + 2  # stopped at once


def test_a_repeating_next_link_in_a_detail_list_marks_its_type():
    inv, _ = _collect(LoopingArm(load_scenario("company"), "/firewallrules", ("1",)), resource_graph=False)
    (sql,) = [c for c in inv.coverage if c.type == "azure.sql.server"]
    assert sql.status is CoverageStatus.ERROR and "PagingError" in sql.reason


class GraphLoop(FakeArm):
    def _graph(self, body):  # type: ignore[override]
        status, h, out = super()._graph(body)
        return status, h, {**out, "$skipToken": "5"}


def test_a_repeating_graph_skip_token_falls_back_to_the_per_service_lists():
    inv, fake = _collect(GraphLoop(load_scenario("company")))
    assert len([m for m, _ in fake.requests if m == "POST"]) == 2  # the token came back once: stopped
    assert len(inv.notes) == 1 and "Resource Graph paging stopped" in inv.notes[0]
    assert "already returned" in inv.notes[0] and "per service" in inv.notes[0]
    assert all(c.status is CoverageStatus.OK for c in inv.coverage)
    assert len([r for r in inv.resources if r.type == "azure.storage.account"]) == 2


def test_page_guard_keys_on_the_skip_token():
    g = client.PageGuard("/x")
    g.token("https://h/x?api-version=1&$skiptoken=a", "nextLink")
    g.token("https://h/x?api-version=1&$skiptoken=b", "nextLink")
    with pytest.raises(client.ArmError) as e:
        g.token("https://h/x?$skipToken=a&api-version=2", "nextLink")  # same position, other spelling
    assert e.value.code == "PagingError"


# ---- ids


def test_every_type_declares_its_id():
    root = Path(collect.__file__).resolve().parent
    for path in sorted(root.glob("*/resources.yaml")):
        for t in read_yaml(path)["types"]:
            if t.get("collect"):
                assert isinstance(t["collect"].get("id"), str) and t["collect"]["id"], (path, t["type"])
    assert all(s.id for s in collect.load_specs().values())


@pytest.fixture
def azure_tree(tmp_path, monkeypatch):
    """A copy of providers/azure's tables that a test may edit; the caches are cleared around it."""
    src = Path(collect.__file__).resolve().parent
    dst = tmp_path / "azure"
    dst.mkdir()
    shutil.copy(src / "api-versions.yaml", dst / "api-versions.yaml")
    for p in src.glob("*/resources.yaml"):
        (dst / p.parent.name).mkdir()
        shutil.copy(p, dst / p.parent.name / "resources.yaml")
    monkeypatch.setattr(collect, "providers_root", lambda: tmp_path)
    collect.load_specs.cache_clear()
    collect.api_versions.cache_clear()
    yield dst
    collect.load_specs.cache_clear()
    collect.api_versions.cache_clear()


def test_a_type_without_an_id_is_a_load_time_error(azure_tree):
    p = azure_tree / "keyvault" / "resources.yaml"
    p.write_text(p.read_text().replace("    id: id  # the ARM resource id\n", ""))
    with pytest.raises(MlpsError, match=r"azure\.keyvault\.vault: collect\.id is missing"):
        collect.load_specs()


def test_ids_are_the_arm_resource_ids_and_an_item_without_one_is_not_kept():
    sc = copy.deepcopy(load_scenario("company"))
    pips = sc["subscriptions"][0]["collections"]["/subscriptions/@SUB@/providers/Microsoft.Network/publicIPAddresses"]
    pips.append({"name": "no-id", "location": "chinaeast2", "properties": {}})
    inv, _ = _collect(FakeArm(sc), resource_graph=False)
    assert all(isinstance(r.id, str) and r.id.startswith("/subscriptions/") for r in inv.resources)
    assert [r.name for r in inv.resources if r.type == "azure.network.public-ip"] == ["web-pip"]
    (cov,) = [c for c in inv.coverage if c.type == "azure.network.public-ip"]
    assert cov.status is CoverageStatus.ERROR and "no id string" in cov.reason


def test_an_unpinned_api_version_is_a_load_time_error_naming_the_file(azure_tree):
    p = azure_tree / "keyvault" / "resources.yaml"
    p.write_text(p.read_text().replace("    api: keyvault\n", "    api: keyvault_next\n"))
    where = r"keyvault/resources\.yaml: azure\.keyvault\.vault"
    with pytest.raises(MlpsError, match=where + r": api 'keyvault_next' has no pinned version"):
        collect.load_specs()


def test_a_post_fails_as_a_get_does():
    """One error mapping for GET and POST: an authentication failure is a 401 on either, never a generic error."""
    from azure.core.exceptions import ClientAuthenticationError

    class Refused:
        def get_token(self, *scopes, **kw):
            raise ClientAuthenticationError("AADSTS7000215: invalid client secret")

    fake = FakeArm(load_scenario("company"))
    ctx = client.AzureContext(
        credential=Refused(),
        cloud="AzureChinaCloud",
        subscriptions=[],
        identity={},
        arm_endpoint="https://management.chinacloudapi.cn",
        scope="https://management.chinacloudapi.cn/.default",
        transport=fake.transport(),
    )
    with pytest.raises(client.ArmError) as get:
        ctx.get("/subscriptions", "2022-12-01")
    with pytest.raises(client.ArmError) as post:
        ctx.post(collect.GRAPH_PATH, "2021-03-01", {})
    for e in (get, post):
        assert (e.value.status, e.value.code) == (401, "AuthenticationFailed")

"""Properties of saving and loading inventories (``scanner.inventory.save`` / ``load``), plain and gzipped.

An inventory is the unit of evidence: whatever an adapter collected must read back exactly, whatever the
cloud put in it (any Unicode, nested lists, big integers, floats, nulls), and the same inventory must
always give the same bytes, or evidence-pack hashes and baselines would drift. The one example-based
round trip in tests/scanner/test_inventory.py covers a single small resource.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from scanner import clouds, inventory
from scanner.inventory import Inventory
from scanner.model import Coverage, CoverageStatus, Resource

# Any Unicode text except lone surrogates (those are exercised by the surrogate test at the end).
TEXT = st.text(max_size=10)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=10
)
DATA = st.dictionaries(TEXT, JSON, max_size=5)  # a resource's configuration as the API returned it
OPT_TEXT = st.none() | TEXT

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def inventories(draw: st.DrawFn) -> Inventory:
    provider = draw(st.sampled_from(clouds.names()))
    resources = draw(
        st.lists(
            st.builds(
                Resource,
                provider=st.just(provider),
                account=TEXT,
                region=TEXT,
                type=TEXT,
                id=TEXT,
                name=OPT_TEXT,
                tags=st.dictionaries(TEXT, TEXT, max_size=3),
                data=DATA,
                source=st.sampled_from(["live", "iac"]),
                location=OPT_TEXT,
            ),
            max_size=4,
        )
    )
    coverage = draw(
        st.lists(
            st.builds(
                Coverage,
                account=TEXT,
                region=TEXT,
                type=TEXT,
                status=st.sampled_from(list(CoverageStatus)),
                reason=OPT_TEXT,
                permission=OPT_TEXT,
            ),
            max_size=3,
        )
    )
    scope = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "regions_available": st.none() | st.lists(TEXT, max_size=3),
                "accounts_available": st.none() | st.lists(TEXT, max_size=3),
                "sweep": st.fixed_dictionaries({"type": TEXT, "complete": st.booleans()}, optional={"limits": TEXT}),
            },
        )
    )
    return Inventory(
        provider=provider,
        accounts=draw(st.lists(st.fixed_dictionaries({"id": TEXT}, optional={"name": OPT_TEXT}), max_size=2)),
        regions=draw(st.lists(TEXT, max_size=3)),
        identity=draw(DATA),
        started_at=draw(TEXT),
        finished_at=draw(TEXT),
        resources=resources,
        coverage=coverage,
        tool_version=draw(TEXT),
        source=draw(st.sampled_from(["live", "iac", "example"])),
        notes=draw(st.lists(TEXT, max_size=2)),
        scope=scope,
    )


def _one_resource(data: dict[str, Any]) -> Inventory:
    inv = Inventory.new("aws", [{"id": "111122223333"}], ["cn-north-1"], {})
    inv.resources.append(Resource("aws", "111122223333", "cn-north-1", "aws.s3.bucket", "b", data=data))
    return inv


@SETTINGS
@given(inventories(), st.sampled_from(["inv.json", "inv.json.gz"]))
@example(_one_resource({"中文键": ["值", None, True, 0, -(2**63), 2**64, 1.5e-300, -0.0, {"": [[]]}]}), "inv.json.gz")
def test_save_then_load_gives_the_inventory_back(tmp_path: Path, inv: Inventory, name: str) -> None:
    back = inventory.load(inventory.save(inv, tmp_path / name))
    assert back.to_dict() == inv.to_dict()
    # the loaded objects, not only their serialisation: what the engine evaluates
    assert [r.data for r in back.resources] == [r.data for r in inv.resources]
    # an empty reason or permission is written as absent (Coverage.to_dict), so it reads back as None
    assert [(c.status, c.permission) for c in back.coverage] == [(c.status, c.permission or None) for c in inv.coverage]


@SETTINGS
@given(inventories())
def test_save_is_deterministic_and_gzip_holds_the_same_json(tmp_path: Path, inv: Inventory) -> None:
    plain = inventory.save(inv, tmp_path / "a.json").read_bytes()
    assert inventory.save(inv, tmp_path / "b.json").read_bytes() == plain
    packed = inventory.save(inv, tmp_path / "a.json.gz").read_bytes()
    assert packed[:2] == b"\x1f\x8b"
    assert inventory.save(inv, tmp_path / "b.json.gz").read_bytes() == packed  # gzip mtime is pinned
    assert gzip.decompress(packed) == plain
    assert json.loads(plain) == inv.to_dict()


@SETTINGS
@given(st.text(st.characters(categories=["Cs"]), min_size=1, max_size=2))
@example("\ud800")
def test_save_accepts_every_string_json_can_read(tmp_path: Path, value: str) -> None:
    assume(json.loads(json.dumps(value)) == value)  # two surrogates json.loads would have read as one character
    inv = _one_resource({"Description": value})
    back = inventory.load(inventory.save(inv, tmp_path / "inv.json"))
    assert back.to_dict() == inv.to_dict()

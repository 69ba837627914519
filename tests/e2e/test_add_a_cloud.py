"""docs/adding-a-cloud.md, kept honest: a toy cloud held in memory is registered and scanned end to end.

The toy is one folder (tests/toycloud: a service with resources.yaml and one check, a transport, an adapter),
one registry entry (``register`` below, the run-time twin of a line in providers/clouds.yaml) and no change
anywhere else: the scan command, the loaders, the engine, the roll-up and the findings document take it as
they take the shipped clouds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.main import main
from scanner.clouds import Cloud, names, register, unregister
from scanner.load import schema
from tests.toycloud import transport

TOY = Path(__file__).resolve().parents[1] / "toycloud"


@pytest.fixture
def toy() -> Iterator[None]:
    register(Cloud(name="toy", zh="玩具云", en="Toy Cloud", adapter="tests.toycloud.adapter", root=TOY))
    try:
        yield
    finally:
        unregister("toy")
        transport.DENIED.clear()


def test_a_registered_toy_cloud_is_scanned_end_to_end(
    toy: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "toy" in names()
    code = main(["scan", "toy", "--out", str(tmp_path), "--quiet", "--report-format", "md", "--fail-on", "high"])
    assert code == 1  # an unlocked box fails a high-severity check
    doc = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert list(schema("findings").iter_errors(doc)) == []
    got = {(f["check"], f["resource_name"]): f["status"] for f in doc["findings"]}
    assert got == {
        ("toy/toy-box-locked", "payroll"): "PASS",
        ("toy/toy-box-locked", "scratch"): "FAIL",
        ("toy/toy-box-locked", "archive"): "PASS",
    }
    (meta,) = doc["inventories"]
    assert meta["provider"] == "toy" and meta["collection_errors"] == []
    assert (tmp_path / "report.md").stat().st_size > 0


def test_the_toy_clouds_denial_names_its_permission_and_is_never_a_pass(toy: None, tmp_path: Path) -> None:
    transport.DENIED.add("toy-east")
    assert main(["scan", "toy", "--out", str(tmp_path), "--quiet", "--report-format", "none"]) == 0
    doc = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    (meta,) = doc["inventories"]
    (err,) = meta["collection_errors"]
    assert (err["region"], err["status"], err["permission"]) == ("toy-east", "denied", "toy:ListBoxes")
    assert {f["status"] for f in doc["findings"]} == {"ERROR"}


def test_options_of_one_cloud_are_refused_for_another(toy: None, tmp_path: Path) -> None:
    assert main(["scan", "aws", "--toy-token", "x", "--out", str(tmp_path)]) == 2
    assert main(["scan", "toy", "--profile", "x", "--out", str(tmp_path)]) == 2


def test_a_cloud_that_is_not_registered_is_refused(tmp_path: Path) -> None:
    assert "toy" not in names()
    assert main(["scan", "toy", "--out", str(tmp_path)]) == 2

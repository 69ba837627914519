"""Saving and loading inventories, and the one-line errors for bad ones."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from scanner import atomic, inventory
from scanner.errors import MlpsError
from scanner.model import Coverage, CoverageStatus
from tests.conftest import make_inventory


def test_roundtrip_plain_and_gzip(tmp_path: Path):
    inv = make_inventory("aws", [{"type": "aws.s3.bucket", "id": "b", "data": {"Name": "b", "中文": "数据"}}])
    inv.coverage.append(
        Coverage(
            inv.account_ids[0],
            "cn-north-1",
            "aws.rds.instance",
            CoverageStatus.DENIED,
            "AccessDenied",
            "rds:DescribeDBInstances",
        )
    )
    for name in ("inv.json", "inv.json.gz"):
        path = inventory.save(inv, tmp_path / name)
        back = inventory.load(path)
        assert back.to_dict() == inv.to_dict()
        assert [c.permission for c in back.errors] == ["rds:DescribeDBInstances"]
    assert (tmp_path / "inv.json.gz").read_bytes()[:2] == b"\x1f\x8b"


def _write(tmp_path: Path, doc, name="x.json") -> Path:
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return p


@pytest.mark.parametrize(
    "doc,match",
    [
        ("{not json", "invalid JSON at line 1"),
        ([], "top level is list"),
        ({"kind": "mlps-findings"}, "kind is 'mlps-findings'"),
        ({"kind": "mlps-inventory", "schema_version": 99}, "schema version 99 is not supported"),
        ({"kind": "mlps-inventory", "schema_version": 1, "provider": "gcp"}, "unknown provider 'gcp'"),
        (
            {
                "kind": "mlps-inventory",
                "schema_version": 1,
                "provider": "aws",
                "scan": {},
                "accounts": [],
                "regions": [],
                "coverage": [],
                "resources": [{"type": "x"}],
            },
            r"resources\[0\] is malformed",
        ),
        (
            {
                "kind": "mlps-inventory",
                "schema_version": 1,
                "provider": "aws",
                "scan": {},
                "accounts": [],
                "regions": [],
                "coverage": [{"account": "a", "region": "r", "type": "t", "status": "maybe"}],
                "resources": [],
            },
            r"coverage\[0\] is malformed",
        ),
    ],
)
def test_bad_inventories_give_one_line_errors(tmp_path: Path, doc, match):
    with pytest.raises(MlpsError, match=match) as e:
        inventory.load(_write(tmp_path, doc))
    assert "\n" not in e.value.one_line()


def test_corrupt_gzip(tmp_path: Path):
    p = tmp_path / "x.json.gz"
    p.write_bytes(gzip.compress(b"{}")[:12])
    with pytest.raises(MlpsError, match="corrupt gzip"):
        inventory.load(p)


def test_save_is_atomic_and_keeps_old_file_on_failure(tmp_path: Path, monkeypatch):
    inv = make_inventory("aws", [])
    path = inventory.save(inv, tmp_path / "inv.json")
    before = path.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError):
        inventory.save(make_inventory("aws", [{"type": "aws.s3.bucket", "data": {}}]), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["inv.json"]

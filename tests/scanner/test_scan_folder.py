"""A scan folder holds one account's scan, written under the folder's lock (reliability review M8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.scan import _one_account_per_folder
from scanner import inventory as inventory_mod
from scanner.atomic import folder_lock
from scanner.errors import MlpsError


def test_a_folder_holding_another_accounts_scan_is_refused(tmp_path: Path):
    inventory_mod.save(
        inventory_mod.Inventory.new("aws", [{"id": "111111111111"}], [], {}), tmp_path / "inventory.json.gz"
    )
    _one_account_per_folder(
        tmp_path, inventory_mod.Inventory.new("aws", [{"id": "111111111111"}], [], {})
    )  # same: fine
    with pytest.raises(MlpsError, match="holds the scan of aws 111111111111"):
        _one_account_per_folder(tmp_path, inventory_mod.Inventory.new("aws", [{"id": "999999999999"}], [], {}))


def test_the_folder_lock_is_reentrant_within_one_run(tmp_path: Path):
    with folder_lock(tmp_path), folder_lock(tmp_path):  # a scan holds it while its reports write
        pass

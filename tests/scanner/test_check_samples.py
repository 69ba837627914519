"""Every shipped check against its pass / fail / error / not-applicable samples.

Samples live in tests/providers/<cloud>/<service>/<check-id>.yaml and are shaped like the API
responses the adapters store, so a check that reads the wrong field fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scanner.checks import load_checks
from scanner.model import Status
from tests.conftest import make_inventory, run_check

SAMPLES = Path(__file__).resolve().parent.parent / "providers"
CHECKS = {c.key: c for c in load_checks()}
EXPECT = {"pass": Status.PASS, "fail": Status.FAIL, "error": Status.ERROR, "not_applicable": Status.NOT_APPLICABLE}


def _cases():
    for key, check in sorted(CHECKS.items()):
        path = SAMPLES / check.provider / check.service / f"{check.id}.yaml"
        if not path.exists():
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind, samples in doc.items():
            for n, sample in enumerate(samples):
                yield pytest.param(key, kind, sample, id=f"{key}-{kind}-{n}")


def test_every_check_has_pass_and_fail_samples():
    missing = []
    for key, check in CHECKS.items():
        path = SAMPLES / check.provider / check.service / f"{check.id}.yaml"
        if not path.exists():
            missing.append(key)
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not doc.get("pass") or not doc.get("fail"):
            missing.append(key)
    assert missing == []


@pytest.mark.parametrize(("key", "kind", "sample"), list(_cases()))
def test_sample(key, kind, sample):
    check = CHECKS[key]
    rtype = check.resources[0]
    if check.scope == "account":
        resources = [{"type": rtype, "data": d} for d in sample]
        inv = make_inventory(check.provider, resources, types=[rtype])
        findings = [f for f in run_check(check, inv) if f.resource_id == inv.account_ids[0]]
    elif check.target == "resource":
        inv = make_inventory(
            check.provider,
            [{"type": rtype, "region": sample["region"], "data": sample["data"]}],
            regions=(sample["region"],),
        )
        findings = [f for f in run_check(check, inv) if f.resource_type == rtype]
    else:
        inv = make_inventory(check.provider, [{"type": rtype, "data": sample}])
        findings = run_check(check, inv)
    statuses = [f.status for f in findings]
    assert statuses == [EXPECT[kind]], (statuses, [f.message for f in findings])

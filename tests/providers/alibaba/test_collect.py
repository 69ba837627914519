"""The Alibaba adapter against the local fake seeded with the shared scenario."""

from __future__ import annotations

import json

from scanner.catalogue import load_catalogue
from scanner.checks import load_checks
from scanner.engine import evaluate
from scanner.links import load_links
from scanner.model import CoverageStatus, ReqStatus, Status
from tests.providers.alibaba.conftest import SEEDED


def outcomes(inv):
    fs = evaluate(inv, load_checks())
    by: dict = {}
    for f in fs:
        by.setdefault(f.check, {})[f.resource_name or f.resource_id] = f.status
    return fs, by


def test_identity_regions_and_signatures(scan, fake):
    inv, ctx = scan
    assert ctx.account == "1234567890123456" and ctx.identity_arn.startswith("acs:ram::1234567890123456:")
    assert inv.regions == ["cn-hangzhou", "cn-shanghai", "cn-hongkong"]
    assert fake.signature_failures == 0 and len(fake.calls) >= ctx.calls > 50


def test_every_collected_type_is_ok_and_gaps_are_named(scan):
    from providers.alibaba.collect import load_specs

    inv, _ = scan
    assert {c.type for c in inv.coverage} == set(load_specs())
    assert [c for c in inv.coverage if c.status is not CoverageStatus.OK] == []
    assert any("polardb (service)" in n for n in inv.notes)
    # the root account (MFA, AccessKeys) is collected through IMS now, so it is no longer named as a gap
    assert not any("alibaba.ram.account-summary" in n or "root" in n.lower() for n in inv.notes)
    assert not any("alibaba.sls" in n for n in inv.notes)


def test_pagination_reaches_every_item(scan):
    inv, _ = scan
    users = sorted(r.name for r in inv.resources if r.type == "alibaba.ram.user")
    assert users == ["ci-bot", "dev-li", "ops-admin"]


def test_outcomes_per_check(scan):
    inv, _ = scan
    _, by = outcomes(inv)
    assert by["alibaba/ram-user-mfa-check"] == {"ops-admin": Status.PASS, "dev-li": Status.FAIL}
    assert by["alibaba/ecs-security-group-risky-ports-check-with-protocol"] == {
        "web": Status.PASS,
        "ops-open": Status.FAIL,
    }
    assert by["alibaba/rds-public-connection-and-any-ip-access-check"] == {"orders": Status.PASS, "legacy": Status.FAIL}
    assert by["alibaba/rds-instance-enabled-auditing"] == {"orders": Status.PASS, "legacy": Status.FAIL}
    assert by["alibaba/oss-bucket-public-read-prohibited"]["hk-public-site"] is Status.FAIL
    assert by["alibaba/oss-bucket-only-https-enabled"]["corp-data"] is Status.PASS
    assert by["alibaba/actiontrail-trail-intact-enabled"] == {"1234567890123456": Status.PASS}
    assert by["alibaba/vpc-flow-logs-enabled"] == {"prod": Status.PASS, "intl": Status.FAIL}
    assert by["alibaba/sls-logstore-retention-sufficient"] == {"actiontrail": Status.PASS, "flowlog": Status.FAIL}
    assert by["alibaba/sls-logstore-enabled-encrypt"] == {"actiontrail": Status.PASS, "flowlog": Status.FAIL}
    assert by["alibaba/slb-acl-public-access-check"] == {"office": Status.PASS, "temp-any": Status.FAIL}
    assert by["alibaba/oss-bucket-referer-enabled"]["corp-data"] is Status.PASS
    assert by["alibaba/rds-instance-has-guard-instance"] == {"orders": Status.PASS, "legacy": Status.FAIL}
    assert by["alibaba/rds-multi-az-support"] == {"orders": Status.PASS, "legacy": Status.FAIL}
    loc = by["alibaba/resource-region-in-mainland-china"]
    assert loc["hk-public-site"] is Status.FAIL and loc["intl"] is Status.FAIL and loc["corp-data"] is Status.PASS


def test_outcomes_per_requirement_item(scan):
    inv, _ = scan
    fs, _ = outcomes(inv)
    cat = load_catalogue()
    res = {r.item.id: r for r in rollup_of(cat, fs, inv)}
    assert res["L3-CES1-04"].status is ReqStatus.PARTIAL  # ops-admin has MFA, dev-li not
    assert res["L3-CES2-10"].status is ReqStatus.PARTIAL  # Hong Kong bucket and VPC
    assert "cn-hongkong" in json.dumps(
        [f.evidence for f in fs if f.status is Status.FAIL and f.check == "alibaba/resource-region-in-mainland-china"]
    )
    assert res["L3-CNS2-02"].status is ReqStatus.PROVIDER
    assert res["L3-SMC1-10"].status is ReqStatus.PARTIAL  # audit logstore 180 days, flow-log store 90 days


def rollup_of(cat, fs, inv):
    from scanner.rollup import rollup

    return rollup(cat, load_links(cat), fs, "alibaba", inv.account_ids, 3)


def test_seeded_secrets_never_reach_the_inventory(scan, tmp_path):
    from scanner import inventory

    inv, _ = scan
    text = inventory.save(inv, tmp_path / "inv.json").read_text(encoding="utf-8")
    assert [s for s in SEEDED if s in text] == []
    (web,) = [r for r in inv.resources if r.name == "web-1" and r.type == "alibaba.ecs.instance"]
    assert web.data["UserData"] == "[REDACTED]"


def test_oss_bucket_details(scan):
    inv, _ = scan
    b = {r.id: r for r in inv.resources if r.type == "alibaba.oss.bucket"}
    data = b["corp-data"].data
    assert b["corp-data"].region == "cn-hangzhou" and b["hk-public-site"].region == "cn-hongkong"
    assert data["Acl"] == "private" and data["Info"]["DataRedundancyType"] == "ZRS"
    assert data["ServerSideEncryption"]["SSEAlgorithm"] == "KMS" and data["Versioning"] == "Enabled"
    assert data["Replication"] == [
        {
            "ID": "to-shanghai",
            "TargetBucket": "corp-data-dr",
            "TargetLocation": "oss-cn-shanghai",
            "TargetRegion": "cn-shanghai",
            "Status": "doing",
        }
    ]
    assert b["hk-public-site"].data["Policy"] is None and b["hk-public-site"].data["ServerSideEncryption"] is None

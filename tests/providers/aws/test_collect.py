"""The AWS adapter against moto (cn-north-1 / cn-northwest-1) seeded with the shared scenario."""

from __future__ import annotations

import json

from scanner.catalogue import load_catalogue
from scanner.checks import load_checks
from scanner.engine import evaluate
from scanner.links import load_links
from scanner.model import CoverageStatus, ReqStatus, Status
from scanner.rollup import rollup
from scanner.scope import scope_of


def outcomes(inv):
    fs = evaluate(inv, load_checks())
    by = {}
    for f in fs:
        by.setdefault(f.check, {})[f.resource_name or f.resource_id] = f.status
    return fs, by


def test_partition_regions_and_identity(scan):
    inv, ctx, _ = scan
    assert ctx.partition == "aws-cn" and ctx.regions == ["cn-north-1", "cn-northwest-1"]
    assert inv.identity["arn"].startswith("arn:aws-cn:")
    assert inv.accounts == [{"id": "123456789012", "partition": "aws-cn"}]


def test_every_declared_type_has_coverage(scan):
    from providers.aws.collect import load_specs

    inv, _, _ = scan
    covered = {c.type for c in inv.coverage}
    assert covered == set(load_specs())
    bad = [
        (c.type, c.region, c.status)
        for c in inv.coverage
        if c.status not in (CoverageStatus.OK, CoverageStatus.NOT_AVAILABLE)
    ]
    assert bad == []


def test_service_absent_from_partition_is_not_applicable(scan):
    inv, _, _ = scan
    macie = [c for c in inv.coverage if c.type == "aws.macie2.session"]
    assert {c.status for c in macie} == {CoverageStatus.NOT_AVAILABLE}
    assert "not available in partition aws-cn" in macie[0].reason


def test_outcomes_per_check(scan):
    inv, _, made = scan
    _, by = outcomes(inv)
    assert by["aws/mfa-enabled-for-iam-console-access"] == {"alice": Status.PASS, "bob": Status.FAIL}
    assert by["aws/iam-policy-no-statements-with-admin-access"] == {
        "legacy-admin": Status.FAIL,
        "deploy-app": Status.PASS,
    }
    assert by["aws/iam-password-policy"] == {"123456789012": Status.PASS}
    sg = by["aws/restricted-common-ports"]
    assert sg["ssh-anywhere"] is Status.FAIL and sg["web"] is Status.PASS
    assert by["aws/cw-loggroup-retention-period-check"] == {
        "/vpc/flow": Status.PASS,
        "cloudtrail/org-trail": Status.PASS,
        "/app/web": Status.FAIL,
    }
    assert by["aws/rds-instance-public-access-check"] == {"orders-db": Status.PASS, "reporting-db": Status.FAIL}
    assert by["aws/rds-storage-encrypted"] == {"orders-db": Status.PASS, "reporting-db": Status.FAIL}
    assert by["aws/s3-bucket-level-public-access-prohibited"]["app-artifacts"] is Status.PASS
    assert by["aws/s3-bucket-level-public-access-prohibited"]["marketing-assets"] is Status.FAIL
    assert by["aws/s3-bucket-ssl-requests-only"]["app-artifacts"] is Status.PASS
    assert by["aws/cloud-trail-log-file-validation-enabled"] == {"org-trail": Status.PASS, "legacy-trail": Status.FAIL}
    assert by["aws/multi-region-cloudtrail-enabled"] == {"123456789012": Status.PASS}
    assert by["aws/ec2-ebs-encryption-by-default"] == {"cn-north-1": Status.PASS, "cn-northwest-1": Status.FAIL}
    assert by["aws/guardduty-enabled-centralized"] == {"cn-north-1": Status.PASS, "cn-northwest-1": Status.FAIL}
    keys = {k.rsplit("/", 1)[1]: v for k, v in by["aws/cmk-backing-key-rotation-enabled"].items()}
    assert keys[made["good_key"]] is Status.PASS and Status.FAIL in keys.values()
    loc = set(by["aws/resource-region-in-mainland-china"].values())
    assert Status.PASS in loc and Status.FAIL not in loc and Status.ERROR not in loc
    # new checks: instance-change alarm, alarm action, egress, malware protection, cross-region backup
    assert by["aws/cloudtrail-instance-change-alarm"] == {"123456789012": Status.PASS}
    assert by["aws/cloudwatch-alarm-action-configured"] == {"123456789012": Status.PASS}
    egress = by["aws/ec2-security-group-egress-restricted"]
    assert egress["web"] is Status.PASS and egress["ssh-anywhere"] is Status.FAIL and egress["default"] is Status.FAIL
    assert by["aws/guardduty-malware-protection-enabled"] == {"cn-north-1": Status.PASS, "cn-northwest-1": Status.FAIL}
    repl = by["aws/s3-bucket-cross-region-replication"]
    assert repl["app-artifacts"] is Status.PASS and repl["marketing-assets"] is Status.FAIL
    assert by["aws/rds-cross-region-backup"] == {"orders-db": Status.FAIL, "reporting-db": Status.FAIL}


def test_outcomes_per_requirement_item(scan):
    inv, _, _ = scan
    fs, _ = outcomes(inv)
    cat = load_catalogue()
    scope = scope_of(inv)
    res = {r.item.id: r for r in rollup(cat, load_links(cat), fs, "aws", inv.account_ids, 3, scope)}
    assert res["L3-CES1-04"].status is ReqStatus.PARTIAL  # alice has MFA; root (moto) and bob do not
    assert res["L3-CES1-28"].status is ReqStatus.PARTIAL  # some volumes, buckets, DBs encrypted, some not
    # every resource is in cn-north-1 / cn-northwest-1, but the sweep (tagging API) is incomplete: reviewed, not 符合
    assert res["L3-CES2-10"].status is ReqStatus.MANUAL
    assert res["L3-CNS2-02"].status is ReqStatus.PROVIDER
    assert res["L3-SMC1-10"].status is ReqStatus.PARTIAL  # trail ok, /app/web kept 30 days
    level2 = {r.item.id: r for r in rollup(cat, load_links(cat), fs, "aws", inv.account_ids, 2, scope)}
    assert "L3-CES1-04" not in level2 and level2["L3-CES2-10"].info.unit_id == "L2-CES2-05"


def test_seeded_secrets_never_reach_the_inventory(scan, tmp_path):
    from providers.aws.sim.scenario import SEEDED_SECRETS
    from scanner import inventory

    inv, _, _ = scan
    path = inventory.save(inv, tmp_path / "inv.json")
    text = path.read_text(encoding="utf-8")
    assert [s for s in SEEDED_SECRETS if s in text] == []
    (fn,) = [r for r in inv.resources if r.type == "aws.lambda.function"]
    assert fn.data["Environment"]["Variables"] == {"STRIPE_KEY": "[REDACTED]", "STAGE": "[REDACTED]"}
    assert "Sup3r-Secret-Pw" not in text  # RDS master password is never returned, and would be redacted


def test_inventory_is_json_and_reloads(scan, tmp_path):
    from scanner import inventory

    inv, _, _ = scan
    back = inventory.load(inventory.save(inv, tmp_path / "inv.json.gz"))
    assert json.dumps(back.to_dict(), sort_keys=True) == json.dumps(inv.to_dict(), sort_keys=True)


def test_bucket_details_and_absent_configuration(scan):
    inv, _, _ = scan
    buckets = {r.id: r for r in inv.resources if r.type == "aws.s3.bucket"}
    good, bare = buckets["app-artifacts"].data, buckets["marketing-assets"].data
    assert good["Location"] == "cn-north-1" and good["Policy"]["Statement"][0]["Sid"] == "TLSOnly"
    assert bare["Policy"] is None and bare["Encryption"] is None and bare["PublicAccessBlock"] is None
    assert buckets["app-artifacts"].region == "cn-north-1"


def test_scope_records_regions_and_the_tagging_api_sweep(scan):
    """moto has no Resource Explorer and no recorder is on, so the sweep falls back to the tagging API: incomplete."""
    inv, _, _ = scan
    assert inv.scope["regions_available"] == ["cn-north-1", "cn-northwest-1"]
    sweep = inv.scope["sweep"]
    assert sweep["type"] == "aws.inventory.resource"
    assert sweep["method"] == "tagging-api" and sweep["complete"] is False
    assert "only resources that have or once had tags" in sweep["limits"]
    assert sweep["skipped"] and sweep["skipped"][1] == "config: no AWS Config recorder is recording"
    rows = [r for r in inv.resources if r.type == "aws.inventory.resource"]
    placed = {(r.region, r.data["ResourceType"]) for r in rows if r.region != "global"}
    assert placed == {
        ("cn-north-1", "ec2:vpc"),
        ("cn-north-1", "ec2:volume"),
        ("cn-northwest-1", "ec2:vpc"),
        ("cn-northwest-1", "ec2:volume"),
    }
    fs, by = outcomes(inv)
    assert set(by["aws/account-resources-in-mainland-china"].values()) == {Status.PASS}
    # the detailed location check does not count the sweep records a second time
    loc = [f for f in fs if f.check == "aws/resource-region-in-mainland-china"]
    assert loc and not any(f.resource_type == "aws.inventory.resource" for f in loc)
    # and the scope survives a save and reload
    assert scope_of(inv).sweep["method"] == "tagging-api"

"""Engine semantics: coverage decides what an empty list means; missing data is never a pass."""

from __future__ import annotations

from scanner.checks import load_checks
from scanner.model import Coverage, CoverageStatus, Status
from tests.conftest import make_inventory, run_check

CHECKS = {c.key: c for c in load_checks()}
RDS = CHECKS["aws/rds-storage-encrypted"]
TRAIL = CHECKS["aws/multi-region-cloudtrail-enabled"]
ACCT = "111122223333"


def test_denied_type_gives_error_with_permission_never_pass():
    cov = [
        Coverage(
            ACCT,
            "cn-north-1",
            "aws.rds.instance",
            CoverageStatus.DENIED,
            "AccessDenied calling DescribeDBInstances",
            "rds:DescribeDBInstances",
        )
    ]
    findings = run_check(RDS, make_inventory("aws", [], coverage=cov))
    assert [f.status for f in findings] == [Status.ERROR]
    assert "rds:DescribeDBInstances" in findings[0].message
    assert findings[0].evidence["missing_permission"] == "rds:DescribeDBInstances"


def test_type_never_collected_gives_error():
    findings = run_check(RDS, make_inventory("aws", [], coverage=[]))
    assert [(f.status, f.message) for f in findings] == [
        (Status.ERROR, "resource type aws.rds.instance was not collected for this account")
    ]


def test_collected_and_empty_gives_not_applicable():
    findings = run_check(RDS, make_inventory("aws", [], types=["aws.rds.instance"]))
    assert [f.status for f in findings] == [Status.NOT_APPLICABLE]


def test_not_available_in_partition_is_not_applicable_with_reason():
    cov = [
        Coverage(
            ACCT,
            "cn-north-1",
            "aws.rds.instance",
            CoverageStatus.NOT_AVAILABLE,
            "rds is not available in partition aws-cn",
        )
    ]
    findings = run_check(RDS, make_inventory("aws", [], coverage=cov))
    assert [(f.status, f.message) for f in findings] == [
        (Status.NOT_APPLICABLE, "rds is not available in partition aws-cn")
    ]


def test_one_region_failing_keeps_the_other_regions_results():
    cov = [
        Coverage(ACCT, "cn-north-1", "aws.rds.instance", CoverageStatus.OK),
        Coverage(ACCT, "cn-northwest-1", "aws.rds.instance", CoverageStatus.ERROR, "Throttling after 5 attempts"),
    ]
    inv = make_inventory("aws", [{"type": "aws.rds.instance", "data": {"StorageEncrypted": True}}], coverage=cov)
    statuses = sorted((f.region, f.status.value) for f in run_check(RDS, inv))
    assert statuses == [("cn-north-1", "PASS"), ("cn-northwest-1", "ERROR")]


def test_missing_required_field_is_error_not_fail_or_pass():
    inv = make_inventory("aws", [{"type": "aws.rds.instance", "data": {"Engine": "mysql"}}])
    (f,) = run_check(RDS, inv)
    assert f.status is Status.ERROR and "StorageEncrypted" in f.message


def test_condition_evaluating_to_null_is_error():
    check = CHECKS["aws/cw-loggroup-retention-period-check"]
    inv = make_inventory("aws", [{"type": "aws.logs.log-group", "data": {"retentionInDays": "ninety"}}])
    (f,) = run_check(check, inv)
    assert f.status is Status.ERROR


def test_account_scope_with_region_error_is_error_not_fail():
    cov = [
        Coverage(
            ACCT,
            "cn-north-1",
            "aws.cloudtrail.trail",
            CoverageStatus.DENIED,
            "AccessDenied",
            "cloudtrail:DescribeTrails",
        )
    ]
    findings = run_check(TRAIL, make_inventory("aws", [], coverage=cov))
    assert [f.status for f in findings] == [Status.ERROR]


def test_parameter_override_changes_threshold():
    overrides = {"aws/cw-loggroup-retention-period-check": {"min_retention_days": 400}}
    (check,) = [c for c in load_checks(overrides=overrides) if c.key == "aws/cw-loggroup-retention-period-check"]
    inv = make_inventory("aws", [{"type": "aws.logs.log-group", "data": {"retentionInDays": 365}}])
    assert [f.status for f in run_check(check, inv)] == [Status.FAIL]
    assert [f.status for f in run_check(CHECKS[check.key], inv)] == [Status.PASS]


def test_checks_of_other_providers_do_not_run():
    inv = make_inventory("alibaba", [{"type": "alibaba.rds.instance", "data": {}}])
    assert run_check(RDS, inv) == []


def test_findings_are_sorted_and_deterministic():
    from scanner.engine import evaluate

    inv = make_inventory(
        "aws", [{"type": "aws.ec2.volume", "id": f"vol-{n}", "data": {"Encrypted": n % 2 == 0}} for n in (3, 1, 2)]
    )
    a = [f.to_dict() for f in evaluate(inv, CHECKS.values())]
    b = [f.to_dict() for f in evaluate(inv, CHECKS.values())]
    assert a == b
    vol = [f["resource_id"] for f in a if f["check"] == "aws/encrypted-volumes"]
    assert vol == ["vol-1", "vol-2", "vol-3"]


def test_key_age_is_measured_at_scan_time():
    check = CHECKS["aws/access-keys-rotated"]
    data = {"UserName": "a", "AccessKeys": [{"Status": "Active", "CreateDate": "2026-10-01T00:00:00Z"}]}
    inv = make_inventory("aws", [{"type": "aws.iam.user", "data": data}])
    assert [f.status for f in run_check(check, inv)] == [Status.PASS]  # 58 days at scan time
    inv.finished_at = "2027-06-01T00:00:00Z"
    assert [f.status for f in run_check(check, inv)] == [Status.FAIL]

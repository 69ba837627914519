"""One failing service affects only its own resource types; the scan completes."""

from __future__ import annotations

from providers.aws import client, collect
from scanner.catalogue import load_catalogue
from scanner.checks import load_checks
from scanner.engine import evaluate
from scanner.links import load_links
from scanner.model import CoverageStatus, ReqStatus
from scanner.rollup import rollup
from scanner.scope import scope_of
from tests.providers.aws.faults import inject


def statuses(inv):
    cat = load_catalogue()
    fs = evaluate(inv, load_checks())
    return {r.item.id: r for r in rollup(cat, load_links(cat), fs, "aws", inv.account_ids, 3, scope_of(inv))}


def scan_with(**faults):
    ctx = client.connect()
    ctx.max_attempts = 2
    counters = {}
    for event, (kind, code, status) in faults.items():
        counters[event] = [0]
        inject(ctx.session, event.replace("__", "."), kind, code, status, counters[event])
    return collect.collect(ctx, workers=4), counters


def test_access_denied_throttling_and_timeout(mocked):
    clean, _ = scan_with()
    inv, fired = scan_with(
        guardduty__ListDetectors=("json", "AccessDeniedException", 403),
        ec2__DescribeVolumes=("xml", "RequestLimitExceeded", 503),
        s3__ListBuckets=("timeout", "", 0),
    )
    assert all(n[0] > 0 for n in fired.values())
    assert fired["ec2__DescribeVolumes"][0] >= 4  # retried in both regions: botocore's retry policy ran
    cov = {(c.type, c.region): c for c in inv.coverage}
    gd = cov[("aws.guardduty.detector", "cn-north-1")]
    assert gd.status is CoverageStatus.DENIED and gd.permission == "guardduty:ListDetectors"
    assert cov[("aws.ec2.volume", "cn-north-1")].status is CoverageStatus.ERROR
    assert "RequestLimitExceeded" in cov[("aws.ec2.volume", "cn-north-1")].reason
    assert "timed out" in cov[("aws.s3.bucket", "global")].reason
    # everything else was still collected
    assert cov[("aws.ec2.security-group", "cn-north-1")].status is CoverageStatus.OK
    assert {r.type for r in inv.resources} >= {"aws.iam.user", "aws.rds.instance", "aws.ec2.security-group"}

    before, after = statuses(clean), statuses(inv)
    # intrusion detection rests only on GuardDuty here: denied -> not assessed, with the permission
    assert after["L3-ABS2-03"].status is ReqStatus.NOT_ASSESSED
    assert "guardduty:ListDetectors" in after["L3-ABS2-03"].reason("en")
    # data location cannot be 符合 while buckets and volumes are unknown
    assert before["L3-CES2-10"].status is ReqStatus.MANUAL  # all pass; the tagging-API sweep is incomplete
    assert after["L3-CES2-10"].status is ReqStatus.NOT_ASSESSED
    # items that depend on none of the failing services are unaffected
    for item in ("L3-CES1-01", "L3-CES1-07", "L3-CES1-08", "L3-CES1-12"):
        assert after[item].status is before[item].status, item


def test_an_empty_200_body_is_an_error_never_none(mocked):
    """Reliability review M1: an empty answer to S3 ListBuckets once made every bucket item 不适用."""
    from botocore.awsrequest import AWSResponse

    from tests.providers.aws.faults import _Raw

    ctx = client.connect()

    def empty(request, **_):
        return AWSResponse(request.url, 200, {"Content-Type": "application/xml"}, _Raw(b""))

    ctx.session.events.register_first("before-send.s3.ListBuckets", empty)
    inv = collect.collect(ctx, workers=4, types=["aws.s3.bucket"])
    (cov,) = [c for c in inv.coverage if c.type == "aws.s3.bucket"]
    assert cov.status is CoverageStatus.ERROR and "empty body" in (cov.reason or "")
    assert not [r for r in inv.resources if r.type == "aws.s3.bucket"]

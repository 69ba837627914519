"""Random fault plans through the AWS adapter against moto (denied, throttled, timed out calls): no
requirement item's status may improve over the fault-free scan."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.aws import client, collect
from scanner.catalogue import load_catalogue
from scanner.checks import load_checks
from scanner.engine import evaluate
from scanner.links import load_links
from scanner.rollup import rollup
from scanner.scope import scope_of
from tests.providers.aws.faults import inject
from tests.scanner.fault_plans import improved

CALLS = (
    ("ec2.DescribeSecurityGroups", "xml"),
    ("ec2.DescribeVpcs", "xml"),
    ("ec2.DescribeFlowLogs", "xml"),
    ("ec2.DescribeVolumes", "xml"),
    ("iam.ListUsers", "xml"),
    ("iam.ListMFADevices", "xml"),
    ("iam.GetAccountPasswordPolicy", "xml"),
    ("s3.ListBuckets", "xml"),
    ("s3.GetBucketEncryption", "xml"),
    ("rds.DescribeDBInstances", "xml"),
    ("cloudtrail.DescribeTrails", "json"),
    ("logs.DescribeLogGroups", "json"),
    ("kms.ListKeys", "json"),
    ("guardduty.ListDetectors", "json"),
    ("config.DescribeConfigurationRecorders", "json"),
)
KINDS = {"denied": ("AccessDenied", 403), "throttle": ("Throttling", 400)}


def statuses(inv) -> dict:
    cat = load_catalogue()
    fs = evaluate(inv, load_checks())
    return {r.item.id: r for r in rollup(cat, load_links(cat), fs, "aws", inv.account_ids, 3, scope_of(inv))}


def run(plan) -> dict:
    ctx = client.connect()
    ctx.max_attempts = 1
    for (event, style), kind in plan:
        if kind == "timeout":
            inject(ctx.session, event, "timeout")
        else:
            code, status = KINDS[kind]
            inject(
                ctx.session, event, style, code if style == "xml" or kind == "throttle" else code + "Exception", status
            )
    return statuses(collect.collect(ctx, workers=4))


_CLEAN: dict = {}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from(CALLS), st.sampled_from(("denied", "throttle", "timeout"))),
        min_size=1,
        max_size=4,
        unique_by=lambda t: t[0],
    )
)
def test_no_fault_plan_improves_any_item(mocked, plan):
    if not _CLEAN:
        _CLEAN.update(run([]))
    assert improved(_CLEAN, run(plan)) == []

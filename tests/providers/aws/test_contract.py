"""The AWS contract: every field a check reads exists in botocore's output shape of the operation it comes from.

For each AWS check and each type it judges, the JMESPath ASTs of ``requires``, ``applies_if``, ``pass_if`` and
``evidence`` are walked over the shape of that type's resource document, built from the type's ``collect`` block
(tests/providers/aws/shapes.py): the list operation's item shape (``items``), details' ``result`` at ``as``, joins,
``add``/``absent_data``, and whatever a collector adds, which must be declared under ``fields:`` with the operation
it comes from or, for a value the adapter computes, a reason. A read that no shape answers fails the test. The
runtime half checks that every key the adapter actually stores (moto, through the real SDK) is in that shape too, so
a collector cannot add a field without declaring it.
"""

from __future__ import annotations

import pytest

from providers.aws.collect import load_specs
from scanner.checks import load_checks
from tests.providers.aws import shapes

CHECKS = [c for c in load_checks() if c.provider == "aws"]


def _doc(rtype: str) -> shapes.Node:
    spec = load_specs()[rtype]
    doc, problems = shapes.document(spec, spec.fields)
    assert problems == [], problems
    return doc


def check_reads(check, doc: shapes.Node) -> list[str]:
    """Every read of one check over one document shape that the shape cannot answer."""
    root = shapes.envelope(doc) if check.target == "resource" else doc
    if check.scope == "account":
        root = shapes.Lst(root, "resources")
    out = []
    for path in check.requires:
        expr = ".".join(f'"{p}"' for p in path)
        base = doc if check.target != "resource" else root
        out += [f"requires {'.'.join(path)}: {p}" for p in shapes.reads(expr, base)]
    exprs = {
        "pass_if": check.pass_if.expression,
        "applies_if": check.applies_if.expression if check.applies_if else None,
    }
    exprs |= {f"evidence.{k}": v.expression for k, v in check.evidence.items()}
    for where, expr in exprs.items():
        if expr:
            out += [f"{where}: {p}" for p in shapes.reads(expr, root)]
    return out


def test_every_type_declaration_resolves_in_botocore():
    bad = {}
    for name, spec in sorted(load_specs().items()):
        doc, problems = shapes.document(spec, spec.fields)
        exprs = {
            "id": None if spec.single else spec.id,
            "name": spec.name,
            "owner": spec.owner,
            "keep_if": spec.keep_if,
        }
        for what, expr in exprs.items():
            problems += [f"{what}: {p}" for p in shapes.reads(expr, doc)] if expr else []
        if problems:
            bad[name] = problems
    assert bad == {}


@pytest.mark.parametrize("check", CHECKS, ids=[c.key for c in CHECKS])
def test_every_field_a_check_reads_is_in_the_output_shape(check):
    bad = {}
    for rtype in check.resources:
        problems = check_reads(check, _doc(rtype))
        if problems:
            bad[rtype] = problems
    assert bad == {}


def test_list_operations_without_a_paginator_declare_their_token():
    """A list call botocore cannot page (WAFv2 ListWebACLs) must name its token, or only page one is read."""
    import botocore.session
    from botocore import xform_name

    models = botocore.session.get_session()
    bad = []
    for name, spec in load_specs().items():
        operation, service = spec.op.name, spec.op.opts["service"]
        if not operation or spec.collector or spec.single:
            continue
        client_model = models.get_service_model(service)
        members = client_model.operation_model(operation).output_shape.members
        tokens = [m for m in members if m in ("NextToken", "NextMarker", "Marker", "nextToken")]
        try:
            models.get_paginator_model(service).get_paginator(operation)
            continue
        except ValueError:
            pass
        if tokens and spec.op.opts.get("page_token") not in tokens:
            bad.append((name, xform_name(operation), tokens))
    assert bad == []


def _fake_check(pass_if: str, rtype: str = "aws.s3.bucket", **kw):
    from dataclasses import replace

    (base,) = [c for c in CHECKS if c.key == "aws/s3-bucket-versioning-enabled"]
    fake = replace(
        base, resources=(rtype,), pass_if_src=pass_if, applies_if_src=None, requires=(), evidence_src={}, **kw
    )
    return fake.compile()


@pytest.mark.parametrize(
    ("pass_if", "rtype", "wrong"),
    [
        ("Versioning.Status == 'Enabled'", "aws.s3.bucket", None),
        ("Versioning.MadeUp == 'Enabled'", "aws.s3.bucket", "MadeUp"),
        ("Versioning.Status.MadeUp == 'x'", "aws.s3.bucket", "MadeUp"),  # three deep: one flattened AST node
        ("length(Grants[?Grantee.Uri == 'x']) == `0`", "aws.s3.bucket", "Uri"),  # URI, not Uri
        ("TargetRegion != null", "aws.s3.bucket", "TargetRegion"),  # the Alibaba defect's shape, on AWS
        ("AccessKeys[?LastUsedDate != null] && AccessKeys[0].LastLoginDate", "aws.iam.user", "LastLoginDate"),
        ("Enabled == `true` && HubArn != null", "aws.securityhub.hub", None),
        ("AccountMFAEnabled == `1`", "aws.iam.account-summary", None),
        ("EnforceMFAForLogin == `1`", "aws.iam.account-summary", "EnforceMFAForLogin"),  # SummaryMap key enum
        ("Reservations != null", "aws.ec2.instance", "Reservations"),  # the envelope, not the item
        ("length(Listeners[?Protocol == 'HTTPS'].SslPolicy.Name) == `0`", "aws.elbv2.load-balancer", "Name"),
        ("WebACL.Rules != null", "aws.elbv2.load-balancer", "Rules"),  # the detail keeps Name and ARN only
        ("SlaveZoneId != null", "aws.rds.instance", "SlaveZoneId"),
        ("Public == `false` && SnapshotId != null", "aws.ec2.snapshot", None),
    ],
)
def test_the_checker_itself(pass_if, rtype, wrong):
    """A made-up field fails; a real one passes (so the contract cannot pass vacuously)."""
    problems = check_reads(_fake_check(pass_if, rtype), _doc(rtype))
    if wrong is None:
        assert problems == []
    else:
        assert problems and all(wrong in p for p in problems), problems


def test_an_undeclared_collector_field_fails():
    """A field a collector adds without a ``fields:`` entry is in no shape, so checks reading it fail."""
    spec = load_specs()["aws.ec2.snapshot"]
    fields = {k: v for k, v in spec.fields.items() if k != "Public"}
    doc, problems = shapes.document(spec, fields)
    assert problems == []
    (check,) = [c for c in CHECKS if c.key == "aws/ebs-snapshot-public-restorable-check"]
    assert any("'Public'" in p for p in check_reads(check, doc))
    # and a declaration must name a real operation and path
    _, problems = shapes.document(spec, {**fields, "Public": {"from": "ec2:DescribeSnapshots", "path": "Public"}})
    assert problems and "Public" in problems[0]


def test_collected_data_conforms_to_the_declared_shapes(scan):
    """Runtime half: every key the adapter stored (moto through the real SDK) is in its type's document shape."""
    inv, _, _ = scan
    bad = {}
    seen = set()
    for r in inv.resources:
        problems = shapes.conforms(r.data, _doc(r.type))
        seen.add(r.type)
        if problems:
            bad.setdefault(r.type, []).extend(problems[:5])
    assert bad == {}
    assert len(seen) > 20

"""Evaluate checks against an inventory: each check only against resources of its own types.

Per (check, resource) the result is PASS, FAIL, ERROR or NOT_APPLICABLE. Coverage decides what an
empty list means: a type collected without error and with no resources gives NOT_APPLICABLE; a type
whose collection failed, or was never attempted, gives ERROR with the reason; never PASS.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from jmespath.exceptions import JMESPathError

from scanner.checks import Check
from scanner.functions import OPTIONS, parse_time, pinned_now
from scanner.inventory import Inventory
from scanner.model import Coverage, CoverageStatus, Finding, Resource, Status

_MISSING = object()


def evaluate(inventory: Inventory, checks: Iterable[Check]) -> list[Finding]:
    """All findings for one inventory, sorted by (account, check, type, region, resource id).

    Ages ("key older than 90 days") are measured at collection time, not evaluation time, so that
    re-evaluating a saved inventory months later reproduces the same findings exactly.
    """
    with pinned_now(parse_time(inventory.finished_at)):
        return _evaluate(inventory, checks)


def _evaluate(inventory: Inventory, checks: Iterable[Check]) -> list[Finding]:
    by_type: dict[tuple[str, str], list[Resource]] = defaultdict(list)
    for r in inventory.resources:
        by_type[(r.account, r.type)].append(r)
    cov: dict[tuple[str, str], list[Coverage]] = defaultdict(list)
    for c in inventory.coverage:
        cov[(c.account, c.type)].append(c)  # type "*": a failure that hit every type (e.g. invalid credentials)

    findings: list[Finding] = []
    for check in checks:
        if check.provider != inventory.provider:
            continue
        for account in inventory.account_ids:
            for rtype in check.resources:
                records = cov.get((account, rtype), []) + cov.get((account, "*"), [])
                resources = by_type.get((account, rtype), [])
                if check.scope == "account":
                    findings.extend(_account_scope(check, account, rtype, resources, records))
                else:
                    findings.extend(_resource_scope(check, account, rtype, resources, records))
    findings.sort(key=Finding.sort_key)
    return findings


def _coverage_findings(
    check: Check, account: str, rtype: str, records: list[Coverage], have_resources: bool
) -> tuple[list[Finding], bool]:
    """ERROR / NOT_APPLICABLE findings from coverage; the flag says whether any region was collected."""
    out: list[Finding] = []
    if not records:
        if not have_resources:
            msg = f"resource type {rtype} was not collected for this account"
            out.append(_at(check, account, "*", rtype, Status.ERROR, msg, {"coverage": "not_collected"}))
        return out, have_resources
    collected = False
    for c in records:
        if c.status is CoverageStatus.OK:
            collected = True
        elif c.status is CoverageStatus.NOT_AVAILABLE:
            msg = c.reason or f"{rtype} is not available in {c.region}"
            out.append(_at(check, account, c.region, rtype, Status.NOT_APPLICABLE, msg, {"coverage": c.status.value}))
        else:
            reason = c.reason or "collection failed"
            if c.permission:
                reason += f" (missing permission: {c.permission})"
            out.append(
                _at(check, account, c.region, rtype, Status.ERROR, f"not assessed: {reason}", _coverage_evidence(c))
            )
    return out, collected


def _coverage_evidence(c: Coverage) -> dict[str, Any]:
    ev: dict[str, Any] = {"coverage": c.status.value}
    if c.permission:
        ev["missing_permission"] = c.permission
    return ev


def _resource_scope(
    check: Check, account: str, rtype: str, resources: list[Resource], records: list[Coverage]
) -> list[Finding]:
    out, collected = _coverage_findings(check, account, rtype, records, bool(resources))
    evaluated = 0
    for r in resources:
        f = _evaluate_one(check, r)
        if f is not None:
            out.append(f)
            evaluated += 1
    if collected and not resources and not any(f.status is Status.ERROR for f in out):
        if check.absent == "fail":  # the check looks for a protective control, and there is none
            msg = f"{check.fail_message()} (no {rtype} in this account)"
            out.append(_at(check, account, "*", rtype, Status.FAIL, msg, {"resources": 0}))
        else:
            msg = f"no {rtype} resources in this account"
            out.append(_at(check, account, "*", rtype, Status.NOT_APPLICABLE, msg, {"resources": 0}))
    elif collected and resources and evaluated == 0 and not out:
        msg = f"no {rtype} resource is in scope of this check"
        out.append(_at(check, account, "*", rtype, Status.NOT_APPLICABLE, msg, {"resources": len(resources)}))
    return out


def _evaluate_one(check: Check, r: Resource) -> Finding | None:
    """One (check, resource) pair; None when ``applies_if`` excludes the resource."""
    doc = r.envelope() if check.target == "resource" else r.data
    for path in check.requires:
        if _lookup(doc, path) is _MISSING:
            field = ".".join(path)
            if check.on_missing == "fail":
                return _on(
                    check, r, Status.FAIL, f"{check.fail_message()} (field {field} is absent)", {"missing_field": field}
                )
            msg = f"not assessed: field {field} is missing from the collected configuration"
            return _on(check, r, Status.ERROR, msg, {"missing_field": field})
    try:
        if check.applies_if is not None and not _truthy(check.applies_if.search(doc, options=OPTIONS)):
            return None
        result = check.pass_if.search(doc, options=OPTIONS)
    except (JMESPathError, TypeError, ValueError, AttributeError, OverflowError) as e:
        return _on(check, r, Status.ERROR, _not_evaluable(e), None)
    evidence = _evidence(check, doc)
    if result is None:
        return _on(check, r, Status.ERROR, _NULL_RESULT, evidence)
    if _truthy(result):
        return _on(check, r, Status.PASS, check.pass_message(), evidence)
    return _on(check, r, Status.FAIL, check.fail_message(), evidence)


_NULL_RESULT = "not assessed: the condition evaluated to null (a field it reads is missing or has an unexpected type)"


def _not_evaluable(e: Exception) -> str:
    return f"not assessed: condition could not be evaluated ({type(e).__name__}: {e})"


def _account_scope(
    check: Check, account: str, rtype: str, resources: list[Resource], records: list[Coverage]
) -> list[Finding]:
    """Evaluate once over the account's list of ``rtype`` (e.g. "a multi-region trail exists").

    A coverage gap in any region makes the answer unknown, so it is ERROR, not PASS or FAIL.
    """
    out, collected = _coverage_findings(check, account, rtype, records, bool(resources))
    if not collected or any(f.status is Status.ERROR for f in out):
        return out
    docs = [r.envelope() if check.target == "resource" else r.data for r in resources]

    def verdict(status: Status, msg: str, evidence: dict[str, Any] | None) -> list[Finding]:
        return [*out, _at(check, account, "*", rtype, status, msg, evidence, rid=account)]

    try:
        if check.applies_if is not None:
            docs = [d for d in docs if _truthy(check.applies_if.search(d, options=OPTIONS))]
        result = check.pass_if.search(docs, options=OPTIONS)
    except (JMESPathError, TypeError, ValueError, AttributeError, OverflowError) as e:
        return verdict(Status.ERROR, _not_evaluable(e), None)
    evidence = {"resources": len(docs), **(_evidence(check, docs) or {})}
    if result is None:
        return verdict(Status.ERROR, _NULL_RESULT, evidence)
    if _truthy(result):
        return verdict(Status.PASS, check.pass_message(), evidence)
    return verdict(Status.FAIL, check.fail_message(), evidence)


def _evidence(check: Check, doc: Any) -> dict[str, Any] | None:
    if not check.evidence:
        return None
    out = {}
    for name, expr in check.evidence.items():
        try:
            out[name] = expr.search(doc, options=OPTIONS)
        except (JMESPathError, TypeError, ValueError, AttributeError, OverflowError):
            out[name] = None
    return out


def _lookup(doc: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path``. A null is present: adapters store null for a setting collected and found
    absent (no bucket policy, no logging); a field the API left out must be left out, not nulled."""
    cur = doc
    for part in path:
        if not isinstance(cur, dict) or part not in cur:
            return _MISSING
        cur = cur[part]
    return cur


def _truthy(v: Any) -> bool:
    # JMESPath truthiness: false, null, "", [] and {} are false
    return not (v is None or v is False or v == "" or v == [] or v == {})


def _on(check: Check, r: Resource, status: Status, message: str, evidence: dict[str, Any] | None) -> Finding:
    """A finding about one resource."""
    return Finding(
        check=check.key,
        account=r.account,
        region=r.region,
        resource_type=r.type,
        resource_id=r.id,
        resource_name=r.name,
        status=status,
        severity=check.severity,
        message=message,
        evidence=evidence,
    )


def _at(
    check: Check,
    account: str,
    region: str,
    rtype: str,
    status: Status,
    message: str,
    evidence: dict[str, Any] | None,
    rid: str | None = None,
) -> Finding:
    """A finding about a whole type in an account or region (coverage, nothing in scope, account scope)."""
    return Finding(
        check=check.key,
        account=account,
        region=region,
        resource_type=rtype,
        resource_id=rid,
        resource_name=None,
        status=status,
        severity=check.severity,
        message=message,
        evidence=evidence,
    )

"""Compare two findings documents: what failed before and now, and which requirement statuses moved.

A failure that turns into an error is "unassessed", never "fixed": losing sight of a resource is
not remediation. A failure whose resource is gone from the new scan is reported as "removed".
"""

from __future__ import annotations

from typing import Any

KIND = "mlps-diff"


def _key(f: dict[str, Any]) -> tuple[str, str, str, str, str]:
    return (f["account"], f["check"], f["resource_type"], f["resource_id"] or "", f["region"])


def _brief(f: dict[str, Any]) -> dict[str, Any]:
    return {
        k: f[k]
        for k in ("check", "account", "region", "resource_type", "resource_id", "resource_name", "severity", "message")
    } | {"status": f["status"]}


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    before = {_key(f): f for f in old["findings"]}
    after = {_key(f): f for f in new["findings"]}
    out: dict[str, list[dict[str, Any]]] = {"new": [], "fixed": [], "still_open": [], "unassessed": [], "removed": []}
    for k, f in sorted(after.items()):
        if f["status"] == "FAIL":
            prior = before.get(k)
            out["still_open" if prior and prior["status"] == "FAIL" else "new"].append(_brief(f))
    for k, f in sorted(before.items()):
        if f["status"] != "FAIL":
            continue
        now = after.get(k)
        if now is None:
            out["removed"].append(_brief(f))
        elif now["status"] in ("PASS", "NOT_APPLICABLE"):
            out["fixed"].append(_brief(f) | {"now": now["status"]})
        elif now["status"] == "ERROR":
            out["unassessed"].append(_brief(now))
    old_req = {(r["account"], r["item"]): r for r in old["requirements"]}
    changes = []
    for r in new["requirements"]:
        prior = old_req.get((r["account"], r["item"]))
        if prior and prior["status"] != r["status"]:
            changes.append(
                {
                    "account": r["account"],
                    "item": r["item"],
                    "clause": r["clause"],
                    "unit_id": r["unit_id"],
                    "old": prior["status"],
                    "new": r["status"],
                    "old_zh": prior["status_zh"],
                    "new_zh": r["status_zh"],
                }
            )
    return {
        "kind": KIND,
        "schema_version": 1,
        "old": {"generated_at": old["generated_at"], "level": old["level"], "summary": old["summary"]},
        "new": {"generated_at": new["generated_at"], "level": new["level"], "summary": new["summary"]},
        "counts": {k: len(v) for k, v in out.items()} | {"status_changes": len(changes)},
        "findings": out,
        "status_changes": changes,
    }

"""Waivers: accepted risks, each with a reason, an owner and an expiry.

A waived finding stays a failure in the record and is shown as accepted risk (已接受风险) with its
reason and owner; it never turns a requirement into 符合. A waiver past its expiry waives nothing
and is itself reported. Waivers apply to a findings document, so the same file serves live scans,
saved inventories and IaC.
"""

from __future__ import annotations

import copy
import fnmatch
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from scanner.errors import MlpsError
from scanner.load import load_validated


@dataclass(frozen=True)
class Waiver:
    id: str
    check: str | None
    item: str | None
    resource: str
    account: str | None
    reason: str
    owner: str
    expires: date

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "item": self.item,
            "resource": self.resource,
            "account": self.account,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
        }


def load_waivers(path: Path, data: bytes | None = None) -> list[Waiver]:
    """Waivers from a file, or from ``data`` (the bytes of a packed waivers.yaml, named by ``path``)."""
    if data is None and not path.is_file():
        raise MlpsError(f"{path}: waivers file not found")
    doc = load_validated(path, "waivers", data)
    out = []
    for n, w in enumerate(doc["waivers"], 1):
        try:
            expires = date.fromisoformat(w["expires"])
        except ValueError:
            raise MlpsError(f"{path}: waivers[{n - 1}].expires: {w['expires']!r} is not a calendar date") from None
        out.append(
            Waiver(
                id=w.get("id") or f"W{n}",
                check=w.get("check"),
                item=w.get("item"),
                resource=w.get("resource", "*"),
                account=w.get("account"),
                reason=w["reason"],
                owner=w["owner"],
                expires=expires,
            )
        )
    return out


def apply_to_doc(doc: dict[str, Any], waivers: list[Waiver], today: date | None = None) -> dict[str, Any]:
    """A copy of the findings document with ``waiver`` set on waived FAIL findings and a ``waivers`` summary."""
    today = today or datetime.now(timezone.utc).date()
    out = copy.deepcopy(doc)
    active = [w for w in waivers if w.expires >= today]
    checks_by_item: dict[tuple[str, str], set[str]] = {}
    for r in out["requirements"]:
        for key in {r["item"], r["clause"], r["unit_id"]} - {None}:
            checks_by_item.setdefault((r["account"], key), set()).update(r["checks"])
    used: dict[str, int] = {}
    for f in out["findings"]:
        if f["status"] != "FAIL":
            continue
        for w in active:
            if _matches(w, f, checks_by_item):
                f["waiver"] = {"id": w.id, "reason": w.reason, "owner": w.owner, "expires": w.expires.isoformat()}
                used[w.id] = used.get(w.id, 0) + 1
                break
    for r in out["requirements"]:
        r["accepted_findings"] = sum(
            1 for f in out["findings"] if "waiver" in f and f["account"] == r["account"] and f["check"] in r["checks"]
        )
    out["waivers"] = {
        "applied": [{**w.to_dict(), "findings": used[w.id]} for w in active if w.id in used],
        "unused": [w.to_dict() for w in active if w.id not in used],
        "expired": [w.to_dict() for w in waivers if w.expires < today],
    }
    return out


def _matches(w: Waiver, f: dict[str, Any], checks_by_item: dict[tuple[str, str], set[str]]) -> bool:
    if w.account and w.account != f["account"]:
        return False
    if w.check and not fnmatch.fnmatchcase(f["check"], w.check):
        return False
    if w.item and f["check"] not in checks_by_item.get((f["account"], w.item), ()):
        return False
    names = [v for v in (f.get("resource_id"), f.get("resource_name")) if v]
    return w.resource == "*" or any(fnmatch.fnmatchcase(v, w.resource) for v in names)


def open_failures(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """FAIL findings no active waiver covers: what gates and remediation plans act on."""
    return [f for f in doc["findings"] if f["status"] == "FAIL" and "waiver" not in f]

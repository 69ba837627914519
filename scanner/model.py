"""The shared types: resources, coverage records, findings and statuses.

Everything that crosses a layer boundary (adapter -> inventory -> engine -> roll-up -> report) is one
of these. They are plain data with no behaviour beyond (de)serialisation, so that a saved inventory
or findings file means the same thing to every part of the tool.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    """Outcome of one (check, resource) pair."""

    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"  # collection failed, a needed field is missing, or the condition could not be evaluated
    NOT_APPLICABLE = "NOT_APPLICABLE"


class ReqStatus(str, Enum):
    """Roll-up status of one requirement item for one account, in the assessor's vocabulary."""

    COMPLIANT = "符合"
    PARTIAL = "部分符合"
    NON_COMPLIANT = "不符合"
    NOT_APPLICABLE = "不适用"
    NOT_ASSESSED = "未评估"
    MANUAL = "人工核查"
    PROVIDER = "云服务商责任"

    @property
    def en(self) -> str:
        return _REQ_STATUS_EN[self]

    @property
    def key(self) -> str:
        """Stable ASCII key for JSON and CLI filters."""
        return _REQ_STATUS_KEY[self]

    def label(self, lang: str) -> str:
        return self.value if lang == "zh" else self.en

    @property
    def rank(self) -> int:
        """Position in the display order every report uses (columns, row sort, tallies)."""
        return REQ_STATUS_ORDER.index(self)

    @classmethod
    def from_key(cls, key: str) -> ReqStatus:
        return _REQ_STATUS_BY_KEY[key]


_REQ_STATUS_EN = {
    ReqStatus.COMPLIANT: "Compliant",
    ReqStatus.PARTIAL: "Partially compliant",
    ReqStatus.NON_COMPLIANT: "Non-compliant",
    ReqStatus.NOT_APPLICABLE: "Not applicable",
    ReqStatus.NOT_ASSESSED: "Not assessed",
    ReqStatus.MANUAL: "Manual review",
    ReqStatus.PROVIDER: "Provider responsibility",
}
_REQ_STATUS_KEY = {
    ReqStatus.COMPLIANT: "compliant",
    ReqStatus.PARTIAL: "partial",
    ReqStatus.NON_COMPLIANT: "non_compliant",
    ReqStatus.NOT_APPLICABLE: "not_applicable",
    ReqStatus.NOT_ASSESSED: "not_assessed",
    ReqStatus.MANUAL: "manual",
    ReqStatus.PROVIDER: "provider",
}

_REQ_STATUS_BY_KEY = {v: k for k, v in _REQ_STATUS_KEY.items()}
# The one display order of requirement statuses: gaps first, then what needs a person, then what is settled.
REQ_STATUS_ORDER: tuple[ReqStatus, ...] = (
    ReqStatus.NON_COMPLIANT,
    ReqStatus.PARTIAL,
    ReqStatus.NOT_ASSESSED,
    ReqStatus.COMPLIANT,
    ReqStatus.MANUAL,
    ReqStatus.PROVIDER,
    ReqStatus.NOT_APPLICABLE,
)
STATUS_KEYS: tuple[str, ...] = tuple(s.key for s in REQ_STATUS_ORDER)


class Severity(str, Enum):
    """A check's severity, lowest first: ``--fail-on`` gates at a severity and above."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)


def severity_rank(value: str | None) -> int:
    """0 (low) to 3 (critical); -1 for no severity (an item with no failing check)."""
    return -1 if value is None else Severity(value).rank


class CoverageStatus(str, Enum):
    """What happened when the adapter tried to collect one resource type in one region."""

    OK = "ok"  # collected; an empty list really means "none"
    DENIED = "denied"  # the identity lacks a permission
    ERROR = "error"  # throttled after retries, timed out, unexpected response
    NOT_AVAILABLE = "not_available"  # the service does not exist in this partition/region


@dataclass(slots=True)
class Resource:
    """One cloud resource or account-level setting, with its configuration as the API returned it."""

    provider: str
    account: str
    region: str
    type: str
    id: str
    name: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    source: str = "live"  # live | iac
    location: str | None = None  # ARN / resource ID, or file:line for IaC

    def to_dict(self) -> dict[str, Any]:
        out = self.envelope()
        if self.source != "live":
            out["source"] = self.source
        if self.location:
            out["location"] = self.location
        return out

    def envelope(self) -> dict[str, Any]:
        """The document a check with ``target: resource`` evaluates: metadata plus data."""
        return {
            "provider": self.provider,
            "account": self.account,
            "region": self.region,
            "type": self.type,
            "id": self.id,
            "name": self.name,
            "tags": self.tags,
            "data": self.data,
        }


@dataclass(slots=True)
class Coverage:
    """Whether one resource type was collected in one account and region, and if not, why."""

    account: str
    region: str
    type: str
    status: CoverageStatus
    reason: str | None = None
    permission: str | None = None  # the missing permission, when status is DENIED

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "account": self.account,
            "region": self.region,
            "type": self.type,
            "status": self.status.value,
        }
        if self.reason:
            out["reason"] = self.reason
        if self.permission:
            out["permission"] = self.permission
        return out


@dataclass(slots=True)
class Finding:
    """Result of one check against one resource (or one account, for account-scope checks)."""

    check: str  # "<provider>/<check-id>"
    account: str
    region: str
    resource_type: str
    resource_id: str | None
    resource_name: str | None
    status: Status
    severity: str
    message: str
    evidence: dict[str, Any] | None = None

    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.account, self.check, self.resource_type, self.region, self.resource_id or "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "account": self.account,
            "region": self.region,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "resource_name": self.resource_name,
            "status": self.status.value,
            "severity": self.severity,
            "message": self.message,
            "evidence": self.evidence or {},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        return cls(
            check=d["check"],
            account=d["account"],
            region=d["region"],
            resource_type=d["resource_type"],
            resource_id=d.get("resource_id"),
            resource_name=d.get("resource_name"),
            status=Status(d["status"]),
            severity=d["severity"],
            message=d.get("message", ""),
            evidence=d.get("evidence") or {},
        )

"""The few JMESPath functions that checks need and JMESPath lacks.

Each one is a pure function of its arguments; checks call them by name inside ``pass_if`` and
``applies_if``. Keep this list short: a family of similar checks is one check with ``params``.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

import jmespath
import regex
from jmespath import functions

# Mainland-China regions. Alibaba Cloud's are "cn-*" except cn-hongkong (outside the mainland);
# AWS China's are cn-north-1 and cn-northwest-1 (also "cn-*"); Azure China's are named "china*".
_AZURE_CHINA = frozenset({"chinaeast", "chinaeast2", "chinaeast3", "chinanorth", "chinanorth2", "chinanorth3"})
_NOT_MAINLAND_CN_PREFIXED = frozenset({"cn-hongkong"})
_ANY_ADDRESS = frozenset({"0.0.0.0/0", "::/0", "*", "any", "internet", "0.0.0.0", "::"})
_NOW: list[datetime | None] = [None]  # pinned_now: ages are measured at the inventory's collection time

REGEX_TIMEOUT = 0.5  # seconds per match of a pattern parameter


@contextmanager
def pinned_now(now: datetime | None) -> Iterator[None]:
    """Within the block, days_since measures against ``now`` (when given)."""
    previous = _NOW[0]
    if now is not None:
        _NOW[0] = now
    try:
        yield
    finally:
        _NOW[0] = previous


def now_utc() -> datetime:
    return _NOW[0] or datetime.now(timezone.utc)


def in_mainland_china(region: str | None) -> bool | None:
    """True for a mainland-China region of any supported cloud, False otherwise; None if unknown."""
    if not region or not isinstance(region, str):
        return None
    r = region.strip().lower().replace(" ", "")
    if r in _AZURE_CHINA:
        return True
    if r in _NOT_MAINLAND_CN_PREFIXED:
        return False
    return r.startswith("cn-")


@lru_cache(maxsize=4096)
def cidr_is_any(cidr: str) -> bool:
    """True when the source means "anyone": 0.0.0.0/0, ::/0, '*', 'Internet', 'Any'."""
    c = str(cidr).strip().lower()
    if c in _ANY_ADDRESS:
        return True
    try:
        return ipaddress.ip_network(c, strict=False).prefixlen == 0
    except ValueError:
        return False


# Blocks holding no globally routable address (IANA special-purpose registries): nothing inside one is public.
_NON_GLOBAL = tuple(
    ipaddress.ip_network(b)
    for b in (
        *("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12"),
        *("192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24"),
        *("240.0.0.0/4", "255.255.255.255/32"),
        *("::/128", "::1/128", "::ffff:0:0/96", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10"),
    )
)


@lru_cache(maxsize=4096)
def cidr_is_public(cidr: str) -> bool:
    """True when the range includes any globally routable address (private/loopback ranges are not)."""
    if cidr_is_any(cidr):
        return True
    try:
        net = ipaddress.ip_network(str(cidr).strip(), strict=False)
    except ValueError:
        return False
    if any(net.version == b.version and net.subnet_of(b) for b in _NON_GLOBAL):  # type: ignore[arg-type]
        return False
    if net.is_private or net.is_loopback or net.is_link_local or net.is_reserved:
        # both ends look private, yet a short prefix such as 0.0.0.0/1 spans the world (a range inside one
        # non-global block, such as fc00::/7 or 240.0.0.0/4, was answered above)
        return net.prefixlen < 8
    return True


@lru_cache(maxsize=4096, typed=True)  # typed: True == 1.0 and False == 0.0 must not share an answer
def parse_port_range(spec: Any) -> tuple[int, int] | None:
    """Parse the port-range spellings of the three clouds into (low, high).

    AWS: numbers (FromPort/ToPort, -1 = all). Alibaba: "22/22", "-1/-1" (all). Azure: "22", "20-25", "*".
    """
    if spec is None:
        return None
    if isinstance(spec, bool):
        return None
    if isinstance(spec, (int, float)):
        n = _port(spec)
        return (0, 65535) if n < 0 else (n, n)
    s = str(spec).strip()
    if s in ("*", "", "all", "-1", "-1/-1"):
        return (0, 65535)
    m = re.fullmatch(r"(-?\d+)\s*[-/]\s*(-?\d+)", s)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo < 0 or hi < 0:
            return (0, 65535)
        return (min(lo, hi), max(lo, hi))
    if re.fullmatch(r"\d+", s):
        return (int(s), int(s))
    return None


def port_range_covers(spec: Any, port: float) -> bool:
    r = parse_port_range(spec)
    return r is not None and r[0] <= _port(port) <= r[1]


def _port(value: float) -> int:
    """A port number from JSON; Infinity or NaN (which json.loads accepts) is no port: the check reports ERROR."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} is not a port number")
    return int(value)


def days_since(timestamp: Any) -> float | None:
    """Whole days from an ISO-8601 timestamp (or epoch seconds/milliseconds) to now; None if absent."""
    if timestamp is None or timestamp == "":
        return None
    dt = parse_time(timestamp)
    if dt is None:
        return None
    return float((now_utc() - dt).days)


def parse_time(value: Any) -> datetime | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        secs = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(secs, tz=timezone.utc)
    s = str(value).strip()
    if not s or s.upper() in ("N/A", "NONE", "NO_INFORMATION"):
        return None
    s = s.replace("Z", "+00:00")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(\+\d{2}:\d{2})?", s):  # Alibaba: 2024-01-01T00:00Z
        s = s.replace("+", ":00+", 1) if "+" in s else s + ":00"
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


class MlpsFunctions(functions.Functions):
    """Registered under their snake_case names, e.g. ``in_mainland_china(region)``."""

    @functions.signature({"types": ["string", "null"]})
    def _func_in_mainland_china(self, region: str | None) -> bool | None:
        return in_mainland_china(region)

    @functions.signature({"types": ["string", "null"]})
    def _func_cidr_is_any(self, cidr: str | None) -> bool:
        return cidr is not None and cidr_is_any(cidr)

    @functions.signature({"types": ["string", "null"]})
    def _func_cidr_is_public(self, cidr: str | None) -> bool:
        return cidr is not None and cidr_is_public(cidr)

    @functions.signature({"types": ["string", "number", "null"]}, {"types": ["number", "array"]})
    def _func_port_range_covers(self, spec: Any, ports: Any) -> bool:
        """True if the range ``spec`` includes the port, or any port of a list of ports."""
        if isinstance(ports, list):
            return any(port_range_covers(spec, p) for p in ports if isinstance(p, (int, float)))
        return port_range_covers(spec, ports)

    @functions.signature({"types": ["number", "null"]}, {"types": ["number", "null"]}, {"types": ["number", "array"]})
    def _func_ports_between_cover(self, low: Any, high: Any, ports: Any) -> bool:
        """AWS-style FromPort/ToPort (null or -1 = all ports) against a port or list of ports."""
        if low is None or high is None or low < 0 or high < 0:
            lo, hi = 0, 65535
        else:
            lo, hi = _port(low), _port(high)
        wanted = ports if isinstance(ports, list) else [ports]
        return any(lo <= _port(p) <= hi for p in wanted if isinstance(p, (int, float)))

    @functions.signature({"types": ["string", "number", "null"]})
    def _func_days_since(self, ts: Any) -> float | None:
        return days_since(ts)

    @functions.signature({"types": ["string", "null"]}, {"types": ["string"]})
    def _func_regex_match(self, s: str | None, pattern: str) -> bool:
        """Patterns can come from parameters (the CLI, a config, a pack): matched with a time limit and on
        at most 4,096 characters, so a catastrophic pattern cannot hang an evaluation."""
        if s is None:
            return False
        try:
            return regex.search(pattern, s[:4096], timeout=REGEX_TIMEOUT) is not None
        except TimeoutError:
            raise ValueError(f"pattern {pattern!r} took longer than {REGEX_TIMEOUT} s") from None
        except regex.error as e:
            raise ValueError(f"invalid pattern {pattern!r}: {e}") from None

    @functions.signature({"types": ["string", "object", "array", "null"]})
    def _func_json_parse(self, s: Any) -> Any:
        """Policy documents arrive as JSON strings (Alibaba, AWS URL-encoded); objects pass through."""
        if s is None or isinstance(s, (dict, list)):
            return s
        try:
            return json.loads(s)
        except ValueError:
            return None

    @functions.signature({"types": ["string", "array", "object", "number", "boolean", "null"]})
    def _func_as_list(self, v: Any) -> list[Any]:
        """IAM-style fields hold one value or a list (Statement, Action, Resource); make it a list."""
        if v is None:
            return []
        return v if isinstance(v, list) else [v]

    @functions.signature({"types": ["string", "null"]})
    def _func_lower(self, s: str | None) -> str | None:
        return s.lower() if isinstance(s, str) else s


OPTIONS = jmespath.Options(custom_functions=MlpsFunctions())

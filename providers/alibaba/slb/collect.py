"""SLB listeners: one attribute call per listener, chosen by its protocol."""

from __future__ import annotations

from typing import Any

from providers.alibaba.transport import AlibabaTransport
from scanner.collect import MISSING, Task

_ACTIONS = {
    "https": "DescribeLoadBalancerHTTPSListenerAttribute",
    "http": "DescribeLoadBalancerHTTPListenerAttribute",
    "tcp": "DescribeLoadBalancerTCPListenerAttribute",
    "udp": "DescribeLoadBalancerUDPListenerAttribute",
}
_KEEP = (
    "ListenerPort",
    "ListenerProtocol",
    "Status",
    "TLSCipherPolicy",
    "AclStatus",
    "AclType",
    "AclId",
    "ServerCertificateId",
    "Bandwidth",
)


def listeners(task: Task[AlibabaTransport], lb: dict[str, Any]) -> None:
    out = []
    for lp in lb.get("ListenerPortsAndProtocol") or []:
        proto = str(lp.get("ListenerProtocol", "")).lower()
        action = _ACTIONS.get(proto)
        if not action:
            continue
        got = task.soft(
            action,
            {"RegionId": task.region, "LoadBalancerId": lb["LoadBalancerId"], "ListenerPort": lp.get("ListenerPort")},
        )
        if got is MISSING or not isinstance(got, dict):
            continue
        listener = {k: got.get(k) for k in _KEEP if k in got}
        listener.setdefault("ListenerPort", lp.get("ListenerPort"))
        listener["ListenerProtocol"] = proto
        out.append(listener)
    lb["Listeners"] = out

"""Collection benchmark: `mlps scan azure`'s collector against the in-process fake ARM.

Three subscriptions share about 2,000 resources (the scenario plus bulk storage accounts, NSGs, disks
and generic resources); a fixed latency per request (--latency-ms, default 30) stands in for the round
trip to management.chinacloudapi.cn. Collects with the default concurrency and with one worker.
Run:  python bench/bench_collect_azure.py [--per-subscription 110] [--workers 8] [--latency-ms 30]
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def scenario(per_sub: int) -> dict:
    from providers.azure.sim.fake import load_scenario

    base = load_scenario("company")
    template = base["subscriptions"][0]
    subs = []
    for n in range(3):
        sub = copy.deepcopy(template)
        sub["subscriptionId"] = f"00000000-0000-0000-0000-00000000000{n}"
        sub["displayName"] = f"sub-{n}"
        cols = sub["collections"]
        rg = "/subscriptions/@SUB@/resourceGroups/bulk"
        for i in range(per_sub):
            sa = {
                "id": f"{rg}/providers/Microsoft.Storage/storageAccounts/bulk{i}",
                "name": f"bulk{i}",
                "location": "chinaeast2",
                "sku": {"name": "Standard_LRS"},
                "properties": {
                    "supportsHttpsTrafficOnly": i % 4 != 0,
                    "minimumTlsVersion": "TLS1_2",
                    "allowBlobPublicAccess": False,
                    "networkAcls": {"defaultAction": "Deny"},
                    "encryption": {"keySource": "Microsoft.Storage"},
                },
            }
            cols["/subscriptions/@SUB@/providers/Microsoft.Storage/storageAccounts"].append(sa)
            sub["objects"][sa["id"] + "/blobServices/default"] = {
                "properties": {"deleteRetentionPolicy": {"enabled": i % 2 == 0, "days": 7}}
            }
            cols["/subscriptions/@SUB@/providers/Microsoft.Network/networkSecurityGroups"].append(
                {
                    "id": f"{rg}/providers/Microsoft.Network/networkSecurityGroups/nsg{i}",
                    "name": f"nsg{i}",
                    "location": "chinaeast2",
                    "properties": {"securityRules": []},
                }
            )
            cols["/subscriptions/@SUB@/providers/Microsoft.Compute/disks"].append(
                {
                    "id": f"{rg}/providers/Microsoft.Compute/disks/disk{i}",
                    "name": f"disk{i}",
                    "location": "chinanorth3",
                    "properties": {
                        "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
                        "networkAccessPolicy": "DenyAll",
                    },
                }
            )
            for kind in ("storageAccounts", "networkSecurityGroups", "disks"):
                cols["/subscriptions/@SUB@/resources"].append(
                    {"id": f"{rg}/providers/x/{kind}/r{i}", "name": f"r{i}", "type": kind, "location": "chinaeast2"}
                )
        subs.append(sub)
    return {"tenantId": base["tenantId"], "subscriptions": subs}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-subscription", type=int, default=110)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--latency-ms", type=float, default=30.0)
    args = ap.parse_args()
    from providers.azure import client, collect
    from providers.azure.sim.fake import FakeArm, FakeCredential

    sc = scenario(args.per_subscription)
    print(f"{'workers':>7} {'resources':>9} {'requests':>8} {'wall s':>7} {'req/s':>6}")
    for workers in (args.workers, 1):
        fake = FakeArm(sc, page_size=100, latency=args.latency_ms / 1000)
        ctx = client.connect(credential=FakeCredential(), transport=fake.transport())
        t = time.perf_counter()
        inv = collect.collect(ctx, workers=workers)
        wall = time.perf_counter() - t
        assert all(c.status.value == "ok" for c in inv.coverage), [c for c in inv.coverage if c.status.value != "ok"]
        print(f"{workers:>7} {len(inv.resources):>9} {ctx.calls:>8} {wall:>7.1f} {ctx.calls / wall:>6.0f}")


if __name__ == "__main__":
    main()

"""Collection benchmark: `mlps scan alibaba`'s collector against the local OpenAPI/OSS fake.

Seeds about 2,000 resources over cn-hangzhou, cn-shanghai and cn-beijing (the shared scenario plus bulk
security groups with rules, disks, instances, VPCs, RAM users and OSS buckets), adds a fixed latency per
call (--latency-ms, default 30) for the network round trip, and collects with the default concurrency
and with one worker: wall time and number of API calls. Loopback only.
Run:  python bench/bench_collect_alibaba.py [--per-region 190] [--workers 8] [--latency-ms 30]
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def scenario(per_region: int) -> dict:
    from providers.alibaba.sim.fake import load_scenario

    sc = copy.deepcopy(load_scenario("company"))
    sc["regions"] = ["cn-hangzhou", "cn-shanghai", "cn-beijing"]
    cols, det = sc["collections"], sc["details"]
    for region in sc["regions"]:
        for n in range(per_region):
            sg = f"sg-{region}-{n:04d}"
            cols.setdefault("ecs.security_groups", {}).setdefault(region, []).append(
                {"SecurityGroupId": sg, "SecurityGroupName": f"bulk-{n}", "VpcId": f"vpc-{region}-0"}
            )
            det["DescribeSecurityGroupAttribute"][sg] = {
                "SecurityGroupId": sg,
                "Permissions": {
                    "Permission": [
                        {
                            "Direction": "ingress",
                            "IpProtocol": "TCP",
                            "PortRange": "3389/3389" if n % 7 == 0 else "443/443",
                            "SourceCidrIp": "0.0.0.0/0",
                            "Ipv6SourceCidrIp": "",
                            "Policy": "Accept",
                            "Priority": "1",
                        }
                    ]
                },
            }
            cols.setdefault("ecs.disks", {}).setdefault(region, []).append(
                {
                    "DiskId": f"d-{region}-{n:04d}",
                    "Status": "In_use",
                    "Encrypted": n % 3 != 0,
                    "Type": "data",
                    "AutoSnapshotPolicyId": "",
                }
            )
            cols.setdefault("ecs.instances", {}).setdefault(region, []).append(
                {
                    "InstanceId": f"i-{region}-{n:04d}",
                    "Status": "Running",
                    "InstanceNetworkType": "vpc",
                    "PublicIpAddress": {"IpAddress": []},
                    "EipAddress": {"IpAddress": ""},
                }
            )
            if n % 4 == 0:
                cols.setdefault("vpc.vpcs", {}).setdefault(region, []).append(
                    {"VpcId": f"vpc-{region}-{n:04d}", "VpcName": f"bulk-{n}", "CidrBlock": "10.0.0.0/16"}
                )
    for n in range(per_region // 2):
        name = f"user-{n:04d}"
        cols["ram.users"]["*"].append({"UserName": name, "UserId": f"28{n:016d}", "CreateDate": "2025-01-01T00:00:00Z"})
        det["GetUser"][name] = {"User": {"UserName": name, "LastLoginDate": "2025-06-01T00:00:00Z"}}
        det["ListAccessKeys"][name] = {"AccessKeys": {"AccessKey": []}}
        det["ListPoliciesForUser"][name] = {"Policies": {"Policy": []}}
        det["ListGroupsForUser"][name] = {"Groups": {"Group": []}}
    for n in range(per_region // 4):
        sc["oss"]["buckets"].append(
            {"Name": f"bulk-bucket-{n:04d}", "Location": "oss-cn-shanghai", "config": {"acl": "private"}}
        )
    return sc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-region", type=int, default=190)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--latency-ms", type=float, default=30.0)
    args = ap.parse_args()
    from providers.alibaba.sim.fake import FAKE_AK, FAKE_SK, FakeAlibabaCloud

    os.environ.update(
        ALIBABA_CLOUD_ACCESS_KEY_ID=FAKE_AK,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=FAKE_SK,
        ALIBABA_CLOUD_ECS_METADATA_DISABLED="true",
        ALIBABA_CLOUD_CLI_PROFILE_DISABLED="true",
    )
    from providers.alibaba import client, collect

    with FakeAlibabaCloud(scenario(args.per_region), latency=args.latency_ms / 1000) as fake:
        print(f"{'workers':>7} {'resources':>9} {'API calls':>9} {'wall s':>7} {'calls/s':>8}")
        for workers in (args.workers, 1):
            ctx = client.connect(endpoint_override=fake.endpoints)
            t = time.perf_counter()
            inv = collect.collect(ctx, workers=workers)
            wall = time.perf_counter() - t
            errors = [c for c in inv.coverage if c.status.value != "ok"]
            assert not errors, errors
            print(f"{workers:>7} {len(inv.resources):>9} {ctx.calls:>9} {wall:>7.1f} {ctx.calls / wall:>8.0f}")


if __name__ == "__main__":
    main()

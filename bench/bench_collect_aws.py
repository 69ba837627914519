"""Collection benchmark: `mlps scan aws`'s collector against a local moto server.

Seeds about 2,000 resources over cn-north-1 and cn-northwest-1 (the shared scenario plus bulk security
groups, volumes and buckets) in a moto server running as its own process, then collects the account with
the default concurrency and with one worker, reporting wall time and the number of API calls. A fixed
latency per call (--latency-ms, default 30) stands in for the network round trip to a real region;
without it both runs are bound by moto's own CPU time. Loopback only.
Run:  python bench/bench_collect_aws.py [--scale 390] [--workers 8] [--latency-ms 30]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=390, help="bulk units; each adds ~5 resources")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--latency-ms", type=float, default=30.0)
    args = ap.parse_args()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="cn-north-1",
        MOTO_EC2_LOAD_DEFAULT_AMIS="false",
        AWS_CONFIG_FILE="/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
    )
    import boto3

    from providers.aws import client, collect, scenario

    port = _free_port()
    srv = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    _wait(url)
    os.environ["AWS_ENDPOINT_URL"] = url
    try:
        t = time.perf_counter()
        scenario.seed(boto3.Session(region_name="cn-north-1"), endpoint_url=url, scale=args.scale)
        print(f"seeded in {time.perf_counter() - t:.1f} s")
        print(f"{'workers':>7} {'resources':>9} {'API calls':>9} {'wall s':>7} {'calls/s':>8}")
        for workers in (args.workers, 1):
            ctx = client.connect()
            if args.latency_ms:
                delay = args.latency_ms / 1000
                ctx.session.events.register("before-send", lambda delay=delay, **_: time.sleep(delay))
            t = time.perf_counter()
            inv = collect.collect(ctx, workers=workers)
            wall = time.perf_counter() - t
            print(f"{workers:>7} {len(inv.resources):>9} {ctx.calls:>9} {wall:>7.1f} {ctx.calls / wall:>8.0f}")
    finally:
        srv.terminate()
        srv.wait(10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("moto server did not start")


if __name__ == "__main__":
    main()

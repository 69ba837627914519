"""Time evaluation of synthetic inventories (1k / 10k / 100k resources) with the full check set.

Each size runs in a fresh subprocess so that peak memory (max RSS) is that size's alone. Phases:
load (read + parse the saved inventory file), evaluate (all checks), rollup (levels 2-4 item
statuses), write (the findings JSON). Run:  python bench/bench_evaluate.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPLIT = {"aws": 0.4, "alibaba": 0.4, "azure": 0.2}


def child(size: int, workdir: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from scanner import findings as findings_doc
    from scanner import inventory
    from scanner.catalogue import load_catalogue
    from scanner.checks import load_checks
    from scanner.engine import evaluate
    from scanner.links import load_links
    from scanner.rollup import rollup
    from scanner.scope import scope_of

    paths = [workdir / f"{provider}-{size}.json.gz" for provider in SPLIT]
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    catalogue = load_catalogue()
    links = load_links(catalogue)
    checks = load_checks()
    invs = [inventory.load(p) for p in paths]
    t1 = time.perf_counter()
    all_findings, results = [], []
    for inv in invs:
        fs = evaluate(inv, checks)
        all_findings.extend(fs)
        results.extend(rollup(catalogue, links, fs, inv.provider, inv.account_ids, 3, scope_of(inv)))
    t2 = time.perf_counter()
    doc = findings_doc.build([(inv, None) for inv in invs], all_findings, results, 3, catalogue)
    findings_doc.write(doc, workdir / f"findings-{size}.json")
    t3 = time.perf_counter()
    return {
        "resources": sum(len(i.resources) for i in invs),
        "checks": len(checks),
        "findings": len(all_findings),
        "load_s": round(t1 - t0, 3),
        "evaluate_rollup_s": round(t2 - t1, 3),
        "write_s": round(t3 - t2, 3),
        "total_s": round(t3 - t0, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_load_mb": round(base_rss / 1024, 1),
    }


def generate(size: int, workdir: Path) -> None:
    """Write the synthetic inventories in this (parent) process, so the child measures only the tool."""
    sys.path.insert(0, str(ROOT))
    from bench.synth import build
    from scanner import inventory

    for provider, share in SPLIT.items():
        inventory.save(build(provider, int(size * share)), workdir / f"{provider}-{size}.json.gz")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, Path(args.workdir))))
        return
    print(
        f"{'resources':>10} {'checks':>6} {'findings':>9} {'load s':>7} {'eval+rollup s':>13} {'write s':>7} "
        f"{'total s':>7} {'peak RSS MB':>11}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            generate(size, Path(tmp))
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(size), "--workdir", tmp],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{r['resources']:>10} {r['checks']:>6} {r['findings']:>9} {r['load_s']:>7} "
                f"{r['evaluate_rollup_s']:>13} {r['write_s']:>7} {r['total_s']:>7} {r['peak_rss_mb']:>11}"
            )


if __name__ == "__main__":
    main()

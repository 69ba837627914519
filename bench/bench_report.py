"""Time ``mlps report`` (each format) and ``mlps evidence pack`` on synthetic single-account inventories.

One AWS inventory per size (reports are per account; the size is what one large account holds).
Each format runs as its own ``mlps`` process, so every figure includes start-up, loading and
evaluating the inventory. Run:  python bench/bench_report.py [--sizes 1000,10000,50000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("md", "json", "html", "xlsx")


def timed(*args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cli", *args], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,50000")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.synth import build
    from scanner import inventory

    print(
        f"{'resources':>10} {'findings':>9} "
        + " ".join(f"{f + ' s':>7}" for f in FORMATS)
        + f" {'pack s':>7}"
        + f" {'xlsx MB':>8} {'html MB':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for size in (int(s) for s in args.sizes.split(",")):
            inv = work / f"aws-{size}.json.gz"
            inventory.save(build("aws", size), inv)
            findings = work / f"findings-{size}.json"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "cli",
                    "evaluate",
                    str(inv),
                    "--format",
                    "json",
                    "--output",
                    str(findings),
                ],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
            n = sum(1 for line in findings.read_text(encoding="utf-8").splitlines() if '"resource_type"' in line)
            out = work / f"r-{size}"
            times = [timed("report", str(inv), "--out", str(out), "--format", f) for f in FORMATS]
            pack = timed("evidence", "pack", str(inv), "--out", str(work / f"p-{size}.zip"))
            mb = [(out / f"report.{f}").stat().st_size / 1e6 for f in ("xlsx", "html")]
            print(
                f"{size:>10} {n:>9} "
                + " ".join(f"{t:>7.2f}" for t in times)
                + f" {pack:>7.2f}"
                + f" {mb[0]:>8.1f} {mb[1]:>8.1f}"
            )


if __name__ == "__main__":
    main()

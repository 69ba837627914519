"""Time ``mlps iac`` against plain ``checkov -d`` on the same generated Terraform tree.

Both run as whole processes with the interpreter that has checkov installed (this one, or
--python). checkov runs its full default check set, as a user running it alone would; mlps runs
only the mapped checks plus its own, and adds the MLPS roll-up. Run:
    python bench/bench_iac.py [--resources 600] [--python /path/to/venv/bin/python]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ALI = """resource "alicloud_security_group_rule" "r{n}" {{
  type = "ingress"
  ip_protocol = "tcp"
  port_range = "{port}/{port}"
  cidr_ip = "{cidr}"
  security_group_id = "sg-{n}"
}}
resource "alicloud_log_store" "l{n}" {{
  project = "p"
  name = "l{n}"
  retention_period = {days}
}}
"""
AWS = """resource "aws_cloudwatch_log_group" "g{n}" {{
  name = "/app/{n}"
  retention_in_days = {days}
}}
resource "aws_ebs_volume" "v{n}" {{
  availability_zone = "cn-north-1a"
  size = 10
  encrypted = {enc}
}}
"""
AZ = """resource "azurerm_resource_group" "rg{n}" {{
  name = "rg{n}"
  location = "{loc}"
}}
resource "azurerm_managed_disk" "d{n}" {{
  name = "d{n}"
  location = "{loc}"
  resource_group_name = "rg{n}"
  storage_account_type = "Standard_LRS"
  create_option = "Empty"
  disk_size_gb = 10
}}
"""


def generate(folder: Path, resources: int) -> int:
    per_module = 60  # 6 resources per group of three providers x 10
    count = 0
    for m in range(max(1, resources // per_module)):
        d = folder / f"mod{m}"
        d.mkdir(parents=True)
        parts = ['provider "alicloud" {\n  region = "cn-hangzhou"\n}\nprovider "aws" {\n  region = "cn-north-1"\n}\n']
        for i in range(10):
            n = m * 10 + i
            parts.append(
                ALI.format(
                    n=n,
                    port=22 if i % 3 == 0 else 443,
                    cidr="0.0.0.0/0" if i % 2 else "10.0.0.0/8",
                    days=30 if i % 4 == 0 else 365,
                )
            )
            parts.append(AWS.format(n=n, days=30 if i % 5 == 0 else 400, enc="true" if i % 2 else "false"))
            parts.append(AZ.format(n=n, loc="chinanorth3" if i % 3 else "eastus"))
            count += 6
        (d / "main.tf").write_text("\n".join(parts), encoding="utf-8")
    return count


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - t0, r.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--resources", type=int, default=600)
    ap.add_argument("--python", default=sys.executable, help="interpreter with checkov and mlps-scanner installed")
    args = ap.parse_args()
    checkov = str(Path(args.python).parent / "checkov")
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tf"
        n = generate(tree, args.resources)
        # warm the file cache and checkov's first-run set-up once, untimed
        subprocess.run([checkov, "-d", str(tree), "--quiet", "--compact"], capture_output=True, cwd=tmp)
        runs = {
            "checkov -d (all checks)": [checkov, "-d", str(tree), "--quiet", "--compact", "--skip-download"],
            "checkov -d (terraform only)": [
                checkov,
                "-d",
                str(tree),
                "--framework",
                "terraform",
                "--quiet",
                "--compact",
                "--skip-download",
            ],
            "mlps iac (mapped + MLPS roll-up)": [args.python, "-m", "cli", "iac", str(tree)],
        }
        print(f"{n} resources in {len(list(tree.iterdir()))} modules")
        for label, cmd in runs.items():
            times = [timed(cmd, ROOT)[0] for _ in range(3)]
            print(f"{label:<34} best {min(times):6.2f} s  median {sorted(times)[1]:6.2f} s")


if __name__ == "__main__":
    main()

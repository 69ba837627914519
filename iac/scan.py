"""Run checkov in-process on IaC and turn its records into MLPS findings and requirement results.

checkov is imported here only, when ``mlps iac`` runs. Only the checks in mappings/iac/checkov.yaml
run (plus our custom checks in iac/checks/), so a scan spends no time on checks that evidence nothing.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.clouds import terraform_prefixes
from scanner.errors import MlpsError
from scanner.inventory import Inventory
from scanner.model import Finding, Status
from scanner.twins import check_key, mapping

ACCOUNT = "iac"


@dataclass
class IacResult:
    findings: list[Finding]
    suppressed: list[dict[str, Any]]
    parse_errors: list[dict[str, str]]
    providers: list[str]
    titles: dict[str, str] = field(default_factory=dict)  # iac check key -> checkov title


def account_id(provider: str) -> str:
    """IaC has no account; one pseudo-account per provider keeps roll-ups and reports per cloud."""
    return f"{ACCOUNT}:{provider}"


def file_kind(path: Path) -> str:
    """terraform, plan, cloudformation or arm, from the name and, for JSON, the top-level keys."""
    if path.suffix == ".tf":
        return "terraform"
    if path.suffix == ".bicep":
        return "bicep"
    if path.suffix in (".yaml", ".yml", ".template"):
        return "cloudformation"
    if path.suffix != ".json":
        raise MlpsError(f"{path}: not Terraform (.tf), a plan or template (.json), CloudFormation (.yaml) or Bicep")
    import json

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return "plan"  # let checkov report the parse error against the file
    if isinstance(doc, dict) and "deploymentTemplate" in str(doc.get("$schema", "")):
        return "arm"
    if isinstance(doc, dict) and ("AWSTemplateFormatVersion" in doc or "Resources" in doc):
        return "cloudformation"
    return "plan"


def _provider_of(resource: str, entity: str | None) -> str | None:
    if resource.startswith("AWS::"):
        return "aws"
    if resource.startswith("Microsoft."):
        return "azure"
    head = (entity or resource).split(".")[0]
    if head == "provider":
        head = resource.split(".")[1] if "." in resource else ""
    head = head.split("_")[0]
    return terraform_prefixes().get(head)


def scan(paths: list[Path]) -> IacResult:
    """Scan Terraform (folders, .tf, plan JSON), CloudFormation, ARM and Bicep; a file that does not parse is
    reported and the rest still scanned."""
    logging.getLogger("checkov").setLevel(logging.CRITICAL)
    os.environ.setdefault("LOG_LEVEL", "CRITICAL")
    os.environ.setdefault("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")
    try:
        from checkov.arm.runner import Runner as ArmRunner
        from checkov.bicep.runner import Runner as BicepRunner
        from checkov.cloudformation.runner import Runner as CfnRunner
        from checkov.runner_filter import RunnerFilter
        from checkov.terraform.plan_runner import Runner as PlanRunner
        from checkov.terraform.runner import Runner
    except ImportError:
        raise MlpsError("checkov is not installed", "pip install 'mlps-scanner[iac]'") from None
    ids = sorted(mapping())
    custom = str(Path(__file__).parent / "checks")
    records, parse_errors, suppressed = [], [], []
    by_kind: dict[str, list[str]] = {"terraform": [], "plan": [], "cloudformation": [], "arm": [], "bicep": []}
    folders = []
    for p in paths:
        if not p.exists():
            raise MlpsError(f"{p}: no such file or folder")
        if p.is_dir():
            folders.append(p)
        else:
            by_kind[file_kind(p)].append(str(p))
    runners = {
        "terraform": Runner,
        "plan": PlanRunner,
        "cloudformation": CfnRunner,
        "arm": ArmRunner,
        "bicep": BicepRunner,
    }
    runs: list[tuple[Any, dict[str, Any]]] = []
    for folder in folders:  # each runner picks its own files from a folder
        for kind in ("terraform", "cloudformation", "arm", "bicep"):
            runs.append((runners[kind](), {"root_folder": str(folder)}))
    for kind, files in by_kind.items():
        if files:
            runs.append((runners[kind](), {"root_folder": None, "files": files}))
    for runner, kwargs in runs:
        rf = RunnerFilter(framework=["terraform", "terraform_plan", "cloudformation", "arm", "bicep"], checks=ids)
        report = runner.run(runner_filter=rf, external_checks_dir=[custom], **kwargs)
        records += report.failed_checks + report.passed_checks
        for rec in report.skipped_checks:
            suppressed.append(
                {
                    "checkov_id": rec.check_id,
                    "resource": rec.resource,
                    "file": _rel(rec),
                    "line": rec.file_line_range[0],
                    "reason": (rec.check_result or {}).get("suppress_comment", ""),
                }
            )
        for f in report.parsing_errors:
            parse_errors.append({"file": str(f), "error": "could not be parsed (HCL syntax or JSON error)"})
    findings, providers, titles = [], set(), {}
    for rec in records:
        m = mapping().get(rec.check_id)
        provider = _provider_of(rec.resource, getattr(rec, "entity_type", None)) if m else None
        if m is None or provider is None:
            continue
        providers.add(provider)
        key = check_key(rec.check_id, provider)
        titles[key] = rec.check_name
        result = rec.check_result["result"]
        status = Status.PASS if result.name == "PASSED" else Status.FAIL
        rel = _rel(rec)
        start, end = rec.file_line_range
        findings.append(
            Finding(
                check=key,
                account=account_id(provider),
                region="iac",
                resource_type=_resource_type(rec.resource),
                resource_id=rec.resource,
                resource_name=rec.resource,
                status=status,
                severity=m["severity"],
                message=f"{rec.check_id} {rec.check_name} ({rel}:{start})",
                evidence={
                    "checkov_id": rec.check_id,
                    "file": rel,
                    "start_line": start,
                    "end_line": end,
                    "resource": rec.resource,
                },
            )
        )
    findings += _unparsed(parse_errors, providers)
    # de-duplicate: a folder and a file inside it may both be given
    unique = {
        (f.check, f.resource_id, (f.evidence or {}).get("file"), (f.evidence or {}).get("start_line")): f
        for f in findings
    }
    return IacResult(sorted(unique.values(), key=Finding.sort_key), suppressed, parse_errors, sorted(providers), titles)


def _unparsed(parse_errors: list[dict[str, str]], providers: set[str]) -> list[Finding]:
    """An unparsed file may hold any resource, so every mapped check of every cloud scanned gets an ERROR
    on it: through the usual roll-up, nothing the file could contradict is reported as 符合."""
    out = []
    for err in parse_errors:
        for cid, m in mapping().items():
            for twin in [m["same_as"], *m.get("also", [])]:
                provider = twin.split("/", 1)[0]
                if provider in providers:
                    out.append(
                        Finding(
                            check=check_key(cid, provider),
                            account=account_id(provider),
                            region="iac",
                            resource_type="file",
                            resource_id=err["file"],
                            resource_name=err["file"],
                            status=Status.ERROR,
                            severity=m["severity"],
                            message=f"not assessed: {err['file']} {err['error']}",
                            evidence={"checkov_id": cid, "file": err["file"], "start_line": 1, "end_line": 1},
                        )
                    )
    return out


def _resource_type(address: str) -> str:
    """alicloud_disk.d1 -> alicloud_disk; AWS::EC2::Volume.V -> AWS::EC2::Volume; Microsoft.A/b.name -> Microsoft.A/b"""
    if address.startswith("Microsoft."):
        return address.rsplit(".", 1)[0]
    return address.split(".")[0]


def _rel(rec: Any) -> str:
    path = Path(rec.file_abs_path) if getattr(rec, "file_abs_path", None) else Path(rec.file_path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def pseudo_inventory(provider: str, paths: list[Path]) -> Inventory:
    """Findings documents describe what was scanned per provider; for IaC that is the set of paths."""
    inv = Inventory.new(
        provider, [{"id": account_id(provider), "name": ", ".join(str(p) for p in paths)}], [], {"iac": "checkov"}
    )
    inv.source = "iac"
    return inv

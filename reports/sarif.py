"""SARIF 2.1.0 for GitHub code scanning: one rule per check, one result per failing resource."""

from __future__ import annotations

import json
from typing import Any

from scanner import __version__

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SCORE = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}  # GitHub's security-severity bands


def render(doc: dict[str, Any], titles: dict[str, str]) -> str:
    units: dict[str, list[str]] = {}
    for r in doc["requirements"]:
        for c in r["checks"]:
            units.setdefault(c, []).append(f"{r['unit_id'] or r['item']} ({r['clause']})")
    fails = [f for f in doc["findings"] if f["status"] == "FAIL"]
    rule_ids = sorted({f["check"] for f in fails})
    rules = []
    for rid in rule_ids:
        sev = next(f["severity"] for f in fails if f["check"] == rid)
        mlps = ", ".join(units.get(rid, [])) or "no requirement item at this level"
        title = titles.get(rid, rid)
        rules.append(
            {
                "id": rid,
                "name": rid.split("/", 1)[1],
                "shortDescription": {"text": title},
                "fullDescription": {"text": f"{title}. MLPS 2.0 (GB/T 22239-2019) level {doc['level']}: {mlps}"},
                "help": {
                    "text": f"Evidences {mlps}. Fix the resource, or record an accepted risk in a waivers file.",
                    "markdown": f"**MLPS 2.0 level {doc['level']}**: {mlps}",
                },
                "defaultConfiguration": {"level": LEVEL[sev]},
                "properties": {
                    "tags": ["security", "mlps", *[u.split(" ")[0] for u in units.get(rid, [])]],
                    "security-severity": SCORE[sev],
                },
            }
        )
    index = {rid: n for n, rid in enumerate(rule_ids)}
    results = []
    for f in fails:
        ev = f["evidence"]
        result: dict[str, Any] = {
            "ruleId": f["check"],
            "ruleIndex": index[f["check"]],
            "level": LEVEL[f["severity"]],
            "message": {"text": f"{f['resource_id']}: {f['message']}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": ev["file"]},
                        "region": {"startLine": max(1, int(ev["start_line"])), "endLine": max(1, int(ev["end_line"]))},
                    }
                }
            ],
            "partialFingerprints": {"mlps/v1": f"{f['check']}|{f['resource_id']}"},
        }
        if "waiver" in f:
            w = f["waiver"]
            result["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": f"{w['reason']} ({w['owner']}, until {w['expires']})",
                }
            ]
        results.append(result)
    sarif = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlps-scanner",
                        "version": __version__,
                        "informationUri": "https://github.com/mlps-scanner/mlps-scanner",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=1) + "\n"

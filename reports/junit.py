"""JUnit XML for GitLab and Jenkins: a test suite per requirement item, a test case per (check, resource)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any


def render(doc: dict[str, Any]) -> str:
    by_check: dict[str, list[dict[str, Any]]] = {}
    for f in doc["findings"]:
        by_check.setdefault(f["check"], []).append(f)
    root = ET.Element("testsuites", name="mlps-scanner iac")
    total = failures = 0
    for r in doc["requirements"]:
        cases = [f for c in r["checks"] for f in by_check.get(c, ())]
        if not cases:
            continue
        unit = r["unit_id"] or r["item"]
        failed = [f for f in cases if f["status"] == "FAIL" and "waiver" not in f]
        suite = ET.SubElement(
            root, "testsuite", name=f"{unit} {r['clause']}", tests=str(len(cases)), failures=str(len(failed))
        )
        for f in cases:
            ev = f["evidence"]
            case = ET.SubElement(
                suite,
                "testcase",
                classname=unit,
                name=f"{f['check']} {f['resource_id']}",
                file=ev.get("file", ""),
                line=str(ev.get("start_line", "")),
            )
            if f["status"] == "FAIL" and "waiver" not in f:
                fail = ET.SubElement(case, "failure", message=f["message"], type=f["severity"])
                fail.text = f"{ev.get('file')}:{ev.get('start_line')} {f['message']}"
            elif "waiver" in f:
                ET.SubElement(case, "skipped", message=f"accepted risk: {f['waiver']['reason']}")
        total += len(cases)
        failures += len(failed)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"

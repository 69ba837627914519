"""An assessor's gap-analysis workbook: 概览, 差距分析, 问题清单, 资产清单, 整改计划 (openpyxl)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports.data import AccountReport, status_label, text

FILL = {
    "compliant": "C6EFCE",
    "partial": "FFEB9C",
    "non_compliant": "FFC7CE",
    "not_assessed": "E4DFEC",
    "manual": "DDEBF7",
    "provider": "D9D9D9",
    "not_applicable": "F2F2F2",
}
HEADER = PatternFill("solid", fgColor="1F4E78")


def _sheet(
    wb: Workbook,
    title: str,
    headers: list[str],
    rows: list[list[object]],
    widths: list[int],
    status_col: int | None = None,
    keys: list[str] | None = None,
) -> None:
    ws = wb.create_sheet(title)
    ws.append(headers)
    for c in ws[1]:
        c.font, c.fill = Font(bold=True, color="FFFFFF"), HEADER
        c.alignment = Alignment(vertical="center", wrap_text=True)
    for n, row in enumerate(rows):
        ws.append(row)
        if status_col is not None and keys:
            ws.cell(row=n + 2, column=status_col).fill = PatternFill("solid", fgColor=FILL[keys[n]])
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def write(reports: list[AccountReport], path: Path, lang: str) -> Path:
    t = lambda zh, en: text(zh, en, lang)  # noqa: E731
    wb = Workbook()
    wb.remove(wb.active)
    overview = []
    for r in reports:
        overview.append(
            [
                r.provider,
                r.account,
                r.account_name or "",
                r.level,
                ", ".join(r.regions),
                r.finished_at,
                str(r.identity.get("arn") or r.identity.get("object_id") or r.identity.get("cloud") or ""),
                *[
                    r.summary.get(k, 0)
                    for k in (
                        "non_compliant",
                        "partial",
                        "not_assessed",
                        "compliant",
                        "manual",
                        "provider",
                        "not_applicable",
                    )
                ],
            ]
        )
    _sheet(
        wb,
        _title("概览", "Overview", lang),
        [
            t("云", "Cloud"),
            t("账号", "Account"),
            t("名称", "Name"),
            t("等级", "Level"),
            t("地域", "Regions"),
            t("采集时间", "Collected"),
            t("身份", "Identity"),
        ]
        + [
            status_label(k, lang)
            for k in ("non_compliant", "partial", "not_assessed", "compliant", "manual", "provider", "not_applicable")
        ],
        overview,
        [10, 22, 18, 6, 30, 22, 40] + [10] * 7,
    )
    gap_rows, gap_keys = [], []
    for r in reports:
        plan_by_unit: dict[str, list[str]] = {}
        for e in r.plan:
            for u in e.items:
                plan_by_unit.setdefault(u, []).append(text(e.steps_zh, e.steps_en, lang))
        for row in r.rows:
            gap_rows.append(
                [
                    r.account,
                    row.ref,
                    row.clause + (" ⚠" if row.unverified else ""),
                    text(row.class_zh, row.class_en, lang),
                    text(row.cp_zh, row.cp_en, lang),
                    text(row.text_zh, row.text_en, lang),
                    status_label(row.status, lang),
                    text(row.reason_zh, row.reason_en, lang),
                    ", ".join(row.checks),
                    row.failing_resources,
                    f"findings.json#{r.account}/{row.item}",
                    "\n".join(plan_by_unit.get(row.ref, [])),
                ]
            )
            gap_keys.append(row.status)
    _sheet(
        wb,
        _title("差距分析", "Gap analysis", lang),
        [
            t("账号", "Account"),
            t("测评单元", "Unit ID"),
            t("条款", "Clause"),
            t("安全类", "Class"),
            t("控制点", "Control point"),
            t("要求", "Requirement"),
            t("状态", "Status"),
            t("说明", "Findings"),
            t("关联检查", "Checks"),
            t("失败资源数", "Failing resources"),
            t("证据", "Evidence"),
            t("整改建议", "Remediation"),
        ],
        gap_rows,
        [20, 13, 12, 14, 14, 50, 10, 40, 30, 10, 30, 50],
        status_col=7,
        keys=gap_keys,
    )
    issues = [
        [
            r.account,
            f["check"],
            f["severity"],
            f["resource_type"],
            f["resource_id"] or "",
            f["resource_name"] or "",
            f["region"],
            f["message"],
            _disposition(f, lang),
        ]
        for r in reports
        for f in [*r.failures, *r.accepted]
    ]
    issues += [
        [
            r.account,
            w["check"] or w["item"],
            "",
            "",
            w["resource"],
            "",
            "",
            t("豁免已过期", "Expired waiver") + f" {w['id']}: {w['reason']}",
            t(f"已过期 {w['expires']}（{w['owner']}）", f"expired {w['expires']} ({w['owner']})"),
        ]
        for r in reports
        for w in r.expired_waivers
    ]
    _sheet(
        wb,
        _title("问题清单", "Findings", lang),
        [
            t("账号", "Account"),
            t("检查", "Check"),
            t("严重性", "Severity"),
            t("资源类型", "Type"),
            t("资源 ID", "Resource ID"),
            t("名称", "Name"),
            t("地域", "Region"),
            t("说明", "Message"),
            t("处置", "Disposition"),
        ],
        issues,
        [20, 40, 10, 28, 40, 20, 14, 60, 40],
    )
    assets = []
    for r in reports:
        s = r.survey or {}
        for reg in s.get("regions", []):
            assets.append(
                [
                    r.account,
                    t("地域", "Region"),
                    reg["region"],
                    reg["resources"],
                    t("境内", "mainland") if reg["mainland"] else t("境外", "outside mainland"),
                ]
            )
        for kind, n in (s.get("network") or {}).items():
            assets.append([r.account, t("网络", "Network"), kind, n, ""])
        for kind, n in (s.get("security_services") or {}).items():
            assets.append([r.account, t("安全服务", "Security service"), kind, n, ""])
        for d in s.get("data_stores", []):
            assets.append(
                [
                    r.account,
                    t("数据存储", "Data store"),
                    f"{d['type']} {d['name'] or d['id']}",
                    1,
                    f"{d['region']}; " + (", ".join(d["failing_checks"]) or t("无失败检查", "no failing check")),
                ]
            )
    _sheet(
        wb,
        _title("资产清单", "Survey", lang),
        [t("账号", "Account"), t("类别", "Category"), t("项目", "Item"), t("数量", "Count"), t("说明", "Notes")],
        assets,
        [20, 14, 50, 8, 60],
    )
    plan_rows = []
    for r in reports:
        for n, e in enumerate(r.plan, 1):
            plan_rows.append(
                [
                    r.account,
                    n,
                    e.severity,
                    e.high_risk or "",
                    ", ".join(e.items),
                    text(e.title_zh, e.title_en, lang),
                    text(e.steps_zh, e.steps_en, lang),
                    e.cli or e.console or "",
                    e.terraform or "",
                    len(e.resources),
                    "\n".join(str(x["name"] or x["id"]) for x in e.resources[:50]),
                ]
            )
        for row in r.manual:
            plan_rows.append(
                [
                    r.account,
                    "",
                    "",
                    "",
                    row.ref,
                    text(row.cp_zh, row.cp_en, lang),
                    _manual_evidence(row.class_code, lang),
                    "",
                    "",
                    "",
                    status_label(row.status, lang),
                ]
            )
    _sheet(
        wb,
        _title("整改计划", "Remediation plan", lang),
        [
            t("账号", "Account"),
            t("优先级", "Priority"),
            t("严重性", "Severity"),
            t("高风险项", "High risk"),
            t("测评单元", "Units"),
            t("问题", "Issue"),
            t("整改步骤", "Steps"),
            t("命令/控制台", "CLI / console"),
            "Terraform",
            t("资源数", "Resources"),
            t("资源", "Affected"),
        ],
        plan_rows,
        [20, 8, 10, 14, 24, 36, 60, 40, 40, 8, 40],
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _title(zh: str, en: str, lang: str) -> str:
    """Sheet names cannot hold '/' and stop at 31 characters."""
    return {"zh": zh, "en": en}.get(lang, f"{zh} {en}")[:31]


def _disposition(f: dict[str, object], lang: str) -> str:
    w = f.get("waiver")
    if not isinstance(w, dict):
        return text("待整改", "to remediate", lang)
    return text(
        f"已接受风险：{w['reason']}（{w['owner']}，至 {w['expires']}）",
        f"accepted risk: {w['reason']} ({w['owner']}, until {w['expires']})",
        lang,
    )


def _manual_evidence(code: str, lang: str) -> str:
    from reports.data import MANUAL_EVIDENCE

    zh, en = MANUAL_EVIDENCE.get(code, ("由测评人员查阅相关文档与记录", "The assessor reviews the related documents"))
    return text(zh, en, lang)

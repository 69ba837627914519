"""An assessor's gap-analysis workbook: 概览, 差距分析, 问题清单, 资产清单, 整改计划 (openpyxl)."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.data import (
    AccountReport,
    high_risk_text,
    identity_label,
    manual_evidence,
    pack_text,
    parameters_text,
    scope_text,
    status_label,
    text,
    verdict,
)

STATUS_KEYS = ("non_compliant", "partial", "not_assessed", "compliant", "manual", "provider", "not_applicable")
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
WRAP = Alignment(vertical="top", wrap_text=True)


def _header(ws: Worksheet, row: int, headers: list[str]) -> None:
    for col, h in enumerate(headers, 1):
        c = ws.cell(row=row, column=col, value=h)
        c.font, c.fill = Font(bold=True, color="FFFFFF"), HEADER
        c.alignment = Alignment(vertical="center", wrap_text=True)


def _sheet(
    wb: Workbook,
    title: str,
    headers: list[str],
    rows: list[list[object]],
    widths: list[int],
    status_col: int | None = None,
    keys: list[str] | None = None,
) -> Worksheet:
    """One table per sheet: header row frozen, filter over the table, status cells coloured."""
    ws = wb.create_sheet(title)
    _header(ws, 1, headers)
    for n, row in enumerate(rows):
        ws.append([v if v is None or isinstance(v, (str, int, float)) else str(v) for v in row])
        if status_col is not None and keys and keys[n] in FILL:
            ws.cell(row=n + 2, column=status_col).fill = PatternFill("solid", fgColor=FILL[keys[n]])
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = WRAP
            if isinstance(c.value, str):
                c.data_type = "s"  # text, never a formula: a name may start with = + - @
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    return ws


def render(reports: list[AccountReport], lang: str) -> bytes:
    """The workbook as bytes, so that the caller writes it atomically beside the other formats."""
    import io

    buf = io.BytesIO()
    _workbook(reports, lang).save(buf)
    return buf.getvalue()


def _workbook(reports: list[AccountReport], lang: str) -> Workbook:
    def t(zh: str, en: str) -> str:
        return text(zh, en, lang)

    wb = Workbook()
    wb.remove(wb.active)
    _overview(wb, reports, lang, t)
    _gaps(wb, reports, lang, t)
    _issues(wb, reports, lang, t)
    _survey(wb, reports, lang, t)
    _plan(wb, reports, lang, t)
    return wb


def _overview(wb: Workbook, reports: list[AccountReport], lang: str, t: Any) -> None:
    rows = [
        [
            r.provider,
            r.account,
            r.account_name or "",
            r.level,
            ", ".join(r.regions),
            r.finished_at,
            identity_label(r.identity),
            r.tool_version,
            r.catalogue_version,
            *[r.summary.get(k, 0) for k in STATUS_KEYS],
            scope_text(r, lang),
            parameters_text(r, lang),
            pack_text(r, lang),
        ]
        for r in reports
    ]
    ws = _sheet(
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
            t("工具版本", "Tool"),
            t("目录版本", "Catalogue"),
        ]
        + [status_label(k, lang) for k in STATUS_KEYS]
        + [t("扫描范围", "Scope"), t("检查参数", "Check parameters"), t("证据包", "Evidence pack")],
        rows,
        [10, 22, 18, 6, 30, 22, 44, 9, 11] + [10] * len(STATUS_KEYS) + [80, 60, 40],
    )
    # below the account table: status counts per 安全类, one block per account
    row = len(rows) + 3
    for r in reports:
        ws.cell(row=row, column=1, value=t("按安全类汇总", "By security class") + f" — {r.account}").font = Font(
            bold=True
        )
        row += 1
        _header(ws, row, [t("安全类", "Class"), t("合计", "Total")] + [status_label(k, lang) for k in STATUS_KEYS])
        for c in r.by_class:
            row += 1
            ws.cell(row=row, column=1, value=text(c["zh"], c["en"], lang))
            ws.cell(row=row, column=2, value=c["total"])
            for n, k in enumerate(STATUS_KEYS):
                v = c["counts"].get(k, 0)
                cell = ws.cell(row=row, column=3 + n, value=v)
                if v:
                    cell.fill = PatternFill("solid", fgColor=FILL[k])
        row += 2


def _gaps(wb: Workbook, reports: list[AccountReport], lang: str, t: Any) -> None:
    rows, keys = [], []
    for r in reports:
        plan_by_unit: dict[str, list[str]] = {}
        for e in r.plan:
            for u in e.items:
                plan_by_unit.setdefault(u, []).append(text(e.steps_zh, e.steps_en, lang))
        for row in r.rows:
            reason = text(row.reason_zh, row.reason_en, lang)
            if row.accepted:
                reason += "\n" + t(f"已接受风险：{row.accepted} 项", f"accepted risk: {row.accepted}")
            rows.append(
                [
                    r.account,
                    row.ref,
                    row.clause + (" ⚠" if row.unverified else ""),
                    text(row.class_zh, row.class_en, lang),
                    text(row.cp_zh, row.cp_en, lang),
                    text(row.text_zh, row.text_en, lang),
                    status_label(row.status, lang),
                    reason,
                    ", ".join(row.checks),
                    row.failing_resources,
                    f"findings.json#{r.account}/{row.item}",
                    "\n".join(dict.fromkeys(plan_by_unit.get(row.ref, []))),
                ]
            )
            keys.append(row.status)
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
        rows,
        [20, 13, 12, 14, 14, 50, 10, 40, 30, 10, 30, 50],
        status_col=7,
        keys=keys,
    )


def _issues(wb: Workbook, reports: list[AccountReport], lang: str, t: Any) -> None:
    rows = [
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
    rows += [
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
        rows,
        [20, 40, 10, 28, 40, 20, 14, 60, 40],
    )


def _survey(wb: Workbook, reports: list[AccountReport], lang: str, t: Any) -> None:
    rows: list[list[object]] = []
    for r in reports:
        s = r.survey
        if s is None:
            rows.append(
                [r.account, "", t("无资产数据（输入为 findings 文件）", "no inventory in the input"), "", "", ""]
            )
            continue
        for reg in s["regions"]:
            rows.append(
                [
                    r.account,
                    t("物理位置", "Location"),
                    reg["region"],
                    reg["resources"],
                    t("中国内地", "mainland China") if reg["mainland"] else t("中国内地以外", "outside mainland China"),
                    "",
                ]
            )
        for n in s["network"]:
            rows.append([r.account, t("网络", "Network"), text(n["zh"], n["en"], lang), n["count"], n["type"], ""])
        for x in s["internet_exposed"]:
            rows.append(
                [
                    r.account,
                    t("互联网可达", "Internet-reachable"),
                    x["name"] or x["id"],
                    1,
                    f"{x['type']} ({x['region']})",
                    ", ".join(x["checks"]),
                ]
            )
        for n in s["security_services"]:
            rows.append(
                [r.account, t("安全服务", "Security service"), text(n["zh"], n["en"], lang), n["count"], n["type"], ""]
            )
        for d in s["data_stores"]:
            rows.append(
                [
                    r.account,
                    t("数据存储", "Data store"),
                    d["name"] or d["id"],
                    1,
                    f"{d['type']} ({d['region']}); "
                    f"{t('加密', 'encrypted')}: {text(*verdict(d['encryption'], False), lang)}; "
                    f"{t('互联网暴露', 'internet exposure')}: {text(*verdict(d['internet_exposure'], True), lang)}",
                    ", ".join(d["failing_checks"]),
                ]
            )
    _sheet(
        wb,
        _title("资产清单", "Survey", lang),
        [
            t("账号", "Account"),
            t("类别", "Category"),
            t("项目", "Item"),
            t("数量", "Count"),
            t("说明", "Notes"),
            t("失败检查", "Failing checks"),
        ],
        rows,
        [20, 16, 40, 8, 60, 50],
    )


def _plan(wb: Workbook, reports: list[AccountReport], lang: str, t: Any) -> None:
    rows: list[list[object]] = []
    for r in reports:
        for n, e in enumerate(r.plan, 1):
            how = "\n".join(x for x in (e.console and t("控制台：", "Console: ") + e.console, e.cli) if x)
            rows.append(
                [
                    r.account,
                    n,
                    e.group,
                    e.severity,
                    high_risk_text(e.high_risk, lang),
                    ", ".join(e.items),
                    text(e.title_zh, e.title_en, lang),
                    text(e.steps_zh, e.steps_en, lang),
                    how,
                    e.terraform or "",
                    len(e.resources),
                    "\n".join(str(x["name"] or x["id"]) for x in e.resources[:50]),
                ]
            )
        for row in r.manual:
            rows.append(
                [
                    r.account,
                    "",
                    row.ref,
                    "",
                    "",
                    row.ref,
                    text(row.cp_zh, row.cp_en, lang),
                    text(*manual_evidence(row), lang),
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
            t("归属测评单元", "Filed under"),
            t("严重性", "Severity"),
            t("候选高风险（依据待核实）", "Candidate high risk (basis unverified)"),
            t("测评单元", "Units"),
            t("问题", "Issue"),
            t("整改步骤/所需证据", "Steps / evidence"),
            t("控制台/命令", "Console / CLI"),
            "Terraform",
            t("资源数", "Resources"),
            t("资源/状态", "Affected / status"),
        ],
        rows,
        [20, 8, 13, 10, 14, 24, 36, 60, 40, 40, 8, 40],
    )


def _title(zh: str, en: str, lang: str) -> str:
    """Sheet names cannot hold '/' and stop at 31 characters."""
    return {"zh": zh, "en": en}.get(lang, f"{zh} {en}")[:31]


def _disposition(f: dict[str, Any], lang: str) -> str:
    w = f.get("waiver")
    if not isinstance(w, dict):
        return text("待整改", "to remediate", lang)
    return text(
        f"已接受风险：{w['reason']}（{w['owner']}，至 {w['expires']}）",
        f"accepted risk: {w['reason']} ({w['owner']}, until {w['expires']})",
        lang,
    )

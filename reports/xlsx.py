"""An assessor's gap-analysis workbook: 概览, 差距分析, 问题清单, 资产清单, 整改计划 (openpyxl)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.model import (
    AccountReport,
    high_risk_text,
    identity_label,
    manual_evidence,
    pack_text,
    parameters_text,
    scope_text,
    status_label,
    text,
)
from reports.survey import verdict
from scanner.model import REQ_STATUS_ORDER, STATUS_KEYS

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


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header in both languages, its width, and whether it holds the status
    (that column's cells are coloured by the row's status key)."""

    zh: str
    en: str
    width: int
    status: bool = False

    def header(self, lang: str) -> str:
        return self.zh if self.zh == self.en else text(self.zh, self.en, lang)


OVERVIEW_COLUMNS = [  # then one count column per status, in the display order, then scope, parameters, pack
    Column("云", "Cloud", 10),
    Column("账号", "Account", 22),
    Column("名称", "Name", 18),
    Column("等级", "Level", 6),
    Column("地域", "Regions", 30),
    Column("采集时间", "Collected", 22),
    Column("身份", "Identity", 44),
    Column("工具版本", "Tool", 9),
    Column("目录版本", "Catalogue", 11),
]
OVERVIEW_TAIL_COLUMNS = [
    Column("扫描范围", "Scope", 80),
    Column("检查参数", "Check parameters", 60),
    Column("证据包", "Evidence pack", 40),
]
GAP_ANALYSIS_COLUMNS = [
    Column("账号", "Account", 20),
    Column("测评单元", "Unit ID", 13),
    Column("条款", "Clause", 12),
    Column("安全类", "Class", 14),
    Column("控制点", "Control point", 14),
    Column("要求", "Requirement", 50),
    Column("状态", "Status", 10, status=True),
    Column("说明", "Findings", 40),
    Column("关联检查", "Checks", 30),
    Column("失败资源数", "Failing resources", 10),
    Column("证据", "Evidence", 30),
    Column("整改建议", "Remediation", 50),
]
FINDINGS_COLUMNS = [
    Column("账号", "Account", 20),
    Column("检查", "Check", 40),
    Column("严重性", "Severity", 10),
    Column("资源类型", "Type", 28),
    Column("资源 ID", "Resource ID", 40),
    Column("名称", "Name", 20),
    Column("地域", "Region", 14),
    Column("说明", "Message", 60),
    Column("处置", "Disposition", 40),
]
SURVEY_COLUMNS = [
    Column("账号", "Account", 20),
    Column("类别", "Category", 16),
    Column("项目", "Item", 40),
    Column("数量", "Count", 8),
    Column("说明", "Notes", 60),
    Column("失败检查", "Failing checks", 50),
]
REMEDIATION_PLAN_COLUMNS = [
    Column("账号", "Account", 20),
    Column("优先级", "Priority", 8),
    Column("归属测评单元", "Filed under", 13),
    Column("严重性", "Severity", 10),
    Column("候选高风险（依据待核实）", "Candidate high risk (basis unverified)", 14),
    Column("测评单元", "Units", 24),
    Column("问题", "Issue", 36),
    Column("整改步骤/所需证据", "Steps / evidence", 60),
    Column("控制台/命令", "Console / CLI", 40),
    Column("Terraform", "Terraform", 40),
    Column("资源数", "Resources", 8),
    Column("资源/状态", "Affected / status", 40),
]


def _header(ws: Worksheet, row: int, headers: list[str]) -> None:
    for col, h in enumerate(headers, 1):
        c = ws.cell(row=row, column=col, value=h)
        c.font, c.fill = Font(bold=True, color="FFFFFF"), HEADER
        c.alignment = Alignment(vertical="center", wrap_text=True)


def _sheet(
    wb: Workbook,
    title: str,
    columns: list[Column],
    rows: list[list[object]],
    lang: str,
    keys: list[str] | None = None,
) -> Worksheet:
    """One table per sheet: header row frozen, filter over the table, status cells coloured."""
    ws = wb.create_sheet(title)
    _header(ws, 1, [c.header(lang) for c in columns])
    status_col = next((i for i, c in enumerate(columns, 1) if c.status), None)
    for n, row in enumerate(rows):
        if len(row) != len(columns):
            raise ValueError(f"{title}: a row has {len(row)} cells for {len(columns)} columns")
        ws.append([v if v is None or isinstance(v, (str, int, float)) else str(v) for v in row])
        if status_col is not None and keys and keys[n] in FILL:
            ws.cell(row=n + 2, column=status_col).fill = PatternFill("solid", fgColor=FILL[keys[n]])
    for i, c in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
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
    columns = OVERVIEW_COLUMNS + [Column(s.value, s.en, 10) for s in REQ_STATUS_ORDER] + OVERVIEW_TAIL_COLUMNS
    ws = _sheet(wb, _title("概览", "Overview", lang), columns, rows, lang)
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
    _sheet(wb, _title("差距分析", "Gap analysis", lang), GAP_ANALYSIS_COLUMNS, rows, lang, keys)


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
    _sheet(wb, _title("问题清单", "Findings", lang), FINDINGS_COLUMNS, rows, lang)


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
    _sheet(wb, _title("资产清单", "Survey", lang), SURVEY_COLUMNS, rows, lang)


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
    _sheet(wb, _title("整改计划", "Remediation plan", lang), REMEDIATION_PLAN_COLUMNS, rows, lang)


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

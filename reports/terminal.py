"""Terminal output: the catalogue listing and the per-requirement evaluation summary.

Status words are the assessor's (符合 / 部分符合 / 不符合 / 不适用 / 未评估 / 人工核查 / 云服务商责任), in
Chinese or English. Items resting on unverified source text are marked with "⚠".
"""

from __future__ import annotations

import sys
from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

from reports.model import identity_label
from scanner.catalogue import Item, LevelInfo
from scanner.inventory import Inventory
from scanner.model import REQ_STATUS_ORDER, Finding, ReqStatus, Status
from scanner.rollup import ItemResult
from scanner.sanitize import one_line
from scanner.scope import scope_of

STATUS_STYLE = {
    ReqStatus.COMPLIANT: "green",
    ReqStatus.PARTIAL: "yellow",
    ReqStatus.NON_COMPLIANT: "bold red",
    ReqStatus.NOT_APPLICABLE: "dim",
    ReqStatus.NOT_ASSESSED: "magenta",
    ReqStatus.MANUAL: "cyan",
    ReqStatus.PROVIDER: "blue",
}
RESP = {
    "zh": {"tenant": "租户", "provider": "云服务商", "shared": "共担"},
    "en": {"tenant": "tenant", "provider": "provider", "shared": "shared"},
}
ASSESS = {
    "zh": {"automated": "自动", "partial": "部分自动", "manual": "人工"},
    "en": {"automated": "automated", "partial": "partial", "manual": "manual"},
}
H = {
    "zh": {
        "unit": "测评单元",
        "clause": "条款",
        "class": "安全类",
        "cp": "控制点",
        "text": "要求",
        "resp": "责任",
        "assess": "评估方式",
        "status": "状态",
        "checks": "检查 失败/通过/错误",
        "reason": "说明",
        "unverified": "⚠ 表示条款号、单元编号或文本来源未经核实",
        "summary": "汇总",
        "errors": "采集错误",
        "account": "账号",
        "regions": "地域",
        "scope": "扫描范围",
        "not_scanned": "范围不完整",
        "collected": "采集时间",
        "identity": "身份",
        "level": "等级",
        "hidden": "其余 {n} 项（无自动检查的人工核查项、云服务商责任、不适用）未列出，加 --all 查看",
    },
    "en": {
        "unit": "Unit ID",
        "clause": "Clause",
        "class": "Class",
        "cp": "Control point",
        "text": "Requirement",
        "resp": "Responsibility",
        "assess": "Assessment",
        "status": "Status",
        "checks": "Checks fail/pass/err",
        "reason": "Reason",
        "unverified": "⚠ marks a clause number, unit ID or text from unverified sources",
        "summary": "Summary",
        "errors": "Collection errors",
        "account": "Account",
        "regions": "Regions",
        "scope": "Scope",
        "not_scanned": "incomplete scope",
        "collected": "Collected",
        "identity": "Identity",
        "level": "Level",
        "hidden": "{n} more items (manual items without checks, provider responsibility, not applicable) not shown; "
        "add --all",
    },
}


def console() -> Console:
    width = None if sys.stdout.isatty() else 200
    return Console(file=sys.stdout, highlight=False, markup=False, emoji=False, width=width, soft_wrap=False)


def _mark(info: LevelInfo) -> str:
    return " ⚠" if info.unverified else ""


def catalogue_table(rows: list[tuple[Item, LevelInfo]], lang: str, level: int) -> None:
    h = H[lang]
    t = Table(title=f"GB/T 22239-2019 · {h['level']} {level} · {len(rows)}", show_lines=False, expand=False)
    for col, kw in (
        (h["unit"], {"no_wrap": True}),
        (h["clause"], {"no_wrap": True}),
        (h["class"], {}),
        (h["cp"], {}),
        (h["text"], {"ratio": 1}),
        (h["resp"], {}),
        (h["assess"], {}),
    ):
        t.add_column(col, **kw)
    for item, info in rows:
        t.add_row(
            info.unit_id or item.id,
            info.clause + _mark(info),
            item.class_label(lang),
            item.control_point(lang),
            item.text(level, lang),
            RESP[lang][item.responsibility],
            ASSESS[lang][item.assessment],
        )
    c = console()
    c.print(t)
    c.print(Text(h["unverified"], style="dim"))


def catalogue_detail(item: Item, lang: str) -> None:
    c = console()
    c.print(Text(f"{item.id}  {item.class_label(lang)} / {item.control_point(lang)}", style="bold"))
    c.print(
        f"  {H[lang]['resp']}: {RESP[lang][item.responsibility]}   {H[lang]['assess']}: "
        f"{ASSESS[lang][item.assessment]}   extension: {item.extension}   granularity: {item.granularity}"
    )
    for level, info in sorted(item.levels.items()):
        conf = ", ".join(f"{k}={v}" for k, v in info.confidence.items())
        c.print(f"  L{level}  {info.clause}  {info.unit_id or '-'}{_mark(info)}   [{conf}]")
        c.print(f"      {item.text(level, 'zh')}")
        c.print(f"      {item.text(level, 'en')}", style="dim")
    if item.note:
        c.print(f"  note: {item.note}", style="dim")


def evaluation_summary(
    inventories: list[Inventory],
    results: list[ItemResult],
    findings: list[Finding],
    level: int,
    lang: str,
    show_all: bool,
    catalogue_version: str,
) -> None:
    h = H[lang]
    c = console()
    c.print(Text(f"mlps-scanner · GB/T 22239-2019 {h['level']} {level} · catalogue {catalogue_version}", style="bold"))
    for inv in inventories:
        for acct in inv.accounts:
            name = f" ({acct['name']})" if acct.get("name") else ""
            c.print(
                one_line(
                    f"{inv.provider} {h['account']} {acct['id']}{name} · {h['regions']}: "
                    f"{', '.join(inv.regions) or '-'} · {h['collected']}: {inv.finished_at} · {h['identity']}: "
                    f"{identity_label(inv.identity)}"
                )
            )
        sc = scope_of(inv)
        gaps = sc.gaps_zh if lang == "zh" else sc.gaps_en
        line = sc.statement_zh if lang == "zh" else sc.statement_en
        c.print(Text(one_line(f"{h['scope']}: {line}"), style="yellow" if gaps else ""))
        for g in gaps:
            c.print(Text(one_line(f"  {h['not_scanned']}: {g}"), style="yellow"))
        errs = inv.errors
        if errs:
            c.print(Text(f"{h['errors']}: {len(errs)}", style="magenta"))
            for e in errs[:10]:
                perm = f" [missing {e.permission}]" if e.permission else ""
                c.print(one_line(f"  {e.type} @ {e.region}: {e.status.value}: {e.reason or ''}{perm}"))
            if len(errs) > 10:
                c.print(f"  … {len(errs) - 10} more")
    multi = len({r.account for r in results}) > 1
    t = Table(show_lines=False)
    if multi:
        t.add_column(h["account"], no_wrap=True)
    for col, kw in (
        (h["status"], {"no_wrap": True}),
        (h["clause"], {"no_wrap": True}),
        (h["unit"], {"no_wrap": True}),
        (h["cp"], {}),
        (h["checks"], {"no_wrap": True}),
        (h["reason"], {"ratio": 1}),
    ):
        t.add_column(col, **kw)
    shown = hidden = 0
    order = {s: n for n, s in enumerate(REQ_STATUS_ORDER)}
    for r in sorted(results, key=lambda r: (r.account, order[r.status], r.item.class_code, r.info.clause)):
        quiet = r.status in (ReqStatus.PROVIDER, ReqStatus.NOT_APPLICABLE) or (
            r.status is ReqStatus.MANUAL and not r.checks
        )
        if not show_all and quiet:
            hidden += 1
            continue
        shown += 1
        counts = r.counts
        cnt = f"{counts.get('FAIL', 0)}/{counts.get('PASS', 0)}/{counts.get('ERROR', 0)}" if r.checks else "-"
        row: list[Text | str] = [
            Text(r.status.label(lang), style=STATUS_STYLE[r.status]),
            r.info.clause + _mark(r.info),
            r.info.unit_id or r.item.id,
            r.item.control_point(lang),
            cnt,
            one_line(r.reason(lang)),
        ]
        t.add_row(*([one_line(r.account), *row] if multi else row))
    if shown:
        c.print(t)
    if hidden:
        c.print(Text(h["hidden"].format(n=hidden), style="dim"))
    tally = Counter(r.status for r in results)
    parts = [Text(f"{s.label(lang)} {tally.get(s, 0)}", style=STATUS_STYLE[s]) for s in REQ_STATUS_ORDER]
    summary_line = Text(f"{h['summary']}: ")
    for i, p in enumerate(parts):
        if i:
            summary_line.append(" · ")
        summary_line.append(p)
    c.print(summary_line)
    fcount = Counter(f.status for f in findings)
    c.print(
        f"findings: {fcount.get(Status.FAIL, 0)} fail · {fcount.get(Status.PASS, 0)} pass · "
        f"{fcount.get(Status.ERROR, 0)} error · {fcount.get(Status.NOT_APPLICABLE, 0)} not applicable"
    )
    c.print(Text(h["unverified"], style="dim"))

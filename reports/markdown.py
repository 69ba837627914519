"""Markdown gap report for pull requests and tickets: summary, gaps, remediation plan."""

from __future__ import annotations

from reports.model import AccountReport, high_risk_text, pack_text, parameters_text, scope_text, status_label, text
from scanner.model import STATUS_KEYS
from scanner.sanitize import markdown as md

_GAPS = ("non_compliant", "partial", "not_assessed")


def render(reports: list[AccountReport], lang: str) -> str:
    out: list[str] = []
    for r in reports:
        t = lambda zh, en: text(zh, en, lang)  # noqa: E731 - local shorthand
        out.append(
            f"# {t('等级保护差距分析报告', 'MLPS gap analysis')} — {r.provider} {md(r.account)}"
            + (f" ({md(r.account_name)})" if r.account_name else "")
        )
        out.append("")
        out.append(
            f"- {t('保护等级', 'Protection level')}: {r.level} · GB/T 22239-2019 · "
            f"{t('目录版本', 'catalogue')} {r.catalogue_version} · mlps-scanner {r.tool_version}"
        )
        out.append(
            f"- {t('采集时间', 'Collected')}: {r.finished_at} · "
            f"{t('地域', 'Regions')}: {md(', '.join(r.regions)) or '-'}"
        )
        out.append(f"- {t('扫描范围', 'Scope')}: {md(scope_text(r, lang))}")
        out.append(f"- {t('检查参数', 'Check parameters')}: {md(parameters_text(r, lang))}")
        if r.pack_verification:
            out.append(f"- {t('证据包', 'Evidence pack')}: {md(pack_text(r, lang))}")
        out.append("")
        # one table: 安全类 rows, status columns, totals last
        out.append(f"| {t('安全类', 'Class')} | " + " | ".join(status_label(k, lang) for k in STATUS_KEYS) + " |")
        out.append("|---|" + "---:|" * len(STATUS_KEYS))
        for c in r.by_class:
            cells = " | ".join(str(c["counts"].get(k, 0) or "") for k in STATUS_KEYS)
            out.append(f"| {text(c['zh'], c['en'], lang)} | {cells} |")
        totals = " | ".join(f"**{r.summary.get(k, 0)}**" for k in STATUS_KEYS)
        out.append(f"| **{t('合计', 'Total')}** | {totals} |")
        out.append("")
        gaps = [row for row in r.rows if row.status in _GAPS]
        out.append(f"## {t('差距项', 'Gaps')} ({len(gaps)})")
        out.append("")
        out.append(
            f"| {t('状态', 'Status')} | {t('条款', 'Clause')} | {t('测评单元', 'Unit')} | "
            f"{t('控制点', 'Control point')} | {t('失败资源', 'Failing')} | {t('说明', 'Reason')} |"
        )
        out.append("|---|---|---|---|---:|---|")
        for row in gaps:
            mark = " ⚠" if row.unverified else ""
            out.append(
                f"| {status_label(row.status, lang)} | {row.clause}{mark} | {row.ref} | "
                f"{text(row.cp_zh, row.cp_en, lang)} | {row.failing_resources} | "
                f"{md(text(row.reason_zh, row.reason_en, lang))} |"
            )
        out.append("")
        out.append(f"## {t('整改计划', 'Remediation plan')}")
        out.append("")
        group = None
        for n, e in enumerate(r.plan, 1):
            if e.group != group:
                group = e.group
                out.append(f"\n**{md(group)}**\n")
            out.append(
                f"{n}. **{text(e.title_zh, e.title_en, lang)}** (`{e.check}`, {e.severity}"
                + (f", {high_risk_text(e.high_risk, lang)}" if e.high_risk else "")
                + ") — "
                f"{', '.join(e.items)} — {len(e.resources)} {t('个资源', 'resource(s)')}"
            )
            out.append(f"   - {text(e.steps_zh, e.steps_en, lang)}")
            if e.cli:
                out.append(f"   - `{e.cli}`")
            names = [md(x["name"] or x["id"]) for x in e.resources]
            out.append(f"   - {t('资源', 'Resources')}: {', '.join(names[:10])}" + (" …" if len(names) > 10 else ""))
        out.append("")
        if r.survey:
            s = r.survey
            out.append(f"## {t('信息系统调查', 'System survey')}")
            out.append("")
            regions = ", ".join(
                f"{g['region']} ({t('境内', 'mainland') if g['mainland'] else t('境外', 'outside')})"
                for g in s["regions"]
            )
            out.append(f"- {t('地域', 'Regions')}: {regions or '-'}")
            out.append(
                f"- {t('网络', 'Network')}: "
                + (", ".join(f"{text(n['zh'], n['en'], lang)} × {n['count']}" for n in s["network"]) or "-")
            )
            exposed = ", ".join(md(x["name"] or x["id"]) for x in s["internet_exposed"])
            out.append(f"- {t('可从互联网访问', 'Reachable from the internet')}: {exposed or '-'}")
            out.append(
                f"- {t('安全服务', 'Security services')}: "
                + (", ".join(f"{text(n['zh'], n['en'], lang)} × {n['count']}" for n in s["security_services"]) or "-")
            )
            out.append("")
        if r.accepted or r.expired_waivers:
            out.append(f"## {t('已接受风险', 'Accepted risks')} ({len(r.accepted)})")
            out.append("")
            for f in r.accepted:
                w = f["waiver"]
                out.append(
                    f"- `{f['check']}` {md(f['resource_name'] or f['resource_id'])}: {md(w['reason'])} "
                    f"({t('负责人', 'owner')} {md(w['owner'])}, {t('有效期至', 'until')} {md(w['expires'])})"
                )
            for w in r.expired_waivers:
                out.append(
                    f"- **{t('豁免已过期', 'Expired waiver')}** {md(w['id'])} ({md(w['check'] or w['item'])}, "
                    f"{md(w['owner'])}, {md(w['expires'])}): {t('不再生效，相关问题按不符合处理', 'no longer applies')}"
                )
            out.append("")
        out.append(
            t(
                "⚠ 表示条款号、单元编号或文本来源未经核实。",
                "⚠ marks a clause, unit ID or text from unverified sources.",
            )
        )
        out.append("")
    return "\n".join(out)

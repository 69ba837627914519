"""Markdown gap report for pull requests and tickets: summary, gaps, remediation plan."""

from __future__ import annotations

from reports.data import AccountReport, status_label, text

_GAPS = ("non_compliant", "partial", "not_assessed")


def render(reports: list[AccountReport], lang: str) -> str:
    out: list[str] = []
    for r in reports:
        t = lambda zh, en: text(zh, en, lang)  # noqa: E731 - local shorthand
        out.append(
            f"# {t('等级保护差距分析报告', 'MLPS gap analysis')} — {r.provider} {r.account}"
            + (f" ({r.account_name})" if r.account_name else "")
        )
        out.append("")
        out.append(
            f"- {t('保护等级', 'Protection level')}: {r.level} · GB/T 22239-2019 · "
            f"{t('目录版本', 'catalogue')} {r.catalogue_version} · mlps-scanner {r.tool_version}"
        )
        out.append(
            f"- {t('采集时间', 'Collected')}: {r.finished_at} · {t('地域', 'Regions')}: {', '.join(r.regions) or '-'}"
        )
        out.append("")
        out.append(f"| {t('状态', 'Status')} | {t('项数', 'Items')} |")
        out.append("|---|---:|")
        for key in ("non_compliant", "partial", "not_assessed", "compliant", "manual", "provider", "not_applicable"):
            out.append(f"| {status_label(key, lang)} | {r.summary.get(key, 0)} |")
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
                f"{text(row.reason_zh, row.reason_en, lang).replace('|', '/')} |"
            )
        out.append("")
        out.append(f"## {t('整改计划', 'Remediation plan')}")
        out.append("")
        for n, e in enumerate(r.plan, 1):
            out.append(
                f"{n}. **{text(e.title_zh, e.title_en, lang)}** (`{e.check}`, {e.severity}"
                + (f", {t('高风险', 'high risk')} {e.high_risk}" if e.high_risk else "")
                + ") — "
                f"{', '.join(e.items)} — {len(e.resources)} {t('个资源', 'resource(s)')}"
            )
            out.append(f"   - {text(e.steps_zh, e.steps_en, lang)}")
            if e.cli:
                out.append(f"   - `{e.cli}`")
        out.append("")
        if r.accepted or r.expired_waivers:
            out.append(f"## {t('已接受风险', 'Accepted risks')} ({len(r.accepted)})")
            out.append("")
            for f in r.accepted:
                w = f["waiver"]
                out.append(
                    f"- `{f['check']}` {f['resource_name'] or f['resource_id']}: {w['reason']} "
                    f"({t('负责人', 'owner')} {w['owner']}, {t('有效期至', 'until')} {w['expires']})"
                )
            for w in r.expired_waivers:
                out.append(
                    f"- **{t('豁免已过期', 'Expired waiver')}** {w['id']} ({w['check'] or w['item']}, "
                    f"{w['owner']}, {w['expires']}): {t('不再生效，相关问题按不符合处理', 'no longer applies')}"
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

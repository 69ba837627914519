"""The report model: what every report shows, as typed rows, plus the words every renderer uses for them.

``reports/build.py`` fills it from a findings document (and the inventory, when there is one); renderers
(markdown, html, xlsx, json, terminal) only lay it out: none recomputes a status. The vocabulary (status
order and labels, severity ranks, class order) comes from ``scanner/model.py`` and is not restated here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from scanner.catalogue import load_catalogue
from scanner.highrisk import source as hr_source
from scanner.model import ReqStatus

# What an assessor asks for on items no configuration can show (by 安全类).
MANUAL_EVIDENCE = {
    "PES": (
        "云服务商的等级测评结论与机房物理安全证明；本地机房（如有）的门禁、监控、消防、温湿度与供电记录",
        "The provider's MLPS assessment conclusion and data-centre evidence; for any on-premises room: access, "
        "CCTV, fire, climate and power records",
    ),
    "PSS": (
        "网络安全策略与管理制度文件、发布记录、定期评审修订记录",
        "Security policy and management rule documents, their publication and periodic review records",
    ),
    "ORS": (
        "安全管理机构与岗位设置文件、人员配备、授权审批记录、沟通合作与审核检查记录",
        "Organisation and post definitions, staffing, approval records, liaison and audit records",
    ),
    "HRS": (
        "人员录用与离岗记录、保密协议、安全意识培训记录、外部人员访问审批",
        "Hiring and leaving records, NDAs, awareness training records, external access approvals",
    ),
    "CMS": (
        "定级备案材料、安全方案、产品采购与测试验收记录、服务供应商与云服务商选择及协议（SLA、保密协议）",
        "Grading and filing papers, security design, procurement, acceptance test records, supplier and "
        "cloud-provider selection and agreements (SLA, NDA)",
    ),
    "MMS": (
        "资产清单、变更与配置管理记录、漏洞扫描与补丁记录、备份恢复演练、应急预案与演练、运维地点与外包运维协议",
        "Asset register, change and configuration records, vulnerability scans and patching, restore drills, "
        "incident plans and drills, operations location and outsourcing agreements",
    ),
}

PROVIDER_EVIDENCE = (
    "云服务商的等级保护测评结论与备案证明、服务协议中的安全责任划分",
    "The cloud provider's MLPS assessment conclusion and filing proof, and the division of "
    "security responsibility in its service agreement",
)
TECHNICAL_EVIDENCE = (
    "现场核查与配置截图：测评人员登录相关设备或控制台查看配置，并访谈管理员",
    "On-site review: the assessor inspects the configuration in the console or on the device and "
    "interviews the administrator",
)


@cache
def _item_ask(item_id: str) -> dict[str, str] | None:
    return load_catalogue().by_id()[item_id].ask


def manual_evidence(row: Row) -> tuple[str, str]:
    """What the assessor will ask for on an item no configuration in the inventory can show."""
    base = PROVIDER_EVIDENCE if row.status == "provider" else MANUAL_EVIDENCE.get(row.class_code, TECHNICAL_EVIDENCE)
    ask = _item_ask(row.item)  # the item's own evidence, e.g. the platform's 备案级别
    if ask:
        return f"{base[0]}；{ask['zh']}", f"{base[1]}; {ask['en']}"
    return base


@dataclass
class Row:
    item: str
    class_code: str
    class_zh: str
    class_en: str
    extension: str
    cp_zh: str
    cp_en: str
    clause: str
    unit_id: str | None
    text_zh: str
    text_en: str
    status: str
    reason_zh: str
    reason_en: str
    checks: list[str]
    failing_resources: int
    max_fail_severity: str | None
    unverified: list[str]
    high_risk: list[dict[str, str]]  # candidate cases raised here: {case, zh, en} (scanner/highrisk.py)
    responsibility: str
    accepted: int = 0

    @property
    def ref(self) -> str:
        return self.unit_id or self.item


@dataclass
class PlanEntry:
    check: str
    title_zh: str
    title_en: str
    severity: str
    high_risk: list[dict[str, str]]  # candidate cases this check raises on the items it fails, at this level
    items: list[str]  # unit IDs evidenced
    steps_zh: str
    steps_en: str
    console: str | None
    cli: str | None
    terraform: str | None
    resources: list[dict[str, Any]]
    group: str = ""  # the requirement item this entry is filed under: the highest-ranked gap it evidences


@dataclass
class AccountReport:
    provider: str
    account: str
    account_name: str | None
    regions: list[str]
    identity: dict[str, Any]
    started_at: str
    finished_at: str
    tool_version: str
    catalogue_version: str
    level: int
    rows: list[Row]
    failures: list[dict[str, Any]]
    plan: list[PlanEntry]
    manual: list[Row]
    collection_errors: list[dict[str, Any]]
    survey: dict[str, Any] | None
    scope: dict[str, Any] = field(default_factory=dict)  # statement and gaps, {zh, en} (scanner/scope.py)
    parameter_changes: list[dict[str, Any]] = field(default_factory=list)  # check parameters off their defaults
    pack_verification: dict[str, Any] | None = None  # set when the input was an evidence pack
    summary: dict[str, int] = field(default_factory=dict)
    by_class: list[dict[str, Any]] = field(default_factory=list)  # per 安全类: status counts
    accepted: list[dict[str, Any]] = field(default_factory=list)  # waived FAIL findings
    expired_waivers: list[dict[str, Any]] = field(default_factory=list)


def parameters_text(r: AccountReport, lang: str) -> str:
    if not r.parameter_changes:
        return text("全部检查参数为默认值", "every check parameter at its default", lang)
    return "; ".join(
        f"{c['check']}.{c['param']} = {c['value']} ({text('默认', 'default', lang)} {c['default']})"
        for c in r.parameter_changes
    )


def pack_text(r: AccountReport, lang: str) -> str:
    """The evidence pack's verification state, for the header of every report rendered from a pack."""
    pv = r.pack_verification
    if not pv:
        return ""
    if pv["verified"]:
        sig = {"valid": text("签名有效", "signature valid", lang), "absent": text("未签名", "unsigned", lang)}.get(
            pv["signature"], pv["signature"]
        )
        return text(
            f"证据包 {pv['pack']} 校验通过并可复现（{sig}）",
            f"evidence pack {pv['pack']} verified and reproduced ({sig})",
            lang,
        )
    problems = "; ".join(pv["problems"][:5])
    return text(
        f"证据包 {pv['pack']} 未通过校验（以 --insecure-skip-verify 读取）：{problems}",
        f"evidence pack {pv['pack']} FAILED verification (read with --insecure-skip-verify): {problems}",
        lang,
    )


def scope_text(r: AccountReport, lang: str) -> str:
    """The scan's scope in one line: what was covered and, if any, what was not."""
    sc = r.scope

    def one(lg: str) -> str:
        gaps = sc["gaps"][lg]
        if not gaps:
            return sc["statement"][lg]
        sep, head = ("；", "范围不完整：") if lg == "zh" else ("; ", "incomplete scope: ")
        return sc["statement"][lg] + sep + head + sep.join(gaps)

    return text(one("zh"), one("en"), lang)


def high_risk_text(cases: list[dict[str, str]], lang: str) -> str:
    """One cell: every candidate case with the label, its source named once."""
    if not cases:
        return ""

    def one(lg: str) -> str:
        return "; ".join(c[lg] for c in cases) + f" ({hr_source(lg)})"

    return text(one("zh"), one("en"), lang)


def identity_label(identity: dict[str, Any]) -> str:
    """The identity the scan ran as, in one line (ARN, or object ID and tenant)."""
    main = next((identity[k] for k in ("arn", "object_id", "principal", "user") if identity.get(k)), "-")
    extra = [str(identity[k]) for k in ("type", "tenant") if identity.get(k)]
    return f"{main} ({', '.join(extra)})" if extra else str(main)


def text(zh: str, en: str, lang: str) -> str:
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return f"{zh} / {en}"


def status_label(key: str, lang: str) -> str:
    status = ReqStatus.from_key(key)
    return text(status.value, status.en, lang)

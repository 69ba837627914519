"""Everything a report shows, computed once from a findings document (and the inventory, when there is one).

Renderers (markdown, html, xlsx, json) only lay this out: none recomputes a status. Inputs are what the
tool writes: an inventory (evaluated here), a findings document, or an evidence pack.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from scanner import inventory as inventory_mod
from scanner.assess import parameter_changes
from scanner.catalogue import load_catalogue
from scanner.checks import load_checks, load_resource_types
from scanner.functions import in_mainland_china
from scanner.highrisk import case_checks, cases_for
from scanner.highrisk import source as hr_source
from scanner.model import ReqStatus
from scanner.sanitize import deep_visible
from scanner.scope import UNKNOWN as UNKNOWN_SCOPE
from scanner.waivers import open_failures

SEV_RANK = {"critical": 3, "high": 2, "medium": 1, "low": 0, None: -1}
STATUS_RANK = {
    "non_compliant": 0,
    "partial": 1,
    "not_assessed": 2,
    "manual": 3,
    "compliant": 4,
    "provider": 5,
    "not_applicable": 6,
}
STATUS_ZH = {s.key: s.value for s in ReqStatus}
STATUS_EN = {s.key: s.en for s in ReqStatus}
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


# the standard's order of the ten 安全类 (technical, then management)
CLASS_ORDER = ("PES", "CNS", "ABS", "CES", "SMC", "PSS", "ORS", "HRS", "CMS", "MMS")
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


def build(doc: dict[str, Any], inv: inventory_mod.Inventory | None) -> list[AccountReport]:
    catalogue = load_catalogue()
    items = catalogue.by_id()
    checks = {c.key: c for c in load_checks()}
    level = int(doc["level"])
    out = []
    for meta in doc["inventories"]:
        for acct in meta["accounts"]:
            aid = acct["id"]
            reqs = [r for r in doc["requirements"] if r["account"] == aid]
            fails = [f for f in open_failures(doc) if f["account"] == aid]
            accepted = [f for f in doc["findings"] if f["account"] == aid and "waiver" in f]
            by_check: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for f in fails:
                by_check[f["check"]].append(f)
            rows = []
            for r in reqs:
                it = items[r["item"]]
                hr = [
                    {"case": c.case, "zh": c.label("zh"), "en": c.label("en")}
                    for c in cases_for(it.id, level, {c for c in r["checks"] if by_check.get(c)})
                ]
                rows.append(
                    Row(
                        item=it.id,
                        class_code=it.class_code,
                        class_zh=it.class_zh,
                        class_en=it.class_en,
                        extension=it.extension,
                        cp_zh=it.control_point_zh,
                        cp_en=it.control_point_en,
                        clause=r["clause"],
                        unit_id=r["unit_id"],
                        text_zh=it.text(level, "zh"),
                        text_en=it.text(level, "en"),
                        status=r["status"],
                        reason_zh=r["reason"]["zh"],
                        reason_en=r["reason"]["en"],
                        checks=r["checks"],
                        failing_resources=r["failing_resources"],
                        max_fail_severity=r["max_fail_severity"],
                        unverified=r["unverified"],
                        high_risk=hr,
                        responsibility=it.responsibility,
                        accepted=r.get("accepted_findings", 0),
                    )
                )
            rows.sort(
                key=lambda x: (
                    STATUS_RANK[x.status],
                    -SEV_RANK[x.max_fail_severity],
                    not x.high_risk,
                    -x.failing_resources,
                    x.class_code,
                    x.clause,
                )
            )
            plan = _plan(by_check, checks, rows)
            manual = [r for r in rows if r.status in ("manual", "provider") and not r.checks]
            account_inv = inv if inv is not None and aid in inv.account_ids else None
            out.append(
                AccountReport(
                    provider=meta["provider"],
                    account=aid,
                    account_name=acct.get("name"),
                    regions=meta["regions"],
                    identity=meta["identity"],
                    started_at=meta["scan"]["started_at"],
                    finished_at=meta["scan"]["finished_at"],
                    tool_version=meta["tool_version"],
                    catalogue_version=doc["catalogue_version"],
                    level=level,
                    rows=rows,
                    failures=fails,
                    plan=plan,
                    manual=manual,
                    collection_errors=[e for e in meta["collection_errors"] if e["account"] == aid],
                    survey=survey(account_inv, aid, doc["findings"]) if account_inv else None,
                    scope=meta.get("scope") or UNKNOWN_SCOPE.to_dict(),
                    parameter_changes=parameter_changes(doc),
                    pack_verification=doc.get("pack_verification"),
                    summary=dict(Counter(r.status for r in rows)),
                    by_class=_by_class(rows),
                    accepted=accepted,
                    expired_waivers=[
                        w for w in (doc.get("waivers") or {}).get("expired", []) if w.get("account") in (None, aid)
                    ],
                )
            )
    # names, tags and reasons come from clouds and files we do not control: no control or bidi character
    # reaches any report (they would break a workbook, move a cursor or reorder text)
    return [deep_visible(a) for a in out]


def _by_class(rows: list[Row]) -> list[dict[str, Any]]:
    """Status counts per 安全类, general classes before cloud-extension rows of the same class."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in sorted(rows, key=lambda r: CLASS_ORDER.index(r.class_code) if r.class_code in CLASS_ORDER else 99):
        entry = out.setdefault(
            (r.class_code, r.class_zh), {"code": r.class_code, "zh": r.class_zh, "en": r.class_en, "counts": Counter()}
        )
        entry["counts"][r.status] += 1
    return [{**e, "counts": dict(e["counts"]), "total": sum(e["counts"].values())} for e in out.values()]


def _plan_cases(check: str, rows: list[Row]) -> list[dict[str, str]]:
    """The candidate cases a failing check raises: those of the rows (items at this level) it was counted on."""
    cases, seen = [], set()
    for r in rows:
        if check in r.checks:
            for c in r.high_risk:
                if c["case"] not in seen and check in case_checks(c["case"]):
                    seen.add(c["case"])
                    cases.append(c)
    return cases


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


def _plan(by_check: dict[str, list[dict[str, Any]]], checks: dict[str, Any], rows: list[Row]) -> list[PlanEntry]:
    units_by_check: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        for c in r.checks:
            units_by_check[c].append(r.ref)
    entries = []
    for key, fs in by_check.items():
        c = checks.get(key)
        if c is None or not units_by_check.get(key):
            continue  # evidences no requirement item at this level (mappings/unmapped.yaml, level-limited links)
        rem = c.remediation
        entries.append(
            PlanEntry(
                check=key,
                title_zh=c.title["zh"],
                title_en=c.title["en"],
                severity=c.severity,
                high_risk=_plan_cases(key, rows),
                items=sorted(set(units_by_check.get(key, []))),
                steps_zh=rem["zh"],
                steps_en=rem["en"],
                console=rem.get("console"),
                cli=rem.get("cli"),
                terraform=rem.get("terraform"),
                resources=[
                    {
                        "type": f["resource_type"],
                        "id": f["resource_id"],
                        "name": f["resource_name"],
                        "region": f["region"],
                    }
                    for f in fs
                ],
            )
        )
    entries.sort(key=lambda e: (-SEV_RANK[e.severity], not e.high_risk, -len(e.resources), e.check))
    # file each entry under the highest-ranked item it evidences; groups keep the order of their first entry
    rank = {r.ref: n for n, r in enumerate(rows)}
    groups: dict[str, list[PlanEntry]] = {}
    for e in entries:
        e.group = min(e.items, key=lambda u: rank.get(u, len(rank))) if e.items else ""
        groups.setdefault(e.group, []).append(e)
    return [e for g in groups.values() for e in g]


@cache
def survey_spec() -> dict[str, Any]:
    from scanner.load import read_yaml

    return read_yaml(Path(__file__).parent / "survey.yaml")


def _verdict(statuses: list[str]) -> str:
    """fail beats error beats pass: one exposed path is enough, and an unreadable one is not 'closed'."""
    for s in ("FAIL", "ERROR", "PASS"):
        if s in statuses:
            return s.lower()
    return "unknown"


def survey(inv: inventory_mod.Inventory, account: str, findings: list[dict[str, Any]]) -> dict[str, Any]:
    """信息系统调查: where things are, how the network is laid out, which security services run, where
    data sits and whether it is encrypted and exposed. Exposure and encryption come only from the shipped
    checks listed in reports/survey.yaml; "unknown" means no such check ran on the resource."""
    spec = survey_spec()
    types = load_resource_types()
    res = [r for r in inv.resources if r.account == account]
    regions = Counter(r.region for r in res if r.region not in ("global", "*", "subscription"))
    exposure, encryption = set(spec["exposure_checks"]), set(spec["encryption_checks"])
    by_res: dict[tuple[str, str | None], list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        if f["account"] == account:
            by_res[(f["resource_type"], f["resource_id"])].append(f)

    def labelled(kind: str) -> list[dict[str, Any]]:
        counts = Counter(r.type for r in res if r.type in spec[kind])
        return [
            {"type": t, "zh": spec[kind][t]["zh"], "en": spec[kind][t]["en"], "count": n}
            for t, n in sorted(counts.items())
        ]

    exposed = []
    for (rtype, rid), fs in sorted(by_res.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        hits = sorted(f["check"] for f in fs if f["check"] in exposure and f["status"] == "FAIL")
        if hits:
            exposed.append(
                {"type": rtype, "id": rid, "name": fs[0]["resource_name"], "region": fs[0]["region"], "checks": hits}
            )
    stores = []
    for r in res:
        if not (types.get(r.type) and types[r.type].data_store):
            continue
        fs = by_res.get((r.type, r.id), [])
        stores.append(
            {
                "type": r.type,
                "id": r.id,
                "name": r.name,
                "region": r.region,
                "encryption": _verdict([f["status"] for f in fs if f["check"] in encryption]),
                "internet_exposure": _verdict([f["status"] for f in fs if f["check"] in exposure]),
                "failing_checks": sorted(f["check"] for f in fs if f["status"] == "FAIL"),
            }
        )
    return {
        "regions": [
            {"region": r, "resources": n, "mainland": in_mainland_china(r) is True} for r, n in sorted(regions.items())
        ],
        "network": labelled("network"),
        "internet_exposed": exposed,
        "security_services": labelled("security_services"),
        "data_stores": stores,
    }


_VERDICTS = {
    # (check verdict, exposure?) -> words; an exposure check that FAILs means "exposed"
    ("pass", False): ("已加密", "yes"),
    ("fail", False): ("未加密", "no"),
    ("pass", True): ("未暴露", "not exposed"),
    ("fail", True): ("暴露", "exposed"),
    ("error", False): ("未能评估", "not assessed"),
    ("error", True): ("未能评估", "not assessed"),
    ("unknown", False): ("无相关检查", "no check"),
    ("unknown", True): ("无相关检查", "no check"),
}


def verdict(value: str, exposure: bool) -> tuple[str, str]:
    return _VERDICTS[(value, exposure)]


def identity_label(identity: dict[str, Any]) -> str:
    """The identity the scan ran as, in one line (ARN, or object ID and tenant)."""
    main = identity.get("arn") or identity.get("object_id") or identity.get("principal") or "-"
    extra = [str(identity[k]) for k in ("type", "tenant") if identity.get(k)]
    return f"{main} ({', '.join(extra)})" if extra else str(main)


def text(zh: str, en: str, lang: str) -> str:
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return f"{zh} / {en}"


def status_label(key: str, lang: str) -> str:
    return text(STATUS_ZH[key], STATUS_EN[key], lang)

"""``mlps catalog``: list requirement items, or show some in full, from the shipped catalogue."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli.common import add_lang, add_level, level_arg
from scanner.catalogue import CLASS_ORDER, Item, LevelInfo, load_catalogue
from scanner.errors import MlpsError

CLASS_ALIASES = {
    "安全物理环境": "PES",
    "安全通信网络": "CNS",
    "安全区域边界": "ABS",
    "安全计算环境": "CES",
    "安全管理中心": "SMC",
    "安全管理制度": "PSS",
    "安全管理机构": "ORS",
    "安全管理人员": "HRS",
    "安全建设管理": "CMS",
    "安全运维管理": "MMS",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "items",
        nargs="*",
        metavar="ITEM",
        help="show these items in full: id, unit ID (L3-CES2-10) or clause (8.2.4.5 a)); "
        "the word 'show' before them is optional",
    )
    add_level(parser)
    parser.add_argument(
        "--class",
        dest="cls",
        action="append",
        metavar="CLASS",
        help="安全类 code or name, e.g. CES or 安全计算环境 (repeatable)",
    )
    parser.add_argument("--extension", choices=("general", "cloud"), help="general requirements or cloud extension")
    parser.add_argument("--responsibility", choices=("tenant", "provider", "shared"), action="append")
    parser.add_argument("--assessment", choices=("automated", "partial", "manual"), action="append")
    parser.add_argument("--unverified", action="store_true", help="only items resting on unverified sources")
    add_lang(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "--coverage",
        action="store_true",
        help="print the coverage table (Markdown, all levels) that docs/coverage.md holds",
    )


def run(args: argparse.Namespace) -> int:
    if args.coverage:
        from reports.coverage import render

        sys.stdout.write(render() + "\n")
        return 0
    cat = load_catalogue()
    keys = [k for k in args.items if k not in ("show", "list")]
    if keys:
        found: list[Item] = []
        for k in keys:
            hits = cat.find(k)
            if not hits:
                raise MlpsError(
                    f"no requirement item matches {k!r}",
                    "use an item id, a unit ID such as L3-CES2-10, or a clause such as '8.2.4.5 a)'",
                )
            for item, _ in hits:
                if item not in found:
                    found.append(item)
        if args.format == "json":
            _dump([_item_json(i, None) for i in found])
        else:
            from reports.terminal import catalogue_detail

            for i in found:
                catalogue_detail(i, args.lang)
        return 0
    level = level_arg(args.level)
    classes = {_class_code(c) for c in args.cls or ()}
    rows = [
        (i, info)
        for i, info in cat.at_level(level)
        if (not classes or i.class_code in classes)
        and (not args.extension or i.extension == args.extension)
        and (not args.responsibility or i.responsibility in args.responsibility)
        and (not args.assessment or i.assessment in args.assessment)
        and (not args.unverified or info.unverified)
    ]
    if args.format == "json":
        _dump({"catalogue_version": cat.version, "level": level, "items": [_item_json(i, info) for i, info in rows]})
    else:
        from reports.terminal import catalogue_table

        catalogue_table(rows, args.lang, level)
    return 0


def _class_code(value: str) -> str:
    v = value.strip()
    code = CLASS_ALIASES.get(v, v.upper())
    if code not in CLASS_ORDER:
        raise MlpsError(f"unknown 安全类 {value!r}", f"use one of {', '.join(CLASS_ORDER)} or its Chinese name")
    return code


def _item_json(item: Item, info: LevelInfo | None) -> dict[str, Any]:
    levels = [info] if info else list(item.levels.values())
    return {
        "id": item.id,
        "class": {"code": item.class_code, "zh": item.class_zh, "en": item.class_en},
        "extension": item.extension,
        "control_point": {"zh": item.control_point_zh, "en": item.control_point_en},
        "granularity": item.granularity,
        "responsibility": item.responsibility,
        "assessment": item.assessment,
        "note": item.note,
        "levels": [
            {
                "level": lv.level,
                "clause": lv.clause,
                "unit_id": lv.unit_id,
                "text_zh": item.text(lv.level, "zh") if item.text_zh or lv.text_zh else None,
                "text_en": item.text(lv.level, "en") if item.text_en or lv.text_en else None,
                "confidence": lv.confidence,
                "unverified": lv.unverified,
            }
            for lv in levels
        ],
    }


def _dump(doc: Any) -> None:
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")

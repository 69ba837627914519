"""The GB/T 22239-2019 requirement catalogue, loaded from ``mappings/catalogue/``.

A catalogue *item* is one requirement (a lettered item, or a whole control point for the physical and
management classes). It exists at one or more protection levels, each with its own clause number,
GB/T 28448 unit ID, and wording where the wording differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from scanner.errors import MlpsError
from scanner.load import load_validated, package_path, read_yaml

LEVELS = (2, 3, 4)
VERIFIED_TAGS = frozenset({"V-multi", "V-one", "V-struct", "none"})
CLASS_ORDER = ("PES", "CNS", "ABS", "CES", "SMC", "PSS", "ORS", "HRS", "CMS", "MMS")


@dataclass(frozen=True, slots=True)
class LevelInfo:
    level: int
    clause: str
    unit_id: str | None
    text_zh: str | None
    text_en: str | None
    confidence: dict[str, str]

    @property
    def unverified(self) -> list[str]:
        """Which parts (clause, unit_id, text) rest on unverified sources."""
        return [k for k, v in self.confidence.items() if v not in VERIFIED_TAGS]


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    class_code: str
    class_zh: str
    class_en: str
    extension: str  # general | cloud
    control_point_zh: str
    control_point_en: str
    granularity: str  # item | control-point
    text_zh: str | None
    text_en: str | None
    responsibility: str  # tenant | provider | shared
    assessment: str  # automated | partial | manual
    note: str | None
    levels: dict[int, LevelInfo]
    source_file: str
    ask: dict[str, str] | None = None  # evidence to ask for, where the item needs more than the class default

    def at(self, level: int) -> LevelInfo | None:
        return self.levels.get(level)

    def text(self, level: int, lang: str) -> str:
        """The wording at ``level``: the level's own where it differs, else the item's."""
        info = self.levels[level]
        if lang == "zh":
            return info.text_zh or self.text_zh or f"（控制点：{self.control_point_zh}）"
        return info.text_en or self.text_en or f"(control point: {self.control_point_en})"

    def class_label(self, lang: str) -> str:
        return self.class_zh if lang == "zh" else self.class_en

    def control_point(self, lang: str) -> str:
        return self.control_point_zh if lang == "zh" else self.control_point_en


@dataclass(frozen=True, eq=False)  # identity hash: cached link tables key on the loaded catalogue
class Catalogue:
    items: tuple[Item, ...]
    version: str

    def by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    def at_level(self, level: int) -> list[tuple[Item, LevelInfo]]:
        """Items that exist at ``level``, in the standard's order (class, then clause)."""
        check_level(level)
        rows = [(i, i.levels[level]) for i in self.items if level in i.levels]
        rows.sort(
            key=lambda r: (CLASS_ORDER.index(r[0].class_code), r[0].extension != "general", _clause_key(r[1].clause))
        )
        return rows

    def find(self, key: str) -> list[tuple[Item, LevelInfo | None]]:
        """Look an item up by its id, any level's unit ID or clause number."""
        key_norm = key.strip().replace("）", ")")
        out: list[tuple[Item, LevelInfo | None]] = []
        for item in self.items:
            if item.id == key_norm:
                out.append((item, None))
                continue
            for info in item.levels.values():
                if key_norm in (info.unit_id, info.clause, info.clause.replace(" ", "")):
                    out.append((item, info))
        return out


def check_level(level: Any) -> int:
    if level not in LEVELS:
        raise MlpsError(
            f"unknown protection level {level!r}; this tool covers levels 2, 3 and 4", "pass --level 2, 3 or 4"
        )
    return int(level)


def parse_level(text: str) -> int:
    """CLI helper: '3', 'L3', '三级', '第三级' -> 3."""
    t = str(text).strip().upper().lstrip("L")
    t = t.replace("第", "").replace("级", "")
    t = {"二": "2", "三": "3", "四": "4"}.get(t, t)
    try:
        return check_level(int(t))
    except ValueError:
        raise MlpsError(
            f"unknown protection level {text!r}; this tool covers levels 2, 3 and 4", "pass --level 2, 3 or 4"
        ) from None


def _clause_key(clause: str) -> tuple[Any, ...]:
    num, _, letter = clause.partition(" ")
    return (*[int(x) for x in num.split(".")], letter)


@lru_cache(maxsize=4)
def load_catalogue(root: Path | None = None) -> Catalogue:
    root = root or package_path("mappings") / "catalogue"
    meta = read_yaml(root / "meta.yaml")
    items: list[Item] = []
    seen: dict[str, str] = {}
    unit_seen: dict[str, str] = {}
    for path in sorted(root.glob("*/*.yaml")):
        doc = load_validated(path, "catalogue")
        cls = doc["class"]
        if path.stem != cls["code"].lower() or path.parent.name != doc["extension"]:
            raise MlpsError(f"{path}: file must be named {doc['extension']}/{cls['code'].lower()}.yaml")
        for n, raw in enumerate(doc["items"]):
            item = _item(raw, cls, doc["extension"], path)
            if item.id in seen:
                raise MlpsError(f"{path}: items[{n}]: duplicate id {item.id} (also in {seen[item.id]})")
            seen[item.id] = str(path)
            for info in item.levels.values():
                if info.unit_id:
                    if info.unit_id in unit_seen:
                        raise MlpsError(
                            f"{path}: items[{n}]: unit ID {info.unit_id} used twice (also {unit_seen[info.unit_id]})"
                        )
                    if not info.unit_id.startswith(f"L{info.level}-"):
                        raise MlpsError(f"{path}: items[{n}]: unit ID {info.unit_id} does not match level {info.level}")
                    unit_seen[info.unit_id] = item.id
            items.append(item)
    if not items:
        raise MlpsError(f"{root}: no catalogue files found")
    return Catalogue(items=tuple(items), version=str(meta["version"]))


def _item(raw: dict[str, Any], cls: dict[str, str], extension: str, path: Path) -> Item:
    levels = {}
    for lv in raw["levels"]:
        if lv["level"] in levels:
            raise MlpsError(f"{path}: item {raw['id']}: level {lv['level']} listed twice")
        levels[lv["level"]] = LevelInfo(
            level=lv["level"],
            clause=lv["clause"],
            unit_id=lv["unit_id"],
            text_zh=lv.get("text_zh"),
            text_en=lv.get("text_en"),
            confidence=dict(lv["confidence"]),
        )
    return Item(
        id=raw["id"],
        class_code=cls["code"],
        class_zh=cls["zh"],
        class_en=cls["en"],
        extension=extension,
        control_point_zh=raw["control_point"]["zh"],
        control_point_en=raw["control_point"]["en"],
        granularity=raw["granularity"],
        text_zh=raw["text_zh"],
        text_en=raw["text_en"],
        responsibility=raw["responsibility"],
        assessment=raw["assessment"],
        note=raw.get("note"),
        levels=levels,
        source_file=str(path),
        ask=raw.get("ask"),
    )

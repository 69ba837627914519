"""Check-to-requirement links, loaded from ``mappings/links/<general|cloud>/<class>.yaml``.

Links are kept apart from the catalogue because the standard's text rarely changes while mapping
judgement changes with every check. Each link says whether the check evidences the item fully or
only in part, and why; the roll-up uses ``covers`` to decide between 符合 and 人工核查.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from scanner.catalogue import Catalogue
from scanner.errors import MlpsError
from scanner.load import load_validated, package_path, read_yaml


@dataclass(frozen=True, slots=True)
class Link:
    item: str
    check: str  # "<provider>/<id>"
    covers: str  # full | partial
    why: str
    levels: tuple[int, ...] | None  # None = every level the item exists at
    subject: bool = False  # the check's resources are the item's subject: none of them = the item does not apply

    @property
    def provider(self) -> str:
        return self.check.split("/", 1)[0]

    def applies_at(self, level: int) -> bool:
        return self.levels is None or level in self.levels


@lru_cache(maxsize=4)
def load_links(catalogue: Catalogue, root: Path | None = None) -> dict[str, list[Link]]:
    """Item id -> links. Validates that every item exists and sits in the mirroring catalogue file."""
    root = root or package_path("mappings") / "links"
    items = catalogue.by_id()
    out: dict[str, list[Link]] = defaultdict(list)
    for path in sorted(root.glob("*/*.yaml")):
        doc = load_validated(path, "links")
        for item_id, entries in doc["items"].items():
            item = items.get(item_id)
            if item is None:
                raise MlpsError(f"{path}: links to unknown requirement item {item_id}")
            if item.responsibility == "provider":
                raise MlpsError(
                    f"{path}: item {item_id} is the cloud provider's responsibility; "
                    "it is never scored on tenant checks"
                )
            expected = f"{item.extension}/{item.class_code.lower()}.yaml"
            if not str(path).endswith(expected):
                raise MlpsError(f"{path}: item {item_id} belongs in links/{expected}")
            seen = set()
            for e in entries:
                if e["check"] in seen:
                    raise MlpsError(f"{path}: item {item_id} links {e['check']} twice")
                seen.add(e["check"])
                levels = tuple(e["levels"]) if "levels" in e else None
                if levels and not set(levels) <= set(item.levels):
                    raise MlpsError(
                        f"{path}: item {item_id}: link to {e['check']} names a level the item does not exist at"
                    )
                out[item_id].append(
                    Link(
                        item=item_id,
                        check=e["check"],
                        covers=e["covers"],
                        why=e["why"],
                        levels=levels,
                        subject=bool(e.get("subject")),
                    )
                )
    return dict(out)


def links_by_check(links: dict[str, list[Link]]) -> dict[str, list[Link]]:
    out: dict[str, list[Link]] = defaultdict(list)
    for entries in links.values():
        for link in entries:
            out[link.check].append(link)
    return dict(out)


@lru_cache(maxsize=2)
def load_unmapped(root: Path | None = None) -> dict[str, str]:
    """Checks that evidence no requirement item, each with the reason (``mappings/unmapped.yaml``).

    A check linked nowhere must be listed here, so that "evidences nothing" is a decision on record.
    """
    path = (root or package_path("mappings")) / "unmapped.yaml"
    doc = read_yaml(path)
    checks = doc.get("checks") if isinstance(doc, dict) else None
    if not isinstance(checks, dict) or not all(isinstance(v, str) and v.strip() for v in checks.values()):
        raise MlpsError(f"{path}: expected 'checks:' mapping each check key to the reason it evidences no item")
    return {k: " ".join(v.split()) for k, v in checks.items()}

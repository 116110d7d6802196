"""The category tree (IPCC 2006 numbering, Chinese names of the provincial guideline) and the items
(fuels, products, animals, waste types, ...) that activity data may name.

Both are data: `carbon/inventory/tables/categories_<sector>.csv` and `items_<sector>.csv`. A category
with a `method` takes activity data; the others are headings that results roll up into.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from carbon.core import units
from carbon.core.errors import UnitError, ValidationError

TABLES = Path(__file__).with_name("tables")
SECTORS = ("energy", "ippu", "agriculture", "lulucf", "waste", "memo")
SECTOR_NAMES_ZH = {
    "energy": "能源活动",
    "ippu": "工业生产过程",
    "agriculture": "农业活动",
    "lulucf": "土地利用变化和林业",
    "waste": "废弃物处理",
    "memo": "信息项",
}
NOTATION_KEYS = {
    "NO": "未发生 (not occurring)",
    "NE": "未估算 (not estimated)",
    "IE": "已包含在其他类别 (included elsewhere)",
    "C": "保密 (confidential)",
    "NA": "不适用 (not applicable)",
}


@dataclass(frozen=True)
class Category:
    code: str
    sector: str
    name_zh: str
    name_en: str
    method: str  # '' for headings
    activity: tuple[str, ...]  # allowed dimension names of the activity quantity
    gases: tuple[str, ...]
    ch4_fossil: bool  # AR6 split: fugitive CH4 from fossil fuels is fossil, the rest non-fossil
    memo: bool  # memo items are never added to territorial totals

    def check_unit(self, unit: str) -> None:
        """Raise UnitError unless the activity unit has one of this category's activity dimensions."""
        for dim in self.activity:
            try:
                units.check_dimension(unit, dim)
                return
            except UnitError:
                continue
        raise UnitError(f"unit {unit!r} has dimension {units.dimension_of(unit)}; {self.code} {self.name_zh} expects {' or '.join(self.activity)}",
                        field="unit")

    @property
    def parent(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None


@dataclass(frozen=True)
class Item:
    code: str
    name_zh: str
    name_en: str
    kind: str
    aliases: tuple[str, ...]
    biogenic: bool
    sector: str


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).lower()


@dataclass(frozen=True)
class Catalog:
    categories: dict[str, Category]
    items: dict[str, Item]
    _category_names: dict[str, str]
    _item_names: dict[str, str]

    def category(self, text: str) -> Category:
        """A category by code ('1.A.1.a') or Chinese/English name ('电力和热力生产')."""
        code = self._category_names.get(_norm(text))
        if code is None:
            raise ValidationError(f"unknown category {text!r}", field="category")
        return self.categories[code]

    def item(self, text: str) -> Item:
        code = self._item_names.get(_norm(text))
        if code is None:
            raise ValidationError(f"unknown item {text!r}", field="item")
        return self.items[code]

    def leaf_categories(self, sector: str | None = None) -> list[Category]:
        return [c for c in self.categories.values() if c.method and (sector is None or c.sector == sector)]

    def ancestors(self, code: str) -> list[str]:
        out = []
        while "." in code:
            code = code.rsplit(".", 1)[0]
            out.append(code)
        return out


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(line for line in fh if not line.startswith("#"))]


@lru_cache(maxsize=1)
def load_catalog(root: Path = TABLES) -> Catalog:
    categories: dict[str, Category] = {}
    items: dict[str, Item] = {}
    cat_names: dict[str, str] = {}
    item_names: dict[str, str] = {}
    for path in sorted(root.glob("categories_*.csv")):
        for r in _read(path):
            if r["sector"] not in SECTORS:
                raise ValidationError(f"{path.name}: category {r['code']}: unknown sector {r['sector']!r}")
            if r["code"] in categories:
                raise ValidationError(f"{path.name}: duplicate category {r['code']}")
            c = Category(
                code=r["code"], sector=r["sector"], name_zh=r["name_zh"], name_en=r["name_en"], method=r["method"],
                activity=tuple(x for x in r["activity"].split("|") if x), gases=tuple(x for x in r["gases"].split("|") if x),
                ch4_fossil=r["ch4_fossil"] == "1", memo=r["memo"] == "1",
            )
            categories[c.code] = c
            for name in (c.code, c.name_zh, c.name_en):
                cat_names.setdefault(_norm(name), c.code)
    for path in sorted(root.glob("items_*.csv")):
        sector = path.stem.split("_", 1)[1]
        for r in _read(path):
            if r["code"] in items:
                raise ValidationError(f"{path.name}: duplicate item {r['code']}")
            it = Item(code=r["code"], name_zh=r["name_zh"], name_en=r["name_en"], kind=r["kind"],
                      aliases=tuple(a for a in r.get("aliases", "").split("|") if a), biogenic=r.get("biogenic") == "1", sector=sector)
            items[it.code] = it
            for name in (it.code, it.name_zh, it.name_en, *it.aliases):
                key = _norm(name)
                if key in item_names and item_names[key] != it.code:
                    raise ValidationError(f"{path.name}: item name {name!r} is used by {item_names[key]} and {it.code}")
                item_names[key] = it.code
    for c in categories.values():
        if c.parent and c.parent not in categories:
            raise ValidationError(f"category {c.code}: parent {c.parent} is not defined")
    return Catalog(categories, items, cat_names, item_names)

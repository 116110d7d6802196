"""The category tree (IPCC 2006 numbering, Chinese names of the provincial guideline) and the items
(fuels, products, animals, waste types, ...) that activity data may name.

Both are data: `carbon/inventory/tables/categories_<sector>.csv` and `items_<sector>.csv`. A category
with a `method` takes activity data; the others are headings that results roll up into, categories another
method attributes results to (`derived_categories.csv`: 3.C.5 from 3.C.4), or IPCC 2006 categories this
service does not compute (childless, no method: they take a notation key such as NE or NO, never a number).

One code scheme, IPCC 2006 (Vol 1 Ch 8 Table 8.2): 1 energy, 2 IPPU, 3 AFOLU (3.A livestock, 3.B land with
sector ``lulucf``, 3.C aggregate sources), 4 waste (4.A solid waste disposal ... 4.D wastewater). Every
category also carries its UNFCCC CRT code (`crt_codes.csv`, a table of its own so that the category files stay
as they are): activity files may be written in either scheme (``codes="ipcc2006"`` or ``"crt"``), Chinese and
English names are accepted under both, and a code that means something else in the other scheme gets an error
that says so. `ipcc2006_codes.csv` (the Guidelines' full list) lets messages name a code this catalogue lacks.
Before issue 12 forestry sat at 4.* (1996-style) and waste at 5.*: migration 0007 recodes stored inventories,
carbon.factors.legacy_scopes maps the scopes of the factor files written before.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path

from carbon.core import messages, units
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
CODE_SCHEMES = ("ipcc2006", "crt")  # how an activity file writes its category codes
DEFAULT_CODES = "ipcc2006"
MAX_LISTED = 12  # a message lists at most this many sub-categories


def check_codes(codes: str) -> str:
    if codes not in CODE_SCHEMES:
        raise ValidationError(key="inventory_unknown_code_scheme", params={"value": codes, "known": ", ".join(CODE_SCHEMES)},
                              field="codes")
    return codes


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
    ch4_fossil: bool  # AR6 split: CH4 of fossil fuels (fugitive, combustion) and fossil reductants is fossil unless
    #                   the item is biogenic (biomass fuels); the rest non-fossil (carbon.inventory.engine._weight)
    memo: bool  # memo items are never added to territorial totals
    aliases: tuple[str, ...] = ()  # other names it is found by (a merged or recoded category keeps its old names)
    crt_code: str = ""  # the UNFCCC CRT code (tables/crt_codes.csv)
    crt_name_en: str = ""
    computed_from: tuple[str, ...] = ()  # categories whose methods attribute results to it (derived_categories.csv)

    def check_unit(self, unit: str) -> None:
        """Raise UnitError unless the activity unit has one of this category's activity dimensions."""
        for dim in self.activity:
            try:
                units.check_dimension(unit, dim)
                return
            except UnitError:
                continue
        raise UnitError(key="unit_dimension", params={"unit": unit, "dimension": units.dimension_of(unit),
                                                      "category": f"{self.code} {self.name_zh}",
                                                      "expected": " or ".join(self.activity)}, field="unit")

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

    def category(self, text: str, codes: str = DEFAULT_CODES) -> Category:
        """A category by code in the scheme ``codes`` (IPCC 2006 '4.A', or CRT '5.A' for the same category) or by
        Chinese/English name ('固体废弃物填埋处理', under either scheme). Raises ValidationError with a message that
        says what the text is instead (a code of the other scheme, a finer IPCC code, an IPCC category not computed)."""
        check_codes(codes)
        key = _norm(text)
        if codes == "crt":
            hits = self.crt_index.get(key)
            if hits and len(hits) > 1:
                raise ValidationError(key="inventory_crt_ambiguous", params={
                    "code": str(text).strip(), "meanings": ", ".join(self.show(self.categories[c]) for c in hits)},
                    field="category")
            if hits:
                return self.categories[hits[0]]
            code = self._category_names.get(key)
            if code is not None and _norm(code) != key:  # found by name; an IPCC code is not a CRT code
                return self.categories[code]
        else:
            code = self._category_names.get(key)
            if code is not None:
                return self.categories[code]
        shown = str(text).strip()
        raise ValidationError(key="inventory_unknown_category", field="category",
                              params={"value": shown, "detail": self.unknown_message(shown, codes),
                                      "detail_zh": self.unknown_message(shown, codes, "zh")})

    # --- the two code schemes -------------------------------------------------------------------------------

    @cached_property
    def crt_index(self) -> dict[str, tuple[str, ...]]:
        """Normalised CRT code -> the IPCC 2006 code(s) of this catalogue that carry it (one, unless the table
        gives a CRT code twice, which tests/inventory/test_codes.py forbids)."""
        out: dict[str, list[str]] = {}
        for c in self.categories.values():
            if c.crt_code:
                out.setdefault(_norm(c.crt_code), []).append(c.code)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for c in self.categories.values():
            if c.parent:
                out.setdefault(c.parent, []).append(c.code)
        return out

    def children(self, code: str) -> list[Category]:
        return [self.categories[c] for c in self._children.get(code, [])]

    def descendants(self, code: str) -> list[Category]:
        out = []
        for child in self.children(code):
            out.append(child)
            out.extend(self.descendants(child.code))
        return out

    def code_in(self, category: Category, codes: str = DEFAULT_CODES) -> str:
        """The category's code in the scheme ``codes``."""
        return category.crt_code if codes == "crt" and category.crt_code else category.code

    def show(self, category: Category, codes: str = DEFAULT_CODES) -> str:
        """'4.A 固体废弃物填埋处理', or under CRT '5.A (IPCC 2006 4.A) 固体废弃物填埋处理'."""
        if codes == "crt" and category.crt_code:
            return f"{category.crt_code} (IPCC 2006 {category.code}) {category.name_zh}"
        return f"{category.code} {category.name_zh}"

    def takes_notation_only(self, category: Category) -> bool:
        """A category without a method and without sub-categories: an IPCC category this service does not compute,
        or one computed from another category. Its rows may carry a notation key (NE, NO, IE, ...), never a number."""
        return not category.method and not self._children.get(category.code)

    def report_instead(self, category: Category, codes: str = DEFAULT_CODES, lang: str = "en") -> str:
        """Why a category without a method takes no figure, and what to report instead (in ``lang``, from the
        entries of carbon/inventory/messages.py)."""
        shown = self.show(category, codes)
        kids = self.children(category.code)
        if kids:
            leaves = [c for c in self.descendants(category.code) if c.method]
            if leaves:
                listed = ", ".join(self.show(c, codes) for c in leaves[:MAX_LISTED])
                more = len(leaves) - MAX_LISTED
                msg = messages.text("inventory_heading_more" if more > 0 else "inventory_heading", lang, shown=shown,
                                    listed=listed, more=more)
            else:
                listed = ", ".join(self.show(c, codes) for c in kids[:MAX_LISTED])
                msg = messages.text("inventory_heading_none_computed", lang, shown=shown, listed=listed)
        elif category.computed_from:
            sources = ", ".join(self.show(self.categories[c], codes) if c in self.categories else c
                                for c in category.computed_from)
            msg = messages.text("inventory_computed_from", lang, shown=shown, sources=sources)
        else:
            msg = messages.text("inventory_not_computed", lang, shown=shown)
        text = self.code_in(category, codes)
        return msg + self._other_scheme_hint(text, codes, lang) + self._legacy_hint(text, category.code, lang)

    def _other_scheme_hint(self, text: str, codes: str, lang: str = "en") -> str:
        """' (in CRT, 4.A.1 is forest land remaining forest land = IPCC 2006 3.B.1.a ...)' when ``text`` is a code
        of the other scheme (or heads codes of it) that means something else."""
        key = _norm(text)
        if codes == "ipcc2006":
            hits = self.crt_index.get(key, ())
            if hits and hits != (self._category_names.get(key),):
                names = "; ".join(f"{self.categories[c].crt_name_en} = IPCC 2006 {self.show(self.categories[c])}"
                                  for c in hits)
                return messages.text("inventory_hint_crt_is", lang, text=text, names=names)
            below = [c for c in self.categories.values() if _norm(c.crt_code).startswith(key + ".") and c.method]
            if not hits and below and key not in self._category_names:
                listed = ", ".join(f"{c.crt_code} = IPCC 2006 {self.show(c)}" for c in below[:MAX_LISTED])
                return messages.text("inventory_hint_crt_heading", lang, text=text, listed=listed)
            return ""
        code = self._category_names.get(key)
        if code is not None and _norm(code) == key and self.crt_index.get(key) != (code,):
            return messages.text("inventory_hint_ipcc_is", lang, shown=self.show(self.categories[code]))
        return ""

    def _legacy_hint(self, text: str, now: str | None = None, lang: str = "en") -> str:
        """' (before the IPCC 2006 recode this catalogue used 4.B.1 for 森林转化生物量碳损失: now 3.B.5.b.i)'."""
        old = legacy_codes().get(_norm(text))
        if old is None or old[0] == now or old[0] not in self.categories:
            return ""
        return messages.text("inventory_hint_legacy", lang, text=text, old=old[1], shown=self.show(self.categories[old[0]]))

    def unknown_message(self, text: str, codes: str = DEFAULT_CODES, lang: str = "en") -> str:
        """What an unknown code is instead: a code of the other scheme, an IPCC 2006 (or CRT) sub-category finer
        than this catalogue, an IPCC 2006 category this service does not compute, or nothing known (in ``lang``)."""
        key = _norm(text)
        if codes == "ipcc2006":
            official = ipcc2006_names().get(key)
            nearest = next((self.categories[a] for a in self.ancestors(text.strip())
                            if a in self.categories and self.categories[a].method), None)
            if nearest is not None:
                msg = messages.text("inventory_finer", lang, text=text, official=f" ({official})" if official else "",
                                    nearest=self.show(nearest))
            elif official:
                below = [c for c in self.categories.values() if c.code.startswith(text.strip() + ".") and c.method]
                if below:
                    listed = ", ".join(self.show(c) for c in below[:MAX_LISTED])
                    msg = messages.text("inventory_official_heading", lang, text=text, official=official, listed=listed)
                else:
                    msg = messages.text("inventory_official_not_computed", lang, text=text, official=official)
            else:
                msg = messages.text("inventory_unknown_ipcc", lang, text=text)
            return msg + self._other_scheme_hint(text, codes, lang) + self._legacy_hint(text, lang=lang)
        crt_nearest = None
        parts = text.strip().split(".")
        for n in range(len(parts) - 1, 0, -1):
            hits = self.crt_index.get(_norm(".".join(parts[:n])), ())
            if len(hits) == 1 and self.categories[hits[0]].method:
                crt_nearest = self.categories[hits[0]]
                break
        below = [c for c in self.categories.values() if _norm(c.crt_code).startswith(key + ".") and c.method]
        if crt_nearest is not None:
            msg = messages.text("inventory_crt_finer", lang, text=text, nearest=self.show(crt_nearest, "crt"))
        elif below:
            listed = ", ".join(self.show(c, "crt") for c in below[:MAX_LISTED])
            msg = messages.text("inventory_crt_heading", lang, text=text, listed=listed)
        else:
            msg = messages.text("inventory_unknown_crt", lang, text=text)
        return msg + self._other_scheme_hint(text, codes, lang) + self._legacy_hint(text, lang=lang)

    def item(self, text: str) -> Item:
        code = self._item_names.get(_norm(text))
        if code is None:
            raise ValidationError(key="unknown_item", params={"value": text}, field="item")
        return self.items[code]

    def leaf_categories(self, sector: str | None = None) -> list[Category]:
        return [c for c in self.categories.values() if c.method and (sector is None or c.sector == sector)]

    def reporting_categories(self) -> list[Category]:
        """The categories without sub-categories: each appears in a compiled result with a figure or a notation key
        (carbon.inventory.completeness)."""
        return [c for c in self.categories.values() if not self._children.get(c.code)]

    def ancestors(self, code: str) -> list[str]:
        out = []
        while "." in code:
            code = code.rsplit(".", 1)[0]
            out.append(code)
        return out


@lru_cache(maxsize=1)
def ipcc2006_names(root: Path = TABLES) -> dict[str, str]:
    """Normalised IPCC 2006 code -> its name in the Guidelines (tables/ipcc2006_codes.csv), for messages."""
    return {_norm(r["code"]): r["name_en"] for r in _read(root / "ipcc2006_codes.csv")}


@lru_cache(maxsize=1)
def legacy_codes(root: Path = TABLES) -> dict[str, tuple[str, str]]:
    """Normalised pre-recode code -> (its IPCC 2006 code now, its old Chinese name) (tables/legacy_codes.csv)."""
    return {_norm(r["old_code"]): (r["new_code"], r["old_name_zh"]) for r in _read(root / "legacy_codes.csv")}


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
                raise ValidationError(key="inventory_table_unknown_sector", params={
                    "name": path.name, "category": r["code"], "sector": r["sector"]})
            if r["code"] in categories:
                raise ValidationError(key="inventory_table_duplicate_category", params={"name": path.name,
                                                                                       "category": r["code"]})
            c = Category(
                code=r["code"], sector=r["sector"], name_zh=r["name_zh"], name_en=r["name_en"], method=r["method"],
                activity=tuple(x for x in r["activity"].split("|") if x), gases=tuple(x for x in r["gases"].split("|") if x),
                ch4_fossil=r["ch4_fossil"] == "1", memo=r["memo"] == "1",
                aliases=tuple(a for a in r.get("aliases", "").split("|") if a),
            )
            categories[c.code] = c
            for name in (c.code, c.name_zh, c.name_en, *c.aliases):
                cat_names.setdefault(_norm(name), c.code)
    for path in sorted(root.glob("items_*.csv")):
        sector = path.stem.split("_", 1)[1]
        for r in _read(path):
            if r["code"] in items:
                raise ValidationError(key="inventory_table_duplicate_item", params={"name": path.name, "item": r["code"]})
            it = Item(code=r["code"], name_zh=r["name_zh"], name_en=r["name_en"], kind=r["kind"],
                      aliases=tuple(a for a in r.get("aliases", "").split("|") if a), biogenic=r.get("biogenic") == "1", sector=sector)
            items[it.code] = it
            for name in (it.code, it.name_zh, it.name_en, *it.aliases):
                key = _norm(name)
                if key in item_names and item_names[key] != it.code:
                    raise ValidationError(key="inventory_table_item_name_twice", params={
                        "name": path.name, "item_name": name, "first": item_names[key], "second": it.code})
                item_names[key] = it.code
    for c in categories.values():
        if c.parent and c.parent not in categories:
            raise ValidationError(key="inventory_table_no_parent", params={"category": c.code, "parent": c.parent})
    # the CRT code of each category, and what derived categories are computed from: tables of their own, so the
    # category files keep their columns. A category without a CRT row keeps crt_code "" (the tests insist on one).
    crt_path = root / "crt_codes.csv"
    for r in (_read(crt_path) if crt_path.exists() else []):
        if r["ipcc2006_code"] in categories:
            c = categories[r["ipcc2006_code"]]
            categories[c.code] = replace(c, crt_code=r["crt_code"], crt_name_en=r["crt_name_en"])
    derived_path = root / "derived_categories.csv"
    for r in (_read(derived_path) if derived_path.exists() else []):
        if r["code"] in categories:
            c = categories[r["code"]]
            categories[c.code] = replace(c, computed_from=tuple(x for x in r["computed_from"].split("|") if x))
    return Catalog(categories, items, cat_names, item_names)

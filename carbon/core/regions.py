"""Ordos and its nine banners/districts as plain data, so pure code can resolve a region without a DB.

Codes are the national administrative division codes (GB/T 2260). The database table ``regions`` is
seeded from this list (``carbon.core.models.seed_regions`` and migration 0001 keep their own copy of
the rows, because a migration must not change when this module does later).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from carbon.core.errors import ValidationError

CITY_CODE = "150600"


@dataclass(frozen=True)
class RegionInfo:
    code: str
    name_zh: str
    name_en: str
    level: str  # "city" | "county"
    parent: str | None  # parent region code


REGIONS: tuple[RegionInfo, ...] = (
    RegionInfo("150600", "鄂尔多斯市", "Ordos", "city", None),
    RegionInfo("150602", "东胜区", "Dongsheng", "county", CITY_CODE),
    RegionInfo("150603", "康巴什区", "Kangbashi", "county", CITY_CODE),
    RegionInfo("150621", "达拉特旗", "Dalad", "county", CITY_CODE),
    RegionInfo("150622", "准格尔旗", "Jungar", "county", CITY_CODE),
    RegionInfo("150623", "鄂托克前旗", "Otog Front", "county", CITY_CODE),
    RegionInfo("150624", "鄂托克旗", "Otog", "county", CITY_CODE),
    RegionInfo("150625", "杭锦旗", "Hanggin", "county", CITY_CODE),
    RegionInfo("150626", "乌审旗", "Uxin", "county", CITY_CODE),
    RegionInfo("150627", "伊金霍洛旗", "Ejin Horo", "county", CITY_CODE),
)

BANNER_CODES: list[str] = [r.code for r in REGIONS if r.level == "county"]
BY_CODE: dict[str, RegionInfo] = {r.code: r for r in REGIONS}


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _build_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for r in REGIONS:
        names[_norm(r.name_zh)] = r.code
        names[_norm(r.name_en)] = r.code
    # Common short forms seen in spreadsheets: 鄂尔多斯, 东胜, 准旗… (only unambiguous ones).
    names[_norm("鄂尔多斯")] = CITY_CODE
    names[_norm("Ordos City")] = CITY_CODE
    for r in REGIONS:
        if r.level == "county":
            short = r.name_zh.removesuffix("区")
            if short != r.name_zh:
                names.setdefault(_norm(short), r.code)
    return names


_BY_NAME = _build_names()


def resolve_region(text: str, *, field: str | None = "region") -> str:
    """The region code for a code or a name (Chinese or English, whitespace/case-insensitive).

    Raises ``ValidationError`` for anything that is not Ordos or one of its banners/districts, naming
    the known regions so a user can fix the spreadsheet cell.
    """
    if text is None:
        raise ValidationError(key="region_missing", field=field)
    key = str(text).strip()
    if key in BY_CODE:
        return key
    code = _BY_NAME.get(_norm(key))
    if code is None:
        known = "、".join(r.name_zh for r in REGIONS)
        raise ValidationError(key="unknown_region", params={"value": text, "known": known}, field=field)
    return code

"""The compile's cross-sector findings in Chinese, worded from their fields (the English ``message`` stays beside
them): for the report's coal-chemicals chapter and for ``carbon compile``'s notices under CARBON_LANG=zh."""

from __future__ import annotations

import re

from carbon.core.regions import BY_CODE
from carbon.inventory.calc.cross_checks import BOTTOM_UP_OVERLAP, FEEDSTOCK_IN_1A, REDUCTANT_IN_1A


def _region_zh(code: str) -> str:
    return BY_CODE[code].name_zh if code in BY_CODE else code


def _zh_items(codes, catalog) -> str:
    return "、".join(catalog.items[c].name_zh if c in catalog.items else str(c) for c in codes)


def finding_zh(c: dict, catalog) -> str:
    """A cross-sector finding in Chinese, from its fields (the English message is kept beside it)."""
    region = _region_zh(str(c.get("region", "")))
    cat_code = c.get("balance_category", "")
    cat = catalog.categories.get(cat_code)
    cat_txt = f"{cat_code} {cat.name_zh}" if cat else cat_code
    if c.get("check") == FEEDSTOCK_IN_1A:
        return (f"{region}：{cat_txt}的碳平衡投入{_zh_items([c.get('balance_item')], catalog)}，与本地区"
                f"{'、'.join(c.get('combustion_categories', []))}燃烧的同类煤（{_zh_items(c.get('combustion_items', []), catalog)}，"
                f"{c.get('combustion_co2_t', 0):,.0f} t CO2）同时报告：原料煤是否也计入了燃料燃烧？若是，至多 "
                f"{c.get('co2_at_stake_t', 0):,.0f} t CO2 重复计算。"
                + (_excluded_zh(c) if c.get("excluded") else "未做扣除，请核实原料煤与燃料煤的划分。"))
    if c.get("check") == REDUCTANT_IN_1A:
        ippu = catalog.categories.get(c.get("ippu_category", ""))
        ippu_txt = f"{c.get('ippu_category', '')} {ippu.name_zh}" if ippu else c.get("ippu_category", "")
        return (f"{region}：{ippu_txt}按产量计算（{_zh_items(c.get('ippu_items', []), catalog)}，"
                f"{c.get('ippu_co2_t', 0):,.0f} t CO2），其缺省排放因子已含还原剂/原料的碳；本地区"
                f"{'、'.join(c.get('combustion_categories', []))}又报告了{_zh_items(c.get('combustion_items', []), catalog)}燃烧"
                f"（{c.get('combustion_co2_t', 0):,.0f} t CO2）：还原剂或原料是否也计入了燃料燃烧？若是，至多 "
                f"{c.get('co2_at_stake_t', 0):,.0f} t CO2 重复计算。"
                + (_excluded_zh(c) if c.get("excluded") else "未做扣除，请核实用作还原剂或原料的燃料是否也计入了燃料燃烧。"))
    if c.get("check") == BOTTOM_UP_OVERLAP:
        return (f"{region}：{cat_txt}的ETS核查设施 {c.get('facility', '')}（{c.get('verified_co2_t', 0):,.0f} t CO2）"
                f"与未注明设施的地区数据（{c.get('region_co2_t', 0):,.0f} t CO2）并存：若后者包含该设施则重复计算。未做扣除。")
    if c.get("message_zh"):  # item codes (food_waste, …) by their Chinese names
        text = re.sub(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b",
                      lambda m: catalog.items[m.group(0)].name_zh if m.group(0) in catalog.items else m.group(0),
                      c["message_zh"])
        return f"{region}：{text.replace(', ', '、')}"
    return f"{region}：{c.get('message', '')}"


def _excluded_zh(c: dict) -> str:
    return f"已按用户指定从1.A扣除 {c.get('excluded_co2_t', 0):,.0f} t CO2（{'、'.join(c.get('excluded_by', []))}）。"

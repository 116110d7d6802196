"""Chinese labels for the codes the inventory report would otherwise print in English: factor parameters (from
the parameter catalogue, ``emission_factors/parameters/*.csv`` column ``name_zh``), calculation methods, units
spelled in words, uncertainty sources, and file names in provenance strings (a report names the data, not the
file it came in). Local time for the report's dates (``CARBON_TIMEZONE``, default Asia/Shanghai).

Codes (category codes, factor refs, gas formulae) and the names of cited documents stay as they are.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from carbon.core.settings import get_settings
from carbon.factors import library as factor_library

DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_ORG = "鄂尔多斯市生态环境局"

# the engine's calculation methods (carbon.inventory.calc.base LINEAR_METHODS and SERIES_METHODS, and the rows
# pulled bottom-up from the ETS); a test checks every method has one
METHOD_ZH = {
    "fuel_combustion": "燃料燃烧（活动水平×排放因子）",
    "carbon_balance": "碳质量平衡",
    "coal_mining": "煤炭开采逃逸（分井工/露天、采后活动）",
    "landfill_fod": "一阶衰减法（填埋）",
    "ammonia_production": "合成氨（燃料需求×含碳量）",
    "cement_clinker": "水泥熟料（氧化钙含量法）",
    "domestic_wastewater": "生活污水处理",
    "industrial_wastewater": "工业废水处理",
    "electricity_transfer": "电力调入调出（信息项）",
    "enteric_fermentation": "动物肠道发酵",
    "manure_management": "动物粪便管理",
    "manure_indirect_n2o": "粪便管理间接氧化亚氮",
    "managed_soils_n2o": "农用地氧化亚氮",
    "rice_cultivation": "稻田甲烷",
    "urea_application": "尿素施用",
    "fgas_use": "含氟气体使用（排放率法）",
    "semiconductor_fgas": "半导体制造含氟气体",
    "hcfc22_hfc23": "HCFC-22生产的HFC-23副产",
    "forest_conversion": "森林转化（碳储量变化）",
    "forest_conversion_burning": "森林转化燃烧",
    "forest_gain_loss": "森林和其他木质生物质碳储量变化（增减法）",
    "process_ef": "产品产量×排放因子",
    "throughput_ef": "处理量×排放因子",
    "waste_incineration": "废弃物焚烧",
    "ets_verified": "重点排放单位核查值（自下而上引用）",
}

SECTOR_ZH_FALLBACK = {"memo": "信息项"}

# units written as words in the factor library
UNIT_ZH = {"dimensionless": "无量纲", "1": "无量纲", "": "—"}

_FILE = re.compile(r"\s*[（(]?\b[\w.\-]+\.(?:csv|xlsx|json|yaml|yml)\b[）)]?", re.IGNORECASE)
_INDICATOR_PREFIX = re.compile(r"^(?:plan\s+)?indicator\s+\w+\s*:?\s*", re.IGNORECASE)
_ENGLISH_ASIDE = re.compile(r"\s*\((?=[^()]*[A-Za-z]{3})[^()\u4e00-\u9fff]*\)")
_CHECK = re.compile(r"\s*\[check\]\s*", re.IGNORECASE)
_REF = re.compile(r"(Vol\.\s?\d+|Ch\.\s?\d+|Annex\s+[\dA-Z]+(?:\.[\dA-Z]+)*|Table\s+[\dA-Z]+(?:\.[\dA-Z]+)*"
                  r"|§\s?\d+(?:\.\d+)*|Eq\.\s?\d+(?:\.\d+)*)")
_REF_ZH = [(re.compile(r"^Vol\.\s?"), "第", "卷"), (re.compile(r"^Ch\.\s?"), "第", "章"), (re.compile(r"^Annex\s+"), "附件", ""),
           (re.compile(r"^Table\s+"), "表", ""), (re.compile(r"^Eq\.\s?"), "式", ""), (re.compile(r"^§\s?"), "§", "")]
_WORD = re.compile(r"[A-Za-z]{4,}")
_LOCAL_ROW = re.compile(r"local_factors(?:\.csv)?\s+row\s+(\d+)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PHRASES = [(re.compile(r"^carbon mass fraction\s*"), "碳质量分数 "), (re.compile(r"^pure\s+"), "纯"),
            (re.compile(r"\s+composition$"), "组成"), (re.compile(r"^no carbon$"), "不含碳")]
IPCC_2006_ZH = "《2006年IPCC国家温室气体清单指南》"


@lru_cache(maxsize=1)
def parameter_names_zh() -> dict[str, str]:
    return {name: spec.name_zh for name, spec in factor_library.load_parameter_catalogue().items()}


def parameter_zh(name: str) -> str:
    """The Chinese name of a factor parameter (the code itself if the catalogue has none: a test prevents it)."""
    return parameter_names_zh().get(name) or name


def method_zh(method: str) -> str:
    return METHOD_ZH.get(str(method), str(method))


def unit_zh(unit: str) -> str:
    return UNIT_ZH.get((unit or "").strip(), unit)


def has_check_marker(text: str | None) -> bool:
    return bool(text) and bool(_CHECK.search(text))


def without_check(text: str | None) -> str:
    """The text without its ``[check]`` markers (listed in the report's check chapter instead)."""
    return _CHECK.sub("", text or "").strip()


def without_file_names(text: str | None) -> str:
    """A provenance string without file names (``indicator X (file.csv): …`` → ``…``)."""
    out = _FILE.sub("", without_check(text))
    out = _INDICATOR_PREFIX.sub("", out)
    return out.strip(" ：:;；，,")


def without_english_aside(text: str | None) -> str:
    """``未发生 (not occurring)`` → ``未发生``: an English gloss in parentheses after Chinese text dropped."""
    text = text or ""
    return _ENGLISH_ASIDE.sub("", text) if _CJK.search(text) else text


def citation_zh(text: str) -> str:
    """An English citation of the IPCC 2006 Guidelines as 《2006年IPCC国家温室气体清单指南》 and its references."""
    return uncertainty_source_zh(text)


def uncertainty_source_zh(text: str) -> str:
    """An uncertainty source of the defaults table in Chinese: the cited sections of the IPCC 2006 Guidelines
    (§ and table numbers), without the English description."""
    prefix = ""
    rest = text or ""
    if rest.startswith("factor library uncertainty_pct"):
        prefix = "排放因子：因子库所列不确定性；活动水平："
        rest = rest.split(":", 1)[1] if ":" in rest else ""
    if "no IPCC range" in rest:
        return prefix + "未找到IPCC给出的范围，取项目保守缺省值（待核实）"
    refs = _refs_zh(rest)
    if not refs:
        return prefix + (rest.strip() or "—")
    return f"{prefix}{IPCC_2006_ZH} {'、'.join(refs)}"


def _refs_zh(text: str) -> list[str]:
    """The volume/chapter/table/section/equation references of an English citation, in Chinese."""
    refs: list[str] = []
    for m in _REF.findall(text or ""):
        for pattern, before, after in _REF_ZH:
            if pattern.match(m):
                ref = before + pattern.sub("", m) + after
                break
        if ref not in refs:
            refs.append(ref)
    return refs


def source_table_zh(text: str | None) -> str:
    """A factor row's table/entry citation for the report: Chinese text kept, an English citation reduced to its
    references (第2章 表2.2), a stoichiometric or numeric derivation kept with its words in Chinese; the full
    text stays in the factor library."""
    text = without_check(text)
    local = _LOCAL_ROW.search(text)
    if local:
        return f"地方实测因子第{local.group(1)}行"
    refs = _refs_zh(text)
    if refs:
        return " ".join(refs)
    out = text
    for pattern, zh in _PHRASES:
        out = pattern.sub(zh, out)
    if not _WORD.search(out):
        return out
    if _CJK.search(out):
        kept = re.sub(r"\s*\([^)]*\)", "", out)
        if not _WORD.search(kept):
            return kept.strip()
        return " ".join(re.findall(r"[\u4e00-\u9fff（），、：]+|\b\d{4}\b", kept)) or "见来源文献"
    return "见来源文献"


def timezone_name() -> str:
    return get_settings().timezone.strip() or DEFAULT_TIMEZONE


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def zone_label(name: str, offset: str) -> str:
    return "北京时间" if name in ("Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC") else f"UTC{offset}"


def local_time(dt: datetime | None, *, name: str | None = None) -> str:
    """``2026-12-07 18:57（北京时间，UTC+08:00）`` for an aware (or naive UTC) datetime; '' for None."""
    if dt is None:
        return ""
    name = name or timezone_name()
    aware = dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
    local = aware.astimezone(_zone(name))
    offset = local.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}"
    label = zone_label(name, offset)
    zone = f"{label}，UTC{offset}" if label == "北京时间" else label
    return f"{local.strftime('%Y-%m-%d %H:%M')}（{zone}）"


def local_date(dt: datetime, *, name: str | None = None) -> str:
    aware = dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
    local = aware.astimezone(_zone(name or timezone_name()))
    return f"{local.year}年{local.month}月{local.day}日"


def report_org() -> str:
    return get_settings().report_org.strip() or DEFAULT_ORG

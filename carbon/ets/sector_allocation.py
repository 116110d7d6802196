"""Steel, cement and aluminium-smelting allocation of the national ETS for 2024 and 2025, as data plus small rules.

《2024、2025年度全国碳排放权交易市场钢铁、水泥、铝冶炼行业配额总量和分配方案》 (MEE, 2025-11; "配额方案"):

- 2024 (``verified_emissions``): a line's (enterprise's, process's) allowances equal its verified 2024 emissions
  (等量分配); no pre-allocation.
- 2025 (``intensity``): pre-allocation = 70% of the previous year's (2024) verified emissions; final allocation
  = output × the plan's 单位产品碳排放强度值 of the product (× the plan's adjustment, if any), no absolute cap.
  Cement lines exempt from the intensity rule get their verified emissions (``exempt_actual``): white clinker only
  (仅生产白色硅酸盐水泥熟料), carbide-slag substitution above 15% that year (电石渣替代率超过15%: 15% exactly is not
  exempt), gypsum–sulphuric-acid co-production clinker (石膏制硫酸副产硅酸盐水泥熟料).
- Banking: carry-over ≤ 100,000 t + 1.5 × net sales (net buyers: the base), rounded down.

Every number lives in ``data/sector_allocation_2024_2025.json`` with its source, clause and ``verified`` flag
(true only if read in the plan's own text; at the time of writing the plan itself was not retrieved, so every
entry is ``false``: the exemptions and the 70% come from a repost quoting the plan, the banking base from the
2023–24 power plan). A number the plan's text has not given us (the 2025 intensity values, the adjustment) is
``null`` there: the rule raises ``ValidationError`` naming the number and the document unless the caller passes
it (``intensity=``, ``adjustment=``), and the result records it as ``"caller"``-provided.

Rounding (the plan's own rule was not retrieved): whole tonnes, line quotas and pre-allocations half-up (as
``carbon.ets.allocation.round_half_up``), an emitter's quota the sum of its lines', banking caps rounded down.

Public functions (pure: the data file is the only I/O; no session, no HTTP)::

    sector_rule(year: int, industry: str) -> SectorRule
    line_quota(year, industry, *, verified_t, output_t=None, product=None, intensity=None, adjustment=None,
               exempt=None, carbide_slag_share=None, line_id="line") -> LineQuota
    pre_allocation(year, industry, *, previous_verified_t) -> PreAllocation
    emitter_quota(year, industry, lines: list[LineInput], *, previous_verified_t=None) -> SectorEmitterQuota
    line_inputs(items: list[dict | LineInput]) -> list[LineInput]
    banking_limit(year, industry, *, net_sales_t) -> BankingLimit
    surrender_deadline(year, industry) -> date

``industry`` is one of ``INDUSTRIES`` ("cement", "aluminium", "steel"); ``year`` 2024 or 2025 (other years:
``ValidationError`` with field ``year``). ``exempt`` is one of ``EXEMPTIONS`` ("white_clinker", "carbide_slag",
"gypsum_sulphuric_acid"); a ``carbide_slag_share`` (fraction 0–1) above 0.15 makes a 2025 cement line exempt by
itself. Results are dataclasses with ``rule`` (what was applied) and ``source`` (document, clause, source keys,
verified) for traceability; ``as_dict()`` gives JSON-ready dicts for reports.

On the database, ``carbon.ets.compliance.allocate_pre`` / ``allocate_final`` route cement, aluminium and steel
emitters in 2024-25 here (``allocate_final(..., lines=[...])``, lines required for 2025).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from carbon.core.errors import ValidationError
from carbon.ets.allocation import round_down, round_half_up

DATA_FILE = Path(__file__).with_name("data") / "sector_allocation_2024_2025.json"
RULES_VERSION = "sector_allocation_2024_2025.json"
INDUSTRIES = ("cement", "aluminium", "steel")
EXEMPTIONS = ("white_clinker", "carbide_slag", "gypsum_sulphuric_acid")


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    with DATA_FILE.open(encoding="utf-8") as f:
        return json.load(f)


def _title() -> str:
    return f"《{data()['document']['title']}》"


def _source(entry: dict[str, Any]) -> str:
    flag = "verified in the plan's text" if entry.get("verified") else "NOT verified in the plan's text"
    return f"{_title()} {entry.get('clause', '')}; source {entry.get('source')}; {flag}".replace("  ", " ")


def _check(year: int, industry: str) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or str(year) not in data()["years"]:
        have = sorted(data()["years"])
        raise ValidationError(key="ets_sector_no_rules_year", params={"year": year, "title": _title(), "first": have[0],
                                                                       "last": have[-1]}, field="year")
    if industry not in INDUSTRIES:
        raise ValidationError(key="ets_sector_industry", params={"industries": ", ".join(INDUSTRIES), "title": _title(),
                                                                  "industry": industry}, field="industry")


def _non_negative(value: float | None, name: str) -> float:
    if value is None:
        raise ValidationError(key="ets_sector_required", params={"field": name}, field=name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
        raise ValidationError(key="ets_sector_number_non_negative", params={"field": name, "value": value}, field=name)
    return float(value)


# --- the year's rule ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SectorRule:
    year: int
    industry: str
    method: str  # "verified_emissions" (2024) | "intensity" (2025)
    pre_allocation_share: float | None  # None: no pre-allocation (2024)
    products: tuple[str, ...]
    exemptions: tuple[str, ...]  # kinds exempt from the intensity rule this year for this industry
    rule: str
    source: str
    verified: bool


def sector_rule(year: int, industry: str) -> SectorRule:
    """The year's allocation rule for the industry; ValidationError (field ``year``/``industry``) otherwise."""
    _check(year, industry)
    d = data()
    y = d["years"][str(year)]
    ex = d["exemptions"]
    exemptions = tuple(ex["kinds"]) if industry == ex["industry"] and year in ex["years"] else ()
    return SectorRule(year=year, industry=industry, method=y["method"],
                      pre_allocation_share=d["pre_allocation"][str(year)]["share"],
                      products=tuple(d["industries"][industry]["products"]), exemptions=exemptions,
                      rule=y["rule"], source=_source(y), verified=bool(y["verified"]))


# --- one line (enterprise, production line, process) ------------------------------------------------------

@dataclass(frozen=True)
class LineInput:
    """One allocation unit of an emitter: an enterprise, production line or process (企业(生产线、工序))."""

    verified_t: float
    line_id: str = "line"
    output_t: float | None = None
    product: str | None = None
    intensity: float | None = None
    adjustment: float | None = None
    exempt: str | None = None
    carbide_slag_share: float | None = None


LINE_KEYS = {"verified_t", "line_id", "output_t", "product", "intensity", "adjustment", "exempt", "carbide_slag_share"}


def line_inputs(items: list[Any]) -> list[LineInput]:
    """``LineInput`` from dicts (an API or CLI payload) or ``LineInput``; ValidationError naming ``lines[i].key``."""
    if not isinstance(items, list) or not items:
        raise ValidationError(key="ets_sector_lines_list", field="lines")
    out = []
    for i, item in enumerate(items):
        if isinstance(item, LineInput):
            out.append(item)
            continue
        if not isinstance(item, dict):
            raise ValidationError(key="ets_sector_not_object", params={"where": f"lines[{i}]"}, field=f"lines[{i}]")
        unknown = sorted(set(item) - LINE_KEYS)
        if unknown:
            raise ValidationError(key="ets_sector_unknown_key", params={"where": f"lines[{i}]", "name": unknown[0]},
                                  field=f"lines[{i}].{unknown[0]}")
        if "verified_t" not in item:
            raise ValidationError(key="ets_sector_required", params={"field": f"lines[{i}].verified_t"},
                                  field=f"lines[{i}].verified_t")
        out.append(LineInput(**{"line_id": f"line{i + 1}", **item}))
    return out


@dataclass
class LineQuota:
    year: int
    industry: str
    line_id: str
    method: str  # "verified_emissions" | "intensity" | "exempt_actual"
    verified_t: float
    quota_t: int
    gap_t: float  # verified − quota (positive = deficit)
    output_t: float | None = None
    product: str | None = None
    intensity: float | None = None
    intensity_unit: str | None = None
    intensity_source: str | None = None  # "plan" | "caller"
    adjustment: float | None = None
    adjustment_source: str | None = None  # "plan" | "caller"
    exemption: str | None = None
    carbide_slag_share: float | None = None
    rule: str = ""
    source: str = ""
    verified: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _exemption(r: SectorRule, exempt: str | None, carbide_slag_share: float | None) -> str | None:
    """The exemption that applies to the line (None: none), or ValidationError for a claim that does not hold."""
    kinds = data()["exemptions"]["kinds"]
    if exempt is not None and exempt not in EXEMPTIONS:
        raise ValidationError(key="ets_sector_one_of_got", params={"field": "exempt", "allowed": ", ".join(EXEMPTIONS),
                                                                    "value": exempt}, field="exempt")
    if carbide_slag_share is not None:
        _non_negative(carbide_slag_share, "carbide_slag_share")
        if carbide_slag_share > 1:
            raise ValidationError(key="ets_sector_carbide_share_fraction", params={"value": carbide_slag_share},
                                  field="carbide_slag_share")
    if exempt is None and carbide_slag_share is None:
        return None
    if r.industry != "cement":
        if exempt is not None:
            raise ValidationError(key="ets_sector_exemption_cement_only", params={
                "kind": kinds[exempt]["name_zh"], "title": _title(), "industry": r.industry}, field="exempt")
        raise ValidationError(key="ets_sector_carbide_cement_only", field="carbide_slag_share")
    if not r.exemptions:  # 2024: everyone gets verified emissions anyway
        return None
    threshold = kinds["carbide_slag"]["threshold"]
    above = carbide_slag_share is not None and carbide_slag_share > threshold
    if exempt == "carbide_slag":
        if carbide_slag_share is None:
            raise ValidationError(key="ets_sector_carbide_share_needed", field="carbide_slag_share")
        if not above:
            raise ValidationError(key="ets_sector_carbide_not_above", params={
                "share": carbide_slag_share, "threshold": threshold, "kind": kinds["carbide_slag"]["name_zh"]},
                field="carbide_slag_share")
        return "carbide_slag"
    if exempt is not None:
        return exempt
    return "carbide_slag" if above else None


def _plan_number(entry: dict[str, Any] | None, given: float | None, what: str, field_name: str) -> tuple[float, str]:
    if given is not None:
        if isinstance(given, bool) or not isinstance(given, (int, float)) or given != given or given <= 0:
            raise ValidationError(key="ets_sector_number_positive", params={"field": field_name, "value": given},
                                  field=field_name)
        return float(given), "caller"
    if entry is None or entry.get("value") is None:
        raise ValidationError(key="ets_sector_plan_number_missing", params={
            "what": what, "title": _title(), "version": RULES_VERSION, "field": field_name}, field=field_name)
    return float(entry["value"]), "plan"


def line_quota(year: int, industry: str, *, verified_t: float, output_t: float | None = None,
               product: str | None = None, intensity: float | None = None, adjustment: float | None = None,
               exempt: str | None = None, carbide_slag_share: float | None = None,
               line_id: str = "line") -> LineQuota:
    """A line's quota for ``year``: 2024 its verified emissions; 2025 output × intensity (× adjustment), or its
    verified emissions when exempt. Whole tonnes, half-up."""
    r = sector_rule(year, industry)
    verified = _non_negative(verified_t, "verified_t")
    exemption = _exemption(r, exempt, carbide_slag_share)
    common = dict(year=year, industry=industry, line_id=line_id, verified_t=verified, exemption=exemption,
                  carbide_slag_share=carbide_slag_share)
    if r.method == "verified_emissions" or exemption is not None:
        quota = round_half_up(verified)
        if exemption is None:
            rule, src, ok = r.rule, r.source, r.verified
        else:
            ex = data()["exemptions"]
            rule = f"{ex['kinds'][exemption]['name_zh']}: allowances equal verified emissions ({ex['_rule']})"
            src, ok = _source(ex), bool(ex["verified"])
        method = "verified_emissions" if exemption is None else "exempt_actual"
        return LineQuota(**common, method=method, quota_t=quota, gap_t=verified - quota, output_t=output_t,
                         product=product, rule=rule, source=src, verified=ok)
    # 2025 intensity rule
    if product is None:
        product = r.products[0] if len(r.products) == 1 else None
        if product is None:
            raise ValidationError(key="ets_sector_product_required", params={
                "industry": industry, "products": ", ".join(r.products)}, field="product")
    if product not in r.products:
        raise ValidationError(key="ets_sector_product_one_of", params={
            "products": ", ".join(r.products), "industry": industry, "value": product}, field="product")
    out = _non_negative(output_t, "output_t")
    d = data()
    entry = d["intensity"][str(year)].get(product)
    name = entry["name_zh"] if entry else f"单位产品碳排放强度值 of {product}"
    b, b_src = _plan_number(entry, intensity, f"{name} ({product}, {year})", "intensity")
    adj_entry = d["adjustment"][str(year)]
    k, k_src = _plan_number(adj_entry, adjustment, f"the {year} adjustment coefficient ({adj_entry['name_zh']})",
                            "adjustment")
    quota = round_half_up(out * b * k)
    src = (f"{r.source}; intensity {b} {entry['unit'] if entry else ''} from {b_src}"
           f"{'' if b_src == 'caller' else ' (' + str(entry.get('source')) + ')'}; adjustment {k} from {k_src}")
    return LineQuota(**common, method="intensity", quota_t=quota, gap_t=verified - quota, output_t=out,
                     product=product, intensity=b, intensity_unit=entry["unit"] if entry else None,
                     intensity_source=b_src, adjustment=k, adjustment_source=k_src,
                     rule=f"{r.rule}: {out:g} t × {b:g} × {k:g} = {out * b * k:.3f} → {quota} t (half-up)",
                     source=src, verified=r.verified and b_src == "plan" and k_src == "plan")


# --- pre-allocation, emitter, banking ---------------------------------------------------------------------

@dataclass
class PreAllocation:
    year: int
    industry: str
    previous_verified_t: float
    share: float | None
    pre_allocation_t: int
    rule: str
    source: str
    verified: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def pre_allocation(year: int, industry: str, *, previous_verified_t: float) -> PreAllocation:
    """2025: 70% of the previous year's verified emissions, half-up; 2024: none (0)."""
    r = sector_rule(year, industry)
    basis = _non_negative(previous_verified_t, "previous_verified_t")
    entry = data()["pre_allocation"][str(year)]
    amount = 0 if r.pre_allocation_share is None else round_half_up(r.pre_allocation_share * basis)
    return PreAllocation(year=year, industry=industry, previous_verified_t=basis, share=r.pre_allocation_share,
                         pre_allocation_t=amount, rule=entry["rule"], source=_source(entry),
                         verified=bool(entry["verified"]))


@dataclass
class SectorEmitterQuota:
    year: int
    industry: str
    lines: list[LineQuota]
    emissions_t: int  # Σ verified, half-up
    quota_t: int  # Σ line quotas
    gap_t: int  # emissions − quota (positive = deficit); the obligation is the verified emissions
    pre_allocation_t: int | None  # when previous_verified_t was given
    true_up_t: int | None  # quota − pre-allocation (negative = taken back)
    rules: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def emitter_quota(year: int, industry: str, lines: list[LineInput], *,
                  previous_verified_t: float | None = None) -> SectorEmitterQuota:
    """An emitter's quota: the sum of its lines' quotas (no gap cap, no absolute cap), with the pre-allocation on
    the emitter's previous-year verified emissions and the true-up when ``previous_verified_t`` is given."""
    r = sector_rule(year, industry)
    if not lines:
        raise ValidationError(key="ets_sector_no_lines", field="lines")
    lq = [line_quota(year, industry, verified_t=u.verified_t, output_t=u.output_t, product=u.product,
                     intensity=u.intensity, adjustment=u.adjustment, exempt=u.exempt,
                     carbide_slag_share=u.carbide_slag_share, line_id=u.line_id) for u in lines]
    emissions = round_half_up(sum(q.verified_t for q in lq))
    quota = sum(q.quota_t for q in lq)
    pre = None if previous_verified_t is None else pre_allocation(
        year, industry, previous_verified_t=previous_verified_t).pre_allocation_t
    return SectorEmitterQuota(
        year=year, industry=industry, lines=lq, emissions_t=emissions, quota_t=quota, gap_t=emissions - quota,
        pre_allocation_t=pre, true_up_t=None if pre is None else quota - pre,
        rules={"year": year, "industry": industry, "method": r.method, "rule": r.rule, "source": r.source,
               "verified": r.verified, "rounding": data()["rounding"]["rule"], "version": RULES_VERSION})


@dataclass
class BankingLimit:
    year: int
    industry: str
    net_sales_t: int
    base_t: int
    net_sales_multiple: float
    limit_t: int
    rule: str
    source: str
    verified: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def banking_limit(year: int, industry: str, *, net_sales_t: int) -> BankingLimit:
    """Allowances that may be carried over ≤ 100,000 t + 1.5 × net sales (a net buyer keeps the base), rounded
    down. The base is the 2023–24 power plan's for these sectors, not checked against the sector plan."""
    sector_rule(year, industry)
    if isinstance(net_sales_t, bool) or not isinstance(net_sales_t, (int, float)) or net_sales_t != net_sales_t:
        raise ValidationError(key="ets_sector_net_sales_number", params={"value": net_sales_t}, field="net_sales_t")
    b = data()["banking"]
    limit = b["base_t"] + round_down(b["net_sales_multiple"] * max(0, net_sales_t))
    return BankingLimit(year=year, industry=industry, net_sales_t=net_sales_t, base_t=b["base_t"],
                        net_sales_multiple=b["net_sales_multiple"], limit_t=limit,
                        rule=f"{b['formula']}: {b['base_t']} + floor({b['net_sales_multiple']} × "
                             f"{max(0, net_sales_t)}) = {limit} t",
                        source=_source(b), verified=bool(b["verified"]))


def surrender_deadline(year: int, industry: str) -> date:
    """The last day to surrender the year's allowances (2024: 2025-12-31; 2025: 2026-12-31; reposts, unverified)."""
    sector_rule(year, industry)
    return date.fromisoformat(data()["surrender_deadline"][str(year)]["date"])

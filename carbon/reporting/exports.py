"""Inventory tables in the formats other readers know: the provincial guideline's report tables, the UNFCCC CRT
and the GPC (issue 16 item 1).

The layout of every table is data (``export_layouts/<format>_<edition>.csv``: sheet, order, code, label, the IPCC
2006 category prefixes and gases feeding the line; the header comment cites the document it follows), so a new
edition is a new file. The functions below are pure: they take the RESULTS table (``carbon.inventory.io.results_table``)
and return a dict of DataFrames or XLSX bytes. ``export_tables`` is the thin service that loads the stored result.

Conventions: territorial totals are the city roll-up (region 150600) without memo items; masses in t of gas (HFCs
and PFCs summed in CO2e only, as DESIGN.md §3 says), CO2e in t with the inventory's GWP set. A line without a figure
carries the notation keys (NE/NO/IE/NA/C) of its categories, with their notes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from carbon.core.errors import ValidationError
from carbon.core.gases import FAMILIES, family_of
from carbon.core.regions import CITY_CODE

LAYOUT_DIR = Path(__file__).resolve().parent / "export_layouts"
LAYOUTS = {"provincial": "provincial_2011.csv", "crt": "crt_2024.csv", "gpc": "gpc_2014.csv"}
FORMATS = tuple(LAYOUTS)
MASS_GASES = ("CO2", "CH4", "N2O", "SF6", "NF3")  # gases with a mass column (HFCs/PFCs are families: CO2e only)
NO_UNCERTAINTY = "未评估：存储的清单结果不含不确定性（not assessed: the stored result carries no uncertainty)"
TIER_NOTE = ("Tier derived from the result columns: a category computed with local/measured factors (basis "
             "non-empty) is T2, one computed with default library factors only (CN or IPCC2006 profile) is T1.")


def load_layout(fmt: str) -> tuple[pd.DataFrame, str]:
    """The layout lines of ``fmt`` and the header comment (the cited source)."""
    if fmt not in LAYOUTS:
        raise ValidationError(key="report_unknown_format", params={"fmt": fmt, "known": ", ".join(FORMATS)},
                              field="format")
    path = LAYOUT_DIR / LAYOUTS[fmt]
    text = path.read_text(encoding="utf-8")
    source = " ".join(line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#"))
    layout = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    layout["order"] = layout["order"].astype(int)
    return layout.sort_values(["sheet", "order"], kind="stable"), source


def _matches(categories: pd.Series, prefixes: str) -> pd.Series:
    mask = pd.Series(False, index=categories.index)
    for p in filter(None, (s.strip() for s in prefixes.split(";"))):
        mask |= (categories == p) | categories.str.startswith(p + ".") | categories.str.startswith(p + "(")
    return mask


def _split(table: pd.DataFrame, region: str = CITY_CODE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(figures, notation rows) of one region."""
    t = table[table["region"].astype(str) == region].copy()
    t["category"] = t["category"].astype(str)
    crt = t["crt_category"].fillna("").astype(str)
    t["key"] = crt.where(crt != "", t["category"])  # layouts are keyed by the CRT code (IPCC 2006 code without one)
    keys = t[t["notation"].astype(str) != ""]
    fig = t[t["notation"].astype(str) == ""].copy()
    fig["family"] = [family_of(g) if g else "" for g in fig["gas"]]
    return fig, keys


def _keys_text(keys: pd.DataFrame) -> tuple[str, str]:
    if keys.empty:
        return "", ""
    notation = ",".join(sorted(set(keys["notation"].astype(str))))
    notes = "; ".join(f"{c} {k}: {n}" if n else f"{c} {k}" for c, k, n in
                      zip(keys["category"], keys["notation"], keys["note"].astype(str)))
    return notation, notes


def _line(fig: pd.DataFrame, keys: pd.DataFrame, prefixes: str, gases: str, memo: bool) -> dict:
    rows = fig[_matches(fig["key"], prefixes) & (fig["memo"].astype(bool) == memo)]
    if gases:
        rows = rows[rows["family"].isin(gases.split(";"))]
    out: dict = {}
    for g in MASS_GASES:
        sel = rows[rows["family"] == g]
        out[f"{g}_t"] = float(sel["mass_t"].sum()) if len(sel) else None
    for g in FAMILIES:
        sel = rows[rows["family"] == g]
        out[f"{g}_co2e_t"] = float(sel["co2e_t"].sum()) if len(sel) else None
    out["co2e_t"] = float(rows["co2e_t"].sum()) if len(rows) else None
    notation, notes = _keys_text(keys[_matches(keys["key"], prefixes)])
    out["notation"] = notation if out["co2e_t"] is None else ""
    out["note"] = notes
    if out["co2e_t"] is None and not notation:
        out["notation"] = "NE"
        out["note"] = "NE: no category of the inventory (figure or notation key) feeds this line"
    return out


def _sheet(layout: pd.DataFrame, fig: pd.DataFrame, keys: pd.DataFrame, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    rows = []
    for line in layout.itertuples(index=False):
        memo = any(c.startswith("M") for c in line.categories.split(";"))
        row = {"code": line.code, "label": line.label, **{c: getattr(line, c) for c in extra}}
        row.update(_line(fig, keys, line.categories, line.gases, memo))
        rows.append(row)
    return pd.DataFrame(rows)


def _territorial(fig: pd.DataFrame) -> pd.DataFrame:
    return fig[~fig["memo"].astype(bool)]


def provincial_tables(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """省级温室气体清单编制指南 summary table: the five sectors by gas, CO2e, share of the total, uncertainty."""
    layout, source = load_layout("provincial")
    fig, keys = _split(table)
    total = float(_territorial(fig)["co2e_t"].sum())
    frames = {}
    for sheet, lines in layout.groupby("sheet", sort=False):
        df = _sheet(lines, fig, keys)
        sectors = ~df["code"].str.contains(r"\.")
        total_row = {"code": "合计", "label": "总排放量（不含备忘项）", "co2e_t": total}
        for col in [c for c in df.columns if c.endswith("_t") and c != "co2e_t"]:
            vals = df.loc[sectors, col].dropna()
            total_row[col] = float(vals.sum()) if len(vals) else None
        df = pd.concat([df, pd.DataFrame([total_row])], ignore_index=True)
        df["share_of_total"] = [v / total if total and v is not None and pd.notna(v) else None for v in df["co2e_t"]]
        df["uncertainty_pct"] = None
        df["uncertainty_note"] = NO_UNCERTAINTY
        frames[sheet] = df.rename(columns=_PROVINCIAL_HEADERS)
    frames["说明"] = _about(source, table)
    return frames


_PROVINCIAL_HEADERS = {"code": "编码", "label": "领域", "CO2_t": "二氧化碳 CO2 (t)", "CH4_t": "甲烷 CH4 (t)",
                       "N2O_t": "氧化亚氮 N2O (t)", "SF6_t": "六氟化硫 SF6 (t)", "NF3_t": "三氟化氮 NF3 (t)",
                       "HFCs_co2e_t": "氢氟碳化物 HFCs (t CO2e)", "PFCs_co2e_t": "全氟化碳 PFCs (t CO2e)",
                       "CO2_co2e_t": "CO2 (t CO2e)", "CH4_co2e_t": "CH4 (t CO2e)", "N2O_co2e_t": "N2O (t CO2e)",
                       "SF6_co2e_t": "SF6 (t CO2e)", "NF3_co2e_t": "NF3 (t CO2e)", "co2e_t": "合计 (t CO2e)", "share_of_total": "占总量比例", "uncertainty_pct": "不确定性 (%)",
                       "uncertainty_note": "不确定性说明", "notation": "注释键", "note": "说明"}


def _about(source: str, table: pd.DataFrame) -> pd.DataFrame:
    gwp = str(table["gwp_set"].dropna().iloc[0]) if len(table) else ""
    return pd.DataFrame({"item": ["source", "region", "gwp_set", "units"],
                         "value": [source, CITY_CODE, gwp, "mass in t of gas; CO2e in t (100-year GWP of gwp_set)"]})


def _tier(rows: pd.DataFrame) -> str:
    if rows.empty:
        return ""
    local = rows["basis"].astype(str).str.strip() != ""
    return "T2" if local.all() else ("T1" if not local.any() else "T1,T2")


def crt_tables(table: pd.DataFrame, previous: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """CRT Summary1 (by gas and sector), Table1..Table5 (every category under its CRT code with gas, method, tier
    and notation keys), key categories (level assessment) and recalculations against the previous version."""
    layout, source = load_layout("crt")
    fig, keys = _split(table)
    frames: dict[str, pd.DataFrame] = {}
    summary = _sheet(layout[layout["sheet"] == "Summary1"], fig, keys)
    sectors = ~summary["code"].str.contains(r"\.")
    total = {"code": "Total", "label": "Total national/city emissions and removals (without memo items)"}
    for col in [c for c in summary.columns if c.endswith("_t")]:
        vals = summary.loc[sectors, col].dropna()
        total[col] = float(vals.sum()) if len(vals) else None
    memo = _line(fig, keys, "M", "", True)
    frames["Summary1"] = pd.concat([pd.DataFrame([total]), summary,
                                    pd.DataFrame([{"code": "Memo", "label": "Memo items (not in the total)", **memo}])],
                                   ignore_index=True)
    for line in layout[layout["sheet"] != "Summary1"].itertuples(index=False):
        frames[line.sheet] = _crt_sector(fig, keys, line.categories)
    frames["KeyCategories"] = key_categories(fig)
    frames["Recalculations"] = recalculations(table, previous)
    frames["About"] = pd.concat([_about(source, table), pd.DataFrame({"item": ["tier"], "value": [TIER_NOTE]})])
    return frames


def _crt_sector(fig: pd.DataFrame, keys: pd.DataFrame, prefixes: str) -> pd.DataFrame:
    rows = fig[_matches(fig["key"], prefixes) & ~fig["memo"].astype(bool)]
    out = []
    for (crt, cat, name), grp in rows.groupby(["crt_category", "category", "category_name"], sort=True):
        row = {"crt_code": crt, "ipcc2006_code": cat, "category": name}
        for g in FAMILIES:
            sel = grp[grp["family"] == g]
            row[f"{g}_t" if g in MASS_GASES else f"{g}_co2e_t"] = float(
                (sel["mass_t"] if g in MASS_GASES else sel["co2e_t"]).sum()) if len(sel) else "NE"
        row["co2e_t"] = float(grp["co2e_t"].sum())
        row["method"] = ";".join(sorted(set(grp["method"].astype(str)) - {""}))
        row["factor_tier"] = _tier(grp)
        row["profile"] = ";".join(sorted(set(grp["profile"].astype(str)) - {""}))
        row["notation"] = ""
        row["note"] = ""
        out.append(row)
    k = keys[_matches(keys["key"], prefixes)]
    for (crt, cat, name), grp in k.groupby(["crt_category", "category", "category_name"], sort=True):
        notation, notes = _keys_text(grp)
        row = {"crt_code": crt, "ipcc2006_code": cat, "category": name}
        row.update({f"{g}_t" if g in MASS_GASES else f"{g}_co2e_t": notation for g in FAMILIES})
        row.update(co2e_t=notation, method="", factor_tier="", profile="", notation=notation, note=notes)
        out.append(row)
    if not out:
        return pd.DataFrame([{"crt_code": prefixes, "category": "", "notation": "NE",
                              "note": "NE: the inventory has neither a figure nor a notation key in this sector"}])
    return pd.DataFrame(out).sort_values("crt_code", kind="stable", ignore_index=True)


def key_categories(fig: pd.DataFrame, threshold: float = 0.95) -> pd.DataFrame:
    """Level assessment (IPCC 2006 Vol.1 Ch.4 Approach 1, Eq. 4.1): categories × gas sorted by |CO2e|, key while
    the cumulative share before them is below 95 %."""
    terr = _territorial(fig)
    level = terr.groupby(["crt_category", "category", "family"], as_index=False)["co2e_t"].sum()
    level["abs_co2e_t"] = level["co2e_t"].abs()
    level = level.sort_values("abs_co2e_t", ascending=False, ignore_index=True)
    total = level["abs_co2e_t"].sum()
    level["level_share"] = level["abs_co2e_t"] / total if total else 0.0
    level["cumulative_share"] = level["level_share"].cumsum()
    before = level["cumulative_share"] - level["level_share"]
    level["key_category"] = before < threshold
    return level.rename(columns={"family": "gas"})


def recalculations(table: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """CO2e by CRT category and gas, this version against the previous one (blank sheet with a note without one)."""
    if previous is None:
        return pd.DataFrame({"note": ["No previous version of this inventory: no recalculations to report."]})
    cur, _ = _split(table)
    old, _ = _split(previous)
    keys = ["crt_category", "category", "family"]
    a = _territorial(cur).groupby(keys)["co2e_t"].sum().rename("current_co2e_t")
    b = _territorial(old).groupby(keys)["co2e_t"].sum().rename("previous_co2e_t")
    df = pd.concat([b, a], axis=1).fillna(0.0).reset_index().rename(columns={"family": "gas"})
    df["difference_t"] = df["current_co2e_t"] - df["previous_co2e_t"]
    df["difference_pct"] = [d / p * 100 if p else None for d, p in zip(df["difference_t"], df["previous_co2e_t"])]
    return df[df["difference_t"].abs() > 1e-9].reset_index(drop=True) if len(df) else df


def gpc_tables(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """GPC table by sector, sub-sector and scope with BASIC / BASIC+ totals and notation-key explanations."""
    layout, source = load_layout("gpc")
    fig, keys = _split(table)
    df = _sheet(layout, fig, keys, extra=("scope", "level"))
    scope1 = layout[layout["scope"] == "1"]
    covered = pd.Series(False, index=fig.index)
    for p in scope1["categories"]:
        covered |= _matches(fig["key"], p)
    rest = fig[~covered & ~fig["memo"].astype(bool)]
    if len(rest):
        cats = ";".join(sorted(set(rest["key"])))
        row = {"code": "-", "label": f"Not mapped to a GPC sub-sector ({cats})", "scope": "1", "level": "BASIC+"}
        row.update(_line(fig, keys, cats, "", False))
        df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
    s2 = df["scope"] == "2"
    if df.loc[s2, "co2e_t"].isna().all():
        df.loc[s2, "notation"] = "NE"
        df.loc[s2, "note"] = ("NE: the inventory has no memo item M.electricity (purchased grid electricity), so "
                              "scope 2 is not estimated.")
    negative = s2 & (df["co2e_t"].fillna(0.0) < 0)
    df.loc[negative, "note"] = ("M.electricity is negative: the city is a net exporter of grid electricity (the memo "
                                "item is the CO2 of net purchases); GPC scope 2 is reported as the inventory has it.")
    s3 = pd.DataFrame([{"code": "III/II (scope 3)", "label": "Scope 3 (waste treated outside, transboundary trips, "
                        "T&D losses)", "scope": "3", "level": "BASIC/BASIC+", "notation": "NE",
                        "note": "NE: the inventory is territorial (scope 1) with purchased electricity as a memo item; "
                                "no out-of-boundary activity data."}])
    df = pd.concat([df, s3], ignore_index=True)
    val = df["co2e_t"].fillna(0.0)
    basic = float(val[df["level"] == "BASIC"].sum())
    plus = basic + float(val[df["level"] == "BASIC+"].sum())
    totals = pd.DataFrame({"total": ["scope 1 (territorial)", "scope 2", "BASIC", "BASIC+"],
                           "co2e_t": [float(val[df["scope"] == "1"].sum()), float(val[df["scope"] == "2"].sum()),
                                      basic, plus]})
    about = pd.concat([_about(source, table), pd.DataFrame({"item": ["BASIC"], "value": [
        "BASIC = stationary energy and transportation (scopes 1, 2) and waste (scope 1); BASIC+ adds IPPU and AFOLU. "
        "I.4 energy industries is counted in full in scope 1 and BASIC (the inventory does not split generation "
        "supplied to the grid, GPC I.4.4)."]})])
    return {"GPC": df, "Totals": totals, "About": about}


def export_frames(table: pd.DataFrame, fmt: str, previous: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The sheets of ``fmt`` from a RESULTS table."""
    if fmt not in LAYOUTS:
        raise ValidationError(key="report_unknown_format", params={"fmt": fmt, "known": ", ".join(FORMATS)},
                              field="format")
    if fmt == "provincial":
        return provincial_tables(table)
    if fmt == "crt":
        return crt_tables(table, previous)
    return gpc_tables(table)


def workbook_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    from io import BytesIO

    buf = BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
    return buf.getvalue()


def export_tables(session, *, inventory_id: int, fmt: str) -> bytes:
    """Service: the stored result of a compiled/published inventory (and its parent version for the CRT
    recalculations) as an XLSX of ``fmt``."""
    from carbon.inventory.io import results_table
    from carbon.inventory.results import get_inventory, stored_result

    if fmt not in LAYOUTS:
        raise ValidationError(key="report_unknown_format", params={"fmt": fmt, "known": ", ".join(FORMATS)},
                              field="format")
    inventory = get_inventory(session, inventory_id=inventory_id)
    table = results_table(stored_result(session, inventory_id=inventory.id))
    previous = None
    if fmt == "crt" and inventory.parent_id:
        parent = get_inventory(session, inventory_id=inventory.parent_id)
        if parent.status != "draft":
            previous = results_table(stored_result(session, inventory_id=parent.id))
    return workbook_bytes(export_frames(table, fmt, previous))

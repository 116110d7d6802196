"""One code scheme (IPCC 2006) plus CRT (issue 12 item 1): the mapping both ways for every category, imports in
either scheme, the messages for codes without a method, old codes of factor files and of earlier files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.errors import ImportRejected, ValidationError
from carbon.factors.legacy_scopes import LEGACY_FILES, legacy_scope
from carbon.factors.library import FACTOR_DIR, load_library
from carbon.intensity.io import load_uncertainty_defaults, read_results
from carbon.inventory.catalog import TABLES, Catalog, Category, load_catalog
from carbon.inventory.io import RESULTS_COLUMNS, read_activity

CATALOG = load_catalog()
LEAVES = [c for c in CATALOG.categories.values() if c.method]
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
runner = CliRunner()


def _read_table(name: str) -> list[dict[str, str]]:
    with open(TABLES / name, encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


# --- the mapping ------------------------------------------------------------------------------------------

def test_every_category_has_a_crt_code_and_every_crt_row_a_category():
    missing = [c.code for c in CATALOG.categories.values() if not c.crt_code]
    assert not missing, f"add a row to carbon/inventory/tables/crt_codes.csv for {missing}"
    rows = _read_table("crt_codes.csv")
    assert len({r["ipcc2006_code"] for r in rows}) == len(rows), "an IPCC 2006 code given twice in crt_codes.csv"
    stale = [r["ipcc2006_code"] for r in rows if r["ipcc2006_code"] not in CATALOG.categories]
    assert not stale, f"crt_codes.csv names categories the catalogue does not have: {stale}"


def test_crt_codes_are_distinct_so_the_mapping_is_a_bijection():
    seen: dict[str, str] = {}
    for c in CATALOG.categories.values():
        key = c.crt_code.lower()
        assert key not in seen, f"CRT {c.crt_code} is given to {seen[key]} and {c.code}"
        seen[key] = c.code


@pytest.mark.parametrize("code", sorted(CATALOG.categories))
def test_every_category_maps_both_ways(code):
    """Exhaustive over the catalogue: IPCC 2006 -> CRT -> IPCC 2006, and CRT -> IPCC 2006 -> CRT."""
    cat = CATALOG.categories[code]
    assert CATALOG.category(cat.code, "ipcc2006") is cat
    back = CATALOG.category(cat.crt_code, "crt")
    assert back.code == code
    assert CATALOG.category(back.code).crt_code == cat.crt_code


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(LEAVES), min_size=1, max_size=30, unique_by=lambda c: c.code))
def test_ipcc_crt_ipcc_is_a_bijection_on_leaves(leaves):
    """On the categories that take activity data: the images are distinct and the round trip is the identity."""
    crt = [c.crt_code for c in leaves]
    assert len(set(crt)) == len(crt)
    assert [CATALOG.category(x, "crt").code for x in crt] == [c.code for c in leaves]


def test_names_work_under_both_schemes():
    for cat in LEAVES:
        for scheme in ("ipcc2006", "crt"):
            assert CATALOG.category(cat.name_zh, scheme).code == cat.code
            assert CATALOG.category(cat.name_en, scheme).code == cat.code


def test_4a_is_solid_waste_disposal_under_ipcc2006_and_forest_land_under_crt():
    assert CATALOG.category("4.A").name_en == "Solid waste disposal"
    assert CATALOG.category("4.A", "ipcc2006").sector == "waste"
    assert CATALOG.category("5.A", "crt").code == "4.A"
    assert CATALOG.category("4.A", "crt").code == "3.B.1"  # CRT 4.A forest land
    assert CATALOG.category("4.A.1", "crt").code == "3.B.1.a"
    forest = CATALOG.categories["3.B.1.a"]
    assert (forest.sector, forest.crt_code) == ("lulucf", "4.A.1")


def test_lulucf_and_waste_sit_at_their_ipcc_2006_places():
    c = CATALOG.categories
    assert {k for k, v in c.items() if v.method and v.sector == "lulucf"} == {"3.B.1.a", "3.B.5.b.i", "3.C.1.d"}
    assert {k for k, v in c.items() if v.method and v.sector == "waste"} == {"4.A", "4.C.1", "4.D.1", "4.D.2"}
    assert not [k for k in c if k.startswith("5")]
    assert c["3.B"].sector == "lulucf" and c["4"].sector == "waste"
    assert (c["3.A.1"].crt_code, c["3.A.2"].crt_code, c["3.C.4"].crt_code, c["3.C.3"].crt_code) == ("3.A", "3.B", "3.D.a", "3.H")


# --- imports in either scheme ---------------------------------------------------------------------------------

ACTIVITY = """region,year,category,item,quantity,unit
乌审旗,2022,{forest},乔木林,1,万公顷
乌审旗,2022,{forest},活立木消耗,1,万m3
乌审旗,2022,{conversion},乔木林,100,ha
乌审旗,2022,{burning},乔木林,100,ha
乌审旗,2021,{landfill},厨余垃圾,1000,t
乌审旗,2022,{incineration},塑料,1000,t
乌审旗,2022,{wastewater},污水好氧处理,1000,t
乌审旗,2022,{wastewater},出水总氮,100,t
乌审旗,2022,{enteric},绵羊,1,万只
乌审旗,2022,1.A.1.a,原煤,1000,t
"""
IPCC = dict(forest="3.B.1.a", conversion="3.B.5.b.i", burning="3.C.1.d", landfill="4.A", incineration="4.C.1",
            wastewater="4.D.1", enteric="3.A.1")
CRT = dict(forest="4.A.1", conversion="4.E.2.1", burning="4(V).E.2", landfill="5.A", incineration="5.C.1",
           wastewater="5.D.1", enteric="3.A")


def test_read_activity_in_crt_gives_the_ipcc_records():
    a = read_activity(ACTIVITY.format(**IPCC).encode(), "a.csv")
    b = read_activity(ACTIVITY.format(**CRT).encode(), "b.csv", codes="crt")
    pd.testing.assert_frame_equal(a, b)


def test_ipcc_file_read_as_crt_is_refused_with_a_clear_error():
    with pytest.raises(ImportRejected) as exc:
        read_activity(ACTIVITY.format(**IPCC).encode(), "a.csv", codes="crt")
    reasons = {e.row: e.reason for e in exc.value.errors}
    assert "in IPCC 2006 this is 3.B.1.a" in reasons[2] and "--codes ipcc2006" in reasons[2]


def _compile(tmp_path: Path, name: str, activity: str, *args: str) -> pd.DataFrame:
    path = tmp_path / f"{name}.csv"
    path.write_text(activity, encoding="utf-8")
    out = tmp_path / f"{name}_results.csv"
    res = runner.invoke(app, ["compile", str(path), "--year", "2022", "--out", str(out), *args])
    assert res.exit_code == 0, res.output
    return pd.read_csv(out, dtype={"region": str, "crt_category": str})


def test_a_crt_file_compiles_to_the_same_numbers(tmp_path):
    a = _compile(tmp_path, "ipcc", ACTIVITY.format(**IPCC))
    b = _compile(tmp_path, "crt", ACTIVITY.format(**CRT), "--codes", "crt")
    pd.testing.assert_frame_equal(a, b)
    row = a[(a.region == "150626") & (a.category == "4.A")].iloc[0]
    assert row.crt_category == "5.A" and row.category_name == "固体废弃物填埋处理"


def _to_crt(text: str, column: str) -> str:
    """A CSV (with leading # comments) with its category column written in CRT codes."""
    lines = text.splitlines(keepends=True)
    head = [ln for ln in lines if ln.startswith("#")]
    frame = pd.read_csv(io.StringIO("".join(ln for ln in lines if not ln.startswith("#"))), dtype=str,
                        keep_default_na=False)
    frame[column] = [CATALOG.category(c).crt_code for c in frame[column]]
    return "".join(head) + frame.to_csv(index=False)


def test_the_bundled_sample_in_crt_codes_compiles_to_the_same_numbers(tmp_path):
    activity = (SAMPLE / "ordos_2022_synthetic.csv").read_text(encoding="utf-8")
    local = (SAMPLE / "ordos_local_factors.csv").read_text(encoding="utf-8")
    (tmp_path / "local_crt.csv").write_text(_to_crt(local, "category"), encoding="utf-8")
    a = _compile(tmp_path, "ipcc", activity, "--factors", str(SAMPLE / "ordos_local_factors.csv"))
    b = _compile(tmp_path, "crt", _to_crt(activity, "category"), "--codes", "crt", "--factors",
                 str(tmp_path / "local_crt.csv"))
    # the local file's rows are cited by the fingerprint of its text, which differs; the rows used are the same
    for df in (a, b):
        df["factor_refs"] = df["factor_refs"].str.replace(r"local-[0-9a-f]{8}", "local-*", regex=True)
    pd.testing.assert_frame_equal(a, b)
    assert {"3.B.1.a", "3.B.5.b.i", "4.A", "4.C.1", "4.D.1", "4.D.2"} <= set(a.category)


def test_results_carry_crt_category_next_to_category_and_intensity_reads_both(tmp_path):
    assert RESULTS_COLUMNS[RESULTS_COLUMNS.index("category") + 1] == "crt_category"
    a = _compile(tmp_path, "ipcc", ACTIVITY.format(**IPCC))
    with_crt = a.to_csv(index=False).encode()
    without = a.drop(columns=["crt_category"]).to_csv(index=False).encode()
    r1, r2 = read_results(with_crt, "RESULTS.csv"), read_results(without, "RESULTS.csv")
    assert r1["co2e_t"].sum() == pytest.approx(r2["co2e_t"].sum())
    assert list(r1["category"]) == list(r2["category"])


# --- what to report instead ---------------------------------------------------------------------------------

def _rejected(csv_text: str, codes: str = "ipcc2006") -> dict[int, str]:
    with pytest.raises(ImportRejected) as exc:
        read_activity(("region,year,category,item,quantity,unit\n" + csv_text).encode(), "x.csv", codes=codes)
    return {e.row: e.reason for e in exc.value.errors}


def test_a_heading_lists_its_sub_categories():
    reason = _rejected("乌审旗,2022,3.A,绵羊,1,万只\n")[2]
    assert "heading" in reason and "3.A.1 动物肠道发酵" in reason and "3.A.2 动物粪便管理" in reason
    assert "in CRT, 3.A is Enteric fermentation" in reason  # the same code, the other scheme
    reason = _rejected("乌审旗,2022,4,绵羊,1,万只\n", "crt")[2]
    assert "4.A.1 (IPCC 2006 3.B.1.a)" in reason and "4.E.2.1 (IPCC 2006 3.B.5.b.i)" in reason


def test_an_ipcc_category_not_computed_takes_a_notation_key_not_a_number():
    reason = _rejected("乌审旗,2022,3.B.4,乔木林,10,ha\n")[2]
    assert "does not compute" in reason and "NE" in reason
    act = read_activity("region,year,category,item,quantity,unit,note\n乌审旗,2022,3.B.4,乔木林,NO,,no wetlands\n".encode(),
                        "n.csv")
    assert list(act["category"]) == ["3.B.4"] and list(act["notation"]) == ["NO"]
    reason = _rejected("乌审旗,2022,2.A.3,水泥熟料,10,t\n")[2]
    assert "2.A.3 (Glass Production) is an IPCC 2006 category this service does not compute" in reason


def test_a_derived_category_says_what_it_is_computed_from():
    reason = _rejected("乌审旗,2022,3.C.5,化肥氮,10,t\n")[2]
    assert "computed from 3.C.4" in reason


def test_finer_codes_and_old_codes_name_where_to_report():
    reason = _rejected("乌审旗,2022,4.A.1,厨余垃圾,10,t\n")[2]
    assert "finer than this catalogue: report it under 4.A 固体废弃物填埋处理" in reason
    assert "in CRT, 4.A.1 is Forest land remaining forest land" in reason
    # a waste file in the old codes (5.*, the CRT codes): IPCC 2006 5.A is something else
    reason = _rejected("乌审旗,2021,5.A,厨余垃圾,10,t\n")[2]
    assert "Atmospheric Deposition" in reason and "--codes crt" in reason and "now 4.A 固体废弃物填埋处理" in reason
    reason = _rejected("乌审旗,2022,4.B.1,乔木林,10,ha\n")[2]
    assert "used 4.B.1 for 森林转化生物量碳损失: now 3.B.5.b.i" in reason


def test_an_ambiguous_crt_code_is_an_error():
    cats = dict(CATALOG.categories)
    twin = cats["4.D.2"]
    cats["4.D.2"] = Category(**{**twin.__dict__, "crt_code": cats["4.D.1"].crt_code})
    catalog = Catalog(cats, CATALOG.items, CATALOG._category_names, CATALOG._item_names)
    with pytest.raises(ValidationError, match="ambiguous"):
        catalog.category("5.D.1", "crt")


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ValidationError, match="code scheme"):
        read_activity(b"region,year,category,item,quantity,unit\n", "x.csv", codes="cfr")


# --- factor files written in the old codes ------------------------------------------------------------------

def test_every_factor_scope_names_a_catalogue_category():
    """The old files (forestry 4.*, waste 5.*) are read in IPCC 2006 codes; every other file is written in them."""
    library = load_library(FACTOR_DIR)
    bad = sorted({(r.file, r.scope) for r in library.rows if r.scope != "*" and r.scope not in CATALOG.categories})
    assert not bad, bad
    unc = load_uncertainty_defaults()
    assert not [r.scope for r in unc.rows if r.scope != "*" and r.scope not in CATALOG.categories]


def test_old_scopes_are_mapped_for_the_listed_files_only():
    rows = {r.factor_id: r for r in load_library(FACTOR_DIR).rows}
    assert rows["IPCC06-V4-T4.3-CF"].scope == "3.B"
    assert rows["IPCC06-V4-T4.9-GW-arbor_forest"].scope == "3.B.1.a"
    assert rows["IPCC06-V4-T2.5-CH4-forest"].scope == "3.C.1.d"
    assert rows["IPCC06-V5-B0-COD"].scope == "4.D.2"
    assert rows["IPCC06-V4-T2.5-CH4-forest"].ref == "IPCC06-V4-T2.5-CH4-forest@v1"  # refs unchanged
    assert legacy_scope("waste/a_new_file_v1.csv", "4.A") == "4.A"  # a file written after the recode: as written
    assert legacy_scope("waste/ipcc2006_landfill_v1.csv", "5.A") == "4.A"
    for key in LEGACY_FILES:
        assert (FACTOR_DIR / key).exists(), key
    unc = {(r.scope, r.gas) for r in load_uncertainty_defaults().rows}
    assert {("3.B", "CO2"), ("3.C.1.d", "CH4"), ("3.C.1.d", "N2O"), ("4.A", "CH4"), ("4.D", "N2O")} <= unc


# --- the store and the API ----------------------------------------------------------------------------------------

def test_api_upload_with_crt_codes(client, auth_headers):
    bureau = auth_headers("bureau")
    inv = client.post("/api/v1/inventories", json={"year": 2022}, headers=bureau).json()
    content = ACTIVITY.format(**CRT).encode()
    r = client.post(f"/api/v1/inventories/{inv['id']}/activity", files={"file": ("crt.csv", content, "text/csv")},
                    headers=bureau, params={"codes": "crt"})
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/inventories/{inv['id']}/compile", headers=bureau)
    assert r.status_code == 200, r.text
    items = client.get(f"/api/v1/inventories/{inv['id']}/results", headers=bureau, params={"region": "150626"}).json()
    got = {(i["category"], i["crt_category"]) for i in items["items"]}
    assert {("3.B.1.a", "4.A.1"), ("4.A", "5.A"), ("3.C.1.d", "4(V).E.2")} <= got
    # the same file without codes=crt is refused, with the reason
    inv2 = client.post("/api/v1/inventories", json={"year": 2021}, headers=bureau).json()
    r = client.post(f"/api/v1/inventories/{inv2['id']}/activity", files={"file": ("crt.csv", content, "text/csv")},
                    headers=bureau)
    assert r.status_code == 422 and "--codes crt" in r.text
    assert client.post(f"/api/v1/inventories/{inv2['id']}/activity", headers=bureau, params={"codes": "cfr"},
                       files={"file": ("crt.csv", content, "text/csv")}).status_code == 422

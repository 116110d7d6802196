"""The factor library fails loudly on bad rows and resolves the most specific factor."""

import shutil
from pathlib import Path

import pytest

from carbon.core.errors import FactorError, ImportRejected
from carbon.factors.library import FACTOR_DIR, PROFILES, _load_library_cached, load_library
from carbon.inventory.io import read_local_factors

HEADER = "factor_id,version,profile,scope,item,parameter,gas,value,unit,source,source_table,edition,valid_from,valid_to,uncertainty_pct,note\n"


def make_root(tmp_path: Path, body: str) -> Path:
    root = tmp_path / "ef"
    shutil.copytree(FACTOR_DIR / "parameters", root / "parameters")
    (root / "x").mkdir()
    (root / "x" / "test_v1.csv").write_text(HEADER + body, encoding="utf-8")
    return root


def load(root: Path):
    _load_library_cached.cache_clear()
    try:
        return load_library(root)
    finally:
        _load_library_cached.cache_clear()


def test_bundled_library_loads_and_every_row_cites_a_source():
    lib = load_library()
    assert len(lib.rows) > 100
    for r in lib.rows:
        assert r.source and r.source_table and r.edition, r.ref
        assert r.profile in PROFILES


def test_unit_that_does_not_parse_fails_loudly(tmp_path):
    root = make_root(tmp_path, "F1,1,IPCC2006,1.A,raw_coal,ncv,,25.8,GJ/tonnez,IPCC,T1.2,2006,,,,\n")
    with pytest.raises(FactorError, match="GJ/tonnez"):
        load(root)


def test_wrong_dimension_fails_and_names_value_and_expected(tmp_path):
    root = make_root(tmp_path, "F1,1,IPCC2006,1.A,raw_coal,ncv,,25.8,t/GJ,IPCC,T1.2,2006,,,,\n")
    with pytest.raises(FactorError) as exc:
        load(root)
    assert "25.8" in exc.value.message and "energy/mass" in exc.value.message


def test_mamhoff_unit_trap_ch4_density_in_tonnes_per_m3_is_rejected(tmp_path):
    # "0.67 tonnes per m3" (mamhoff/datasets) is a density, so it passes the dimension check, but it is
    # 1000x the IPCC 0.67 kg/m3: the parameter catalogue's plausible range rejects it.
    root = make_root(tmp_path, "F1,1,IPCC2006,1.B.1,*,ch4_density,CH4,0.67,t/m3,x,y,z,,,,\n")
    with pytest.raises(FactorError, match="ch4_density = 670 kg/m3 is outside the plausible range"):
        load(root)
    ok = make_root(tmp_path / "ok", "F1,1,IPCC2006,1.B.1,*,ch4_density,CH4,0.67,kg/m3,x,y,z,,,,\n")
    assert load(ok).rows[0].quantity().to("kg/m**3").magnitude == pytest.approx(0.67)


def test_stored_derived_factor_mismatch_is_reported(tmp_path):
    # 1.9003 t/t style inconsistency: EF 94.6 t/TJ stored, but CC 26.37 x OF 0.94 x 44/12 = 90.89
    body = (
        "C1,1,CN,1.A,raw_coal,carbon_content,CO2,26.37,t C/TJ,x,y,e,,,,\n"
        "O1,1,CN,1.A,raw_coal,oxidation,CO2,0.94,dimensionless,x,y,e,,,,\n"
        "E1,1,CN,1.A,raw_coal,ef_CO2,CO2,94.6,t CO2/TJ,x,y,e,,,,\n"
    )
    with pytest.raises(FactorError, match="E1@v1 ef_CO2 for raw_coal is 94.6 t/TJ but carbon_content"):
        load(make_root(tmp_path, body))


def test_consistent_derived_factor_loads(tmp_path):
    body = (
        "C1,1,CN,1.A,raw_coal,carbon_content,CO2,25.8,kg C/GJ,x,y,e,,,,\n"
        "O1,1,CN,1.A,raw_coal,oxidation,CO2,1,dimensionless,x,y,e,,,,\n"
        "E1,1,CN,1.A,raw_coal,ef_CO2,CO2,94600,kg CO2/TJ,x,y,e,,,,\n"
    )
    assert len(load(make_root(tmp_path, body)).rows) == 3


def test_duplicate_factor_version_rejected_new_version_wins(tmp_path):
    body = "F1,1,IPCC2006,1.A,raw_coal,ncv,,25.8,GJ/t,x,y,e,,,,\nF1,1,IPCC2006,1.A,raw_coal,ncv,,25.9,GJ/t,x,y,e,,,,\n"
    with pytest.raises(FactorError, match="duplicate factor F1@v1"):
        load(make_root(tmp_path, body))
    body = "F1,1,IPCC2006,1.A,raw_coal,ncv,,25.8,GJ/t,x,y,e,,,,\nF1,2,IPCC2006,1.A,raw_coal,ncv,,25.9,GJ/t,x,y,e,,,,\n"
    lib = load(make_root(tmp_path / "b", body))
    assert lib.resolve("ncv", "1.A.1.a", "raw_coal").ref == "F1@v2"


def test_missing_source_rejected(tmp_path):
    with pytest.raises(FactorError, match="cite its source"):
        load(make_root(tmp_path, "F1,1,IPCC2006,1.A,raw_coal,ncv,,25.8,GJ/t,,y,e,,,,\n"))


def test_resolution_prefers_local_then_region_then_profile_then_specific_scope():
    lib = load_library(profile="IPCC2006")
    assert lib.resolve("carbon_content", "1.A.1.a", "raw_coal").profile == "IPCC2006"
    assert lib.with_profile("CN").resolve("carbon_content", "1.A.1.a", "raw_coal").ref == "CN2011-CC-raw_coal@v1"
    # energy industries vs residential CH4 for coal: the longest scope wins
    assert lib.resolve("ef_CH4", "1.A.1.a", "raw_coal").value == 1
    assert lib.resolve("ef_CH4", "1.A.4.b", "raw_coal").value == 300
    local_csv = (
        "category,item,parameter,value,unit,region,year,source\n"
        "1.A,原煤,ncv,20.908,GJ/t,,,全市实测\n"
        "1.A,原煤,ncv,19.5,GJ/t,准格尔旗,2022,准格尔旗实测\n"
    ).encode()
    rows, fp = read_local_factors(local_csv, "local.csv")
    lib2 = lib.with_local(rows, fp)
    assert lib2.resolve("ncv", "1.A.1.a", "raw_coal", "150621", 2022).value == 20.908
    assert lib2.resolve("ncv", "1.A.1.a", "raw_coal", "150622", 2022).value == 19.5
    assert lib2.resolve("ncv", "1.A.1.a", "raw_coal", "150622", 2021).value == 20.908
    assert lib2.resolve("ncv", "1.A.1.a", "raw_coal", "150622", 2022).basis == "local"


def test_local_factors_all_or_nothing_with_row_report():
    bad = (
        "category,item,parameter,value,unit\n"
        "1.A,原煤,ncv,20.9,GJ/t\n"
        "1.A,原煤,ncv,abc,GJ/t\n"
        "1.A,原煤,ncv,20.9,t/GJ\n"
        "9.Z,原煤,foo,1,t\n"
    ).encode()
    with pytest.raises(ImportRejected) as exc:
        read_local_factors(bad, "local.csv")
    cells = {(e.row, e.column) for e in exc.value.errors}
    assert {(3, "value"), (4, "unit"), (5, "category"), (5, "parameter")} <= cells
    assert (2, "value") not in cells


def test_local_factors_in_gbk_are_read():
    rows, _ = read_local_factors("category,item,parameter,value,unit,source\n1.A,原煤,ncv,20.9,GJ/t,准格尔旗实测\n".encode("gbk"), "l.csv")
    assert rows[0].item == "raw_coal" and rows[0].source == "准格尔旗实测"

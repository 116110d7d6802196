"""Issue 16 item 1: the inventory as provincial-guideline, CRT and GPC workbooks (API, CLI, read back)."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from carbon.cli import app as cli_app
from carbon.core.db import session_scope
from carbon.core.regions import CITY_CODE
from carbon.core.settings import get_settings
from carbon.inventory import service
from carbon.inventory.io import results_table
from carbon.inventory.results import stored_result
from carbon.reporting.exports import FORMATS, LAYOUT_DIR, export_frames, load_layout
from tests.inventory.store_helpers import ACTIVITY_CSV, energy_factors  # noqa: F401  (autouse fixture)

API = "/api/v1/inventories"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _compiled(client, headers, content=ACTIVITY_CSV) -> int:
    inv = client.post(API, json={"year": 2022, "factor_profile": "IPCC2006"}, headers=headers).json()
    r = client.post(f"{API}/{inv['id']}/activity", files={"file": ("a.csv", content, "text/csv")}, headers=headers)
    assert r.status_code == 201, r.text
    assert client.post(f"{API}/{inv['id']}/compile", headers=headers).status_code == 200
    return inv["id"]


def _sheets(content: bytes) -> dict[str, pd.DataFrame]:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    out = {}
    for ws in wb.worksheets:
        rows = list(ws.values)
        out[ws.title] = pd.DataFrame(rows[1:], columns=rows[0])
    return out


def _num(series: pd.Series) -> float:
    return float(pd.to_numeric(series, errors="coerce").fillna(0.0).sum())


def test_layouts_cite_their_source():
    for fmt in FORMATS:
        layout, source = load_layout(fmt)
        assert len(layout) and source
    assert "2011" in load_layout("provincial")[1] and "2025" in load_layout("provincial")[1]
    assert "5/CMA.3" in load_layout("crt")[1] and "2014" in load_layout("gpc")[1]
    assert {p.name for p in LAYOUT_DIR.glob("*.csv")} >= {"provincial_2011.csv", "crt_2024.csv", "gpc_2014.csv"}


def test_export_tables_api_cli_and_totals(client, auth_headers, engine, migrated_url, monkeypatch, tmp_path):
    bureau = auth_headers("bureau")
    iid = _compiled(client, bureau)
    with session_scope(engine) as session:
        totals = service.totals(session, inventory_id=iid)
        table = results_table(stored_result(session, inventory_id=iid))
    city = table[(table["region"].astype(str) == CITY_CODE) & (table["notation"] == "")]
    expected = float(city.loc[~city["memo"].astype(bool), "co2e_t"].sum())
    assert expected == pytest.approx(totals["co2e_t"], abs=0.5) and expected > 0
    has_keys = (table["notation"] != "").any()

    books = {}
    for fmt in FORMATS:
        r = client.get(f"{API}/{iid}/export/tables", params={"format": fmt}, headers=bureau)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(XLSX)
        assert f"-{fmt}.xlsx" in r.headers["content-disposition"]
        books[fmt] = _sheets(r.content)

    # provincial: the total line and the sum of the five sectors equal the inventory, to the tonne
    prov = books["provincial"]["清单汇总表"]
    total_col = "合计 (t CO2e)"
    assert float(prov.loc[prov["编码"] == "合计", total_col].iloc[0]) == pytest.approx(expected, abs=1)
    sectors = prov[prov["编码"].isin(["1", "2", "3", "4", "5"])]
    assert _num(sectors[total_col]) == pytest.approx(expected, abs=1)
    assert list(sectors["领域"]) == ["能源活动", "工业生产过程", "农业活动", "土地利用变化和林业", "废弃物处理"]
    assert prov["不确定性 (%)"].isna().all() and prov["不确定性说明"].str.contains("未评估").all()
    co2 = float(city.loc[(city["gas"] == "CO2") & ~city["memo"].astype(bool), "mass_t"].sum())
    assert float(prov.loc[prov["编码"] == "合计", "二氧化碳 CO2 (t)"].iloc[0]) == pytest.approx(co2, abs=1)

    # CRT: Summary1 total, the sectoral tables, tiers, key categories, no previous version
    crt = books["crt"]
    assert {"Summary1", "Table1", "Table2(I)", "Table3", "Table4", "Table5", "KeyCategories",
            "Recalculations", "About"} <= set(crt)
    s1 = crt["Summary1"]
    assert float(s1.loc[s1["code"] == "Total", "co2e_t"].iloc[0]) == pytest.approx(expected, abs=1)
    t1 = crt["Table1"]
    figures = t1[t1["notation"].isna() | (t1["notation"] == "")]
    assert _num(figures["co2e_t"]) == pytest.approx(totals["by_sector"]["energy"], abs=1)
    assert set(figures["factor_tier"]) <= {"T1", "T2", "T1,T2"}
    assert "1.A.1.a" in set(t1["crt_code"].astype(str)) or "1.A.1.a" in set(t1["ipcc2006_code"].astype(str))
    if has_keys:
        keyed = pd.concat([crt[s] for s in ("Table1", "Table2(I)", "Table3", "Table4", "Table5") if "notation" in crt[s]])
        assert set(keyed["notation"].dropna()) & {"NE", "NO", "IE", "NA", "C"}
        assert "NO" in set(t1["notation"].dropna())  # 1.B.1.a.i: no underground mines (the activity file says so)
    kc = crt["KeyCategories"]
    assert kc["key_category"].astype(bool).any()
    assert "No previous version" in str(crt["Recalculations"].iloc[0, 0])

    # GPC: scope 1 lines add up to the territorial total; scope 2 is NE without M.electricity
    gpc = books["gpc"]
    g = gpc["GPC"]
    assert _num(g.loc[g["scope"].astype(str) == "1", "co2e_t"]) == pytest.approx(expected, abs=1)
    tot = gpc["Totals"].set_index("total")["co2e_t"]
    assert float(tot["scope 1 (territorial)"]) == pytest.approx(expected, abs=1)
    s2 = g[g["scope"].astype(str) == "2"]
    if "M.electricity" not in set(table["category"]):
        assert (s2["notation"] == "NE").all() and s2["note"].str.contains("M.electricity").all()
    assert float(g.loc[g["code"] == "I.4", "co2e_t"].iloc[0]) > 0  # 1.A.1.a power plants → I.4 energy industries

    # unknown format: 422 from the API
    r = client.get(f"{API}/{iid}/export/tables", params={"format": "ipcc"}, headers=bureau)
    assert r.status_code == 422
    assert client.get(f"{API}/{iid}/export/tables", params={"format": "crt"}).status_code == 401  # unpublished: invisible anonymously (401, issue 19)

    # CLI on the same database
    monkeypatch.setenv("CARBON_DATABASE_URL", migrated_url)
    get_settings.cache_clear()
    runner = CliRunner()
    out = tmp_path / "crt.xlsx"
    result = runner.invoke(cli_app, ["export", "tables", "--inventory", str(iid), "--format", "crt", "--out", str(out)])
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    s1_cli = _sheets(out.read_bytes())["Summary1"]
    assert float(s1_cli.loc[s1_cli["code"] == "Total", "co2e_t"].iloc[0]) == pytest.approx(expected, abs=1)
    bad = runner.invoke(cli_app, ["export", "tables", "--inventory", str(iid), "--format", "ipcc", "--out", str(out)],
                        env={"CARBON_LANG": "en"})
    assert bad.exit_code == 2 and "unknown format" in (bad.stderr or bad.stdout)


def test_recalculations_against_previous_version(client, auth_headers, engine):
    bureau = auth_headers("bureau")
    iid = _compiled(client, bureau)
    assert client.post(f"{API}/{iid}/publish", headers=bureau).status_code == 200
    v2 = client.post(f"{API}/{iid}/versions", json={"label": "修订"}, headers=bureau).json()
    extra = "region,year,category,item,quantity,unit\n达拉特旗,2022,1.A.1.a,原煤,250,t\n".encode()
    assert client.post(f"{API}/{v2['id']}/activity", files={"file": ("b.csv", extra, "text/csv")},
                       headers=bureau).status_code == 201
    assert client.post(f"{API}/{v2['id']}/compile", headers=bureau).status_code == 200
    r = client.get(f"{API}/{v2['id']}/export/tables", params={"format": "crt"}, headers=bureau)
    assert r.status_code == 200
    recalc = _sheets(r.content)["Recalculations"]
    assert "difference_t" in recalc and (pd.to_numeric(recalc["difference_t"]) > 0).any()


def test_pure_export_of_empty_region_rejects_unknown_format():
    from carbon.core.errors import ValidationError

    with pytest.raises(ValidationError):
        export_frames(pd.DataFrame(), "ipcc")


def _synthetic_results() -> pd.DataFrame:
    """RESULTS rows of the five sectors keyed as the catalogue keys them (IPCC 2006 code, CRT code): 3.B.x is
    land in IPCC 2006 but LULUCF 4.x in the CRT, 4.x is waste in IPCC 2006 but 5.x in the CRT."""
    rows = [("energy", "1.A.1.a", "1.A.1.a", "CO2", 100.0, 100.0), ("energy", "1.B.3.a", "1.B.1.b.ctl", "CO2", 7.0, 7.0),
            ("ippu", "2.F.1.a", "2.F.1.a-d+f", "HFC-134a", 1.0, 1300.0), ("agriculture", "3.A.1", "3.A", "CH4", 2.0, 56.0),
            ("lulucf", "3.B.1.a", "4.A.1", "CO2", -50.0, -50.0), ("lulucf", "3.C.1.d", "4(V).E.2", "CH4", 1.0, 28.0),
            ("waste", "4.A", "5.A", "CH4", 3.0, 84.0), ("memo", "M.electricity", "M.electricity", "CO2", 9.0, 9.0)]
    df = pd.DataFrame(rows, columns=["sector", "category", "crt_category", "gas", "mass_t", "co2e_t"])
    df = df.assign(region=CITY_CODE, region_name="鄂尔多斯市", year=2022, category_name=df["category"], gwp_set="AR5",
                   memo=df["sector"] == "memo", method="m", factor_refs="", basis=["local", "", "", "", "", "", "", ""],
                   notation="", profile="CN", note="")
    key = {c: df.iloc[0][c] for c in df.columns} | dict(sector="waste", category="4.D.1", crt_category="5.D.1",
                                                         gas="", mass_t=float("nan"), co2e_t=float("nan"), memo=False,
                                                         notation="NO", note="无工业废水处理")
    return pd.concat([df, pd.DataFrame([key])], ignore_index=True)


def test_sectors_follow_the_crt_codes_not_the_ipcc2006_numbering():
    table = _synthetic_results()
    prov = export_frames(table, "provincial")["清单汇总表"].set_index("编码")["合计 (t CO2e)"]
    assert prov[["1", "2", "3", "4", "5"]].tolist() == [107.0, 1300.0, 56.0, -22.0, 84.0]
    assert prov["合计"] == pytest.approx(1525.0)
    crt = export_frames(table, "crt")
    assert crt["Table5"].set_index("crt_code").loc["5.D.1", "notation"] == "NO"
    assert crt["Table1"].set_index("crt_code").loc["1.A.1.a", "factor_tier"] == "T2"
    assert crt["Table4"]["co2e_t"].sum() == pytest.approx(-22.0)
    gpc = export_frames(table, "gpc")["GPC"].set_index("code")
    assert gpc.loc["I.4", "co2e_t"] == 100 and gpc.loc["I.7", "co2e_t"] == 7 and gpc.loc["IV.2", "co2e_t"] == 1300
    assert gpc.loc["V.1", "co2e_t"] == 56 and gpc.loc["V.2", "co2e_t"] == -22 and gpc.loc["III.1", "co2e_t"] == 84
    assert gpc.loc["III.4", "notation"] == "NO" and "无工业废水处理" in gpc.loc["III.4", "note"]
    assert gpc.loc["I.S2", "co2e_t"] == 9
    assert gpc.loc[gpc["scope"] == "1", "co2e_t"].sum() == pytest.approx(1525.0)

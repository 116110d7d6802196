"""CSV for Excel: a CSV export starts with a UTF-8 BOM so that Excel on a Chinese Windows opens it. Issue 12 item 7
put it behind ``--excel`` / ``excel=true`` (still accepted); issue 19 asks for it by default: ``CARBON_CSV_BOM`` (on)
is the default, ``--no-excel`` / ``excel=false`` give bare UTF-8 per export. Every reader accepts a BOM."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.intensity import io as intensity_io
from carbon.inventory.io import RESULTS_COLUMNS, UTF8_BOM, read_activity, read_local_factors, read_table, to_bytes
from tests.inventory.store_helpers import ACTIVITY_CSV, energy_factors  # noqa: F401  (autouse fixture)

runner = CliRunner()
BOM = b"\xef\xbb\xbf"
ACTIVITY = "region,year,category,item,quantity,unit\n达拉特旗,2022,1.A.1.a,原煤,10000,t\n准格尔旗,2022,1.A.4.b,天然气,12,万m3\n"


def run(*args: str, code: int = 0):
    res = runner.invoke(app, list(args))
    assert res.exit_code == code, (res.output, res.exception)
    return res


def test_the_bom_constant():
    assert UTF8_BOM == BOM == "\ufeff".encode("utf-8")


def _frame(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def test_compile_excel_starts_with_a_bom_and_round_trips(tmp_path):
    act = tmp_path / "activity.csv"
    act.write_text(ACTIVITY, encoding="utf-8")
    plain, excel, default = tmp_path / "plain.csv", tmp_path / "excel.csv", tmp_path / "default.csv"
    run("compile", str(act), "--year", "2022", "--profile", "IPCC2006", "--out", str(plain), "--no-excel")
    run("compile", str(act), "--year", "2022", "--profile", "IPCC2006", "--out", str(excel), "--excel")
    run("compile", str(act), "--year", "2022", "--profile", "IPCC2006", "--out", str(default))
    plain_bytes, excel_bytes = plain.read_bytes(), excel.read_bytes()
    assert excel_bytes.startswith(BOM) and not plain_bytes.startswith(BOM)
    assert excel_bytes == BOM + plain_bytes == default.read_bytes()
    # pandas (utf-8 and utf-8-sig alike), the project's reader, and the intensity reader
    for frame in (_frame(excel_bytes), pd.read_csv(excel, dtype=str, keep_default_na=False, encoding="utf-8-sig"),
                  read_table(excel)):
        assert list(frame.columns) == RESULTS_COLUMNS
        pd.testing.assert_frame_equal(frame, _frame(plain_bytes))
    assert "达拉特旗" in set(_frame(excel_bytes)["region_name"])
    pd.testing.assert_frame_equal(intensity_io.read_results(excel), intensity_io.read_results(plain))


def test_template_excel(tmp_path):
    plain, excel, default = tmp_path / "t.csv", tmp_path / "t_excel.csv", tmp_path / "t_default.csv"
    run("template", "energy", "--out", str(plain), "--no-excel")
    run("template", "energy", "--out", str(excel), "--excel")
    run("template", "energy", "--out", str(default))
    assert excel.read_bytes() == BOM + plain.read_bytes() == default.read_bytes()
    assert not plain.read_bytes().startswith(BOM)


def test_intensity_out_excel(tmp_path):
    results = tmp_path / "RESULTS.csv"
    results.write_text("region,year,sector,category,gas,mass_t,co2e_t,gwp_set\n150621,2022,energy,1.A.1.a,CO2,1000,1000,AR5\n",
                       encoding="utf-8")
    economy = tmp_path / "ECONOMY.csv"
    economy.write_bytes(BOM + "region,year,gdp,unit,price_base_year\n达拉特旗,2022,1000,万元,2020\n".encode())  # BOM in
    plain, excel, default = tmp_path / "i.csv", tmp_path / "i_excel.csv", tmp_path / "i_default.csv"
    run("intensity", str(results), str(economy), "--year", "2022", "--out", str(plain), "--no-excel")
    run("intensity", str(results), str(economy), "--year", "2022", "--out", str(excel), "--excel")
    run("intensity", str(results), str(economy), "--year", "2022", "--out", str(default))
    assert excel.read_bytes() == BOM + plain.read_bytes() == default.read_bytes()
    assert not plain.read_bytes().startswith(BOM)
    assert float(_frame(excel.read_bytes()).set_index("region").at["150621", "intensity_t_per_10k_cny"]) == pytest.approx(1.0)


def test_to_bytes_excel_only_for_csv():
    frame = pd.DataFrame({"region": ["150621"], "名称": ["达拉特旗"]})
    assert to_bytes({"x": frame}, "csv", excel=True) == BOM + to_bytes({"x": frame}, "csv", excel=False)
    assert to_bytes({"x": frame}, "csv") == to_bytes({"x": frame}, "csv", excel=True)  # the default (CARBON_CSV_BOM)
    assert not to_bytes({"x": frame}, "xlsx", excel=True).startswith(BOM)  # a zip file, untouched


def test_readers_accept_a_bom():
    activity = read_activity(BOM + ACTIVITY.encode(), "a.csv")
    assert list(activity["region"]) == ["150621", "150622"]
    rows, _ = read_local_factors(BOM + "category,item,parameter,value,unit\n1.A,原煤,oxidation,94,%\n".encode(), "l.csv")
    assert rows[0].value == pytest.approx(0.94)
    assert read_table(BOM + "a,b\n1,2\n".encode(), "x.csv").columns.tolist() == ["a", "b"]


API = "/api/v1/inventories"


def test_api_export_excel(client, auth_headers):
    bureau = auth_headers("bureau")
    iid = client.post(API, json={"year": 2022}, headers=bureau).json()["id"]
    r = client.post(f"{API}/{iid}/activity", files={"file": ("a.csv", BOM + ACTIVITY_CSV, "text/csv")}, headers=bureau)
    assert r.status_code == 201, r.text  # a BOM on the upload is fine
    assert client.post(f"{API}/{iid}/compile", headers=bureau).status_code == 200
    plain = client.get(f"{API}/{iid}/export", params={"format": "csv", "excel": "false"}, headers=bureau)
    excel = client.get(f"{API}/{iid}/export", params={"format": "csv", "excel": "true"}, headers=bureau)
    default = client.get(f"{API}/{iid}/export", params={"format": "csv"}, headers=bureau)
    assert plain.status_code == excel.status_code == default.status_code == 200
    assert excel.content.startswith(BOM) and not plain.content.startswith(BOM)
    assert excel.content == BOM + plain.content == default.content
    activity = client.get(f"{API}/{iid}/activity", headers=bureau)
    assert activity.status_code == 200 and activity.content.startswith(BOM)
    assert excel.headers["content-type"] == plain.headers["content-type"] == "text/csv; charset=utf-8"
    assert list(_frame(excel.content).columns) == RESULTS_COLUMNS
    pd.testing.assert_frame_equal(_frame(excel.content), _frame(plain.content))
    xlsx = client.get(f"{API}/{iid}/export", params={"format": "xlsx", "excel": "true"}, headers=bureau)
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    t = client.get("/api/v1/templates/energy", params={"format": "csv", "excel": "true"})
    assert t.status_code == 200 and t.content.startswith(BOM)
    assert client.get("/api/v1/templates/energy", params={"format": "csv"}).content == t.content
    assert not client.get("/api/v1/templates/energy", params={"format": "csv", "excel": "false"}).content.startswith(BOM)


def test_inventory_export_cli_excel(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("CARBON_DATABASE_URL", db_url)
    run("db", "upgrade")
    activity = tmp_path / "活动水平.csv"
    activity.write_bytes(ACTIVITY_CSV)
    iid = run("inventory", "create", "--year", "2022").stdout.strip()
    run("inventory", "import", iid, str(activity))
    run("inventory", "compile", iid)
    plain, excel, default = tmp_path / "results.csv", tmp_path / "results_excel.csv", tmp_path / "results_default.csv"
    run("inventory", "export", iid, "--out", str(plain), "--no-excel")
    run("inventory", "export", iid, "--out", str(excel), "--excel")
    run("inventory", "export", iid, "--out", str(default))
    assert excel.read_bytes() == BOM + plain.read_bytes() == default.read_bytes()
    assert not plain.read_bytes().startswith(BOM)
    activity_out = tmp_path / "activity_out.csv"
    run("inventory", "export-activity", iid, "--out", str(activity_out))
    assert activity_out.read_bytes().startswith(BOM)
    assert list(read_table(excel).columns) == RESULTS_COLUMNS
    pd.testing.assert_frame_equal(read_table(excel), read_table(plain))


def test_the_setting_turns_the_default_off(tmp_path, monkeypatch):
    """CARBON_CSV_BOM=0: exports are bare UTF-8 unless --excel asks for the BOM."""
    from carbon.core.settings import get_settings

    monkeypatch.setenv("CARBON_CSV_BOM", "0")
    get_settings.cache_clear()
    try:
        plain, excel = tmp_path / "t.csv", tmp_path / "t_excel.csv"
        run("template", "energy", "--out", str(plain))
        run("template", "energy", "--out", str(excel), "--excel")
        assert not plain.read_bytes().startswith(BOM) and excel.read_bytes() == BOM + plain.read_bytes()
    finally:
        monkeypatch.delenv("CARBON_CSV_BOM")
        get_settings.cache_clear()

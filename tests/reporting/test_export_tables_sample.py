"""Issue 16 item 1 on the bundled sample (all five sectors, local factors): every export ties to the inventory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.db import make_engine, session_scope
from carbon.core.settings import get_settings
from carbon.core.regions import CITY_CODE
from carbon.inventory import service
from carbon.inventory.io import results_table
from carbon.inventory.results import stored_result

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sample_exports_tie_to_the_inventory(tmp_path, monkeypatch, backend):
    url = f"sqlite:///{tmp_path / 'sample.db'}"
    monkeypatch.setenv("CARBON_DATABASE_URL", url)
    get_settings.cache_clear()
    run("db", "upgrade")
    iid = run("inventory", "create", "--year", "2022").strip()
    run("inventory", "import", iid, str(SAMPLE / "ordos_2022_synthetic.csv"))
    run("inventory", "compile", iid, "--factors", str(SAMPLE / "ordos_local_factors.csv"))
    engine = make_engine(url)
    with session_scope(engine) as session:
        totals = service.totals(session, inventory_id=int(iid))
        table = results_table(stored_result(session, inventory_id=int(iid)))
    city = table[(table["region"].astype(str) == CITY_CODE) & (table["category"] == "M.electricity")]
    electricity = float(city["co2e_t"].sum())
    engine.dispose()
    books = {}
    for fmt in ("provincial", "crt", "gpc"):
        out = tmp_path / f"{fmt}.xlsx"
        run("export", "tables", "--inventory", iid, "--format", fmt, "--out", str(out))
        books[fmt] = pd.read_excel(out, sheet_name=None)

    prov = books["provincial"]["清单汇总表"].set_index("编码")["合计 (t CO2e)"]
    for code, sector in zip("12345", ("energy", "ippu", "agriculture", "lulucf", "waste")):
        assert prov[code] == pytest.approx(totals["by_sector"][sector], abs=1), sector
    assert prov["合计"] == pytest.approx(totals["co2e_t"], abs=1)
    s1 = books["crt"]["Summary1"].set_index("code")["co2e_t"]
    assert s1["Total"] == pytest.approx(totals["co2e_t"], abs=1)
    for sheet, sector in (("Table1", "energy"), ("Table2(I)", "ippu"), ("Table3", "agriculture"),
                          ("Table4", "lulucf"), ("Table5", "waste")):
        t = books["crt"][sheet]
        figures = pd.to_numeric(t.loc[t["notation"].isna(), "co2e_t"], errors="coerce").sum()
        assert figures == pytest.approx(totals["by_sector"][sector], abs=1), sheet
    assert books["crt"]["Table5"]["notation"].isin(["NE"]).any()
    gpc = books["gpc"]["GPC"]
    assert gpc.loc[gpc["scope"] == 1, "co2e_t"].sum() == pytest.approx(totals["co2e_t"], abs=1)
    assert not gpc["label"].str.startswith("Not mapped").any()
    assert gpc.loc[gpc["scope"] == 2, "co2e_t"].sum() == pytest.approx(electricity, abs=1)

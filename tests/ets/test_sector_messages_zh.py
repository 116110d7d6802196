"""Issue 19 point 5 for the ETS sector files (sectors/, sector_allocation, disclosure, quality plans): Chinese
messages by default, the old English under Accept-Language: en / CARBON_LANG=en, machine code and field unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from carbon.cli import app
from carbon.core import gases
from tests.ets.helpers import EMITTER_A

API = "/api/v1/ets"
SAMPLES = Path(__file__).resolve().parents[2] / "sample_data" / "ets"
EN = {"Accept-Language": "en"}


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}_2024.json").read_text(encoding="utf-8"))


def error(response, status=422) -> dict:
    assert response.status_code == status, response.text
    return response.json()["error"]


def test_aluminium_without_a_gwp_set_in_chinese_and_in_english(client, world):
    report = sample("aluminium")
    del report["gwp_set"]
    h = world.headers["bureau"]
    zh = error(client.post(f"{API}/compute", json=report, headers=h))
    en = error(client.post(f"{API}/compute", json=report, headers={**h, **EN}))
    assert (zh["code"], zh["field"]) == (en["code"], en["field"]) == ("validation_error", "gwp_set")
    assert zh["message"].startswith("CF4/C2F6 须填写 gwp_set") and "全球增温潜势" in zh["message"]
    assert en["message"] == ("gwp_set is required for CF4/C2F6 (state the guideline's or the bureau's choice: "
                             f"{', '.join(gases.GWP_SETS)})")


def test_cement_line_with_both_clinker_figures(client, world):
    report = sample("cement")
    report["lines"][0]["clinker"], report["lines"][0]["clinker_unit"] = 1_000_000, "t"
    h = world.headers["bureau"]
    zh = error(client.post(f"{API}/compute", json=report, headers=h))
    en = error(client.post(f"{API}/compute", json=report, headers={**h, **EN}))
    assert zh["field"] == en["field"] == "lines[0].clinker"
    assert zh["message"] == "lines[0]: clinker (计量) 与 clinker_stock (熟料盘库) 须且只能填写其一"
    assert en["message"] == "lines[0]: give exactly one of clinker (metered) or clinker_stock (熟料盘库)"


def test_a_unit_refused_inside_a_sector_report_keeps_its_path(client, world):
    report = sample("cement")
    report["lines"][0]["raw_meal_unit"] = "furlongs"
    h = world.headers["bureau"]
    zh = error(client.post(f"{API}/compute", json=report, headers=h))
    en = error(client.post(f"{API}/compute", json=report, headers={**h, **EN}))
    assert zh["code"] == en["code"] == "unit_error" and zh["field"] == en["field"] == "lines[0].raw_meal_unit"
    assert zh["message"].startswith("lines[0].raw_meal_unit: 'furlongs' 不能换算为 t (")
    assert en["message"].startswith("lines[0].raw_meal_unit: 'furlongs' is not convertible to t (")


def test_no_published_disclosure_is_a_chinese_404(client, world):
    zh = error(client.get(f"/api/v1/public/ets/disclosures/{EMITTER_A}/2024"), 404)
    en = error(client.get(f"/api/v1/public/ets/disclosures/{EMITTER_A}/2024", headers=EN), 404)
    assert zh["code"] == en["code"] and zh["field"] == en["field"] == "uscc"
    assert zh["message"] == f"没有 {EMITTER_A} 2024 年度已公开的信息"
    assert en["message"] == f"no published disclosure for {EMITTER_A} 2024"


def test_cli_compute_of_an_empty_steel_report(tmp_path, monkeypatch):
    path = tmp_path / "steel.json"
    path.write_text(json.dumps({"year": 2024, "industry": "steel"}), encoding="utf-8")
    monkeypatch.delenv("CARBON_LANG", raising=False)
    r = CliRunner().invoke(app, ["ets", "compute", str(path)])
    assert r.exit_code != 0 and "钢铁企业排放报告须包含 fuels、fluxes 或 carbon_inputs" in r.output
    r = CliRunner().invoke(app, ["ets", "compute", str(path)], env={"CARBON_LANG": "en"})
    assert r.exit_code != 0 and "a steel report needs fuels, fluxes or carbon_inputs" in r.output

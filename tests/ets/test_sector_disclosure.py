"""Issue 14 item 4: the sector's own disclosure format and the sector blocks of the ETS summaries.

The cement figures are the bundled sample's, worked by hand in tests/ets/test_cement_workflow.py:
    fuel 350,350 t; clinker process 486,970 t; raw-meal organic carbon 11,733.333 t; covered 849,053 t;
    clinker (熟料盘库) 1,010,000 t; purchased electricity 80,000 MWh × 0.5703 = 45,624 t (memo, not covered).
    Intensity disclosed = covered / clinker = 849,053 / 1,010,000 = 0.840646534... -> 0.840647 t CO2/t clinker.
    The line's own intensity = E_line / Q_cli = 849,053.333333 / 1,010,000 = 0.8406468647 t/t.
Aluminium (sample, AR5; worked in tests/ets/test_sectors_aluminium.py): CF4 7.15 t × 6,630 = 47,404.5 t CO2e,
    C2F6 0.86515 t × 11,100 = 9,603.165 t CO2e; covered 829,408 t; 500,000 t Al -> 829,408 / 500,000 = 1.658816.
Steel (sample): crude steel 2,500,000 t (the 粗钢 product row).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from carbon.ets.report import compute_report
from carbon.ets.sector_disclosure import sector_content
from tests.ets.helpers import EMITTER_A, e1
from tests.ets.test_cement_workflow import API, CEMENT, COVERED, cement, cement_report, ok  # noqa: F401 (fixture)

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data" / "ets"
POWER_FIELDS = {"uscc", "name", "industry", "region", "region_name", "year", "verified_emissions_t",
                "covered_emissions_t", "intensity_t_per_mwh", "intensity_basis", "verifier", "concluded_on",
                "recheck_outcome", "compliance_status", "obligation_t", "surrendered_t", "shortfall_t"}


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}_2024.json").read_text(encoding="utf-8"))


def _verified_and_allocated(client, w) -> None:
    bureau, ce, va = w.headers["bureau"], w.headers["cement"], w.headers["verifier_a"]
    ok(client.post(f"{API}/emitters/{CEMENT}/reports", json=cement_report(), headers=ce), 201)
    g = ok(client.post(f"{API}/engagements", json={"uscc": CEMENT, "year": 2024, "verifier_id": w.verifier_a},
                       headers=bureau), 201)
    ok(client.post(f"{API}/engagements/{g['id']}/reviews", json={"kind": "document", "notes": "n"}, headers=va))
    ok(client.post(f"{API}/engagements/{g['id']}/conclusion", json={"conclusion": "数据可信"}, headers=va))
    ok(client.post(f"{API}/engagements/{g['id']}/accept", headers=ce))
    ok(client.post(f"{API}/emitters/{CEMENT}/allocations/2024/final", headers=bureau), 201)


def test_cement_disclosure_has_the_sector_format_beside_powers_fields(client, cement):  # noqa: F811
    w = cement
    _verified_and_allocated(client, w)
    ok(client.post(f"{API}/disclosures", json={"uscc": CEMENT, "year": 2024}, headers=w.headers["bureau"]), 201)
    pub = ok(client.get(f"/api/v1/public/ets/disclosures/{CEMENT}/2024"))
    assert set(pub) - {"published_at", "sector_disclosure"} == POWER_FIELDS
    s = pub["sector_disclosure"]
    assert (s["industry"], s["industry_zh"], s["coverage"]) == ("cement", "水泥熟料生产", "direct")
    assert s["covered_emissions_t"] == COVERED == pub["covered_emissions_t"]
    by_source = {r["source"]: r for r in s["sources"]}
    assert by_source["fuel combustion 化石燃料燃烧"]["co2e_t"] == pytest.approx(350_350, abs=1e-6)
    assert by_source["clinker process 熟料生产过程"]["co2e_t"] == pytest.approx(486_970, abs=1e-6)
    assert by_source["raw-meal organic carbon 生料中非燃料碳"]["co2e_t"] == pytest.approx(11_733.333333, abs=1e-5)
    assert {r["gas"] for r in s["sources"]} == {"CO2"} and s["gwp"] is None
    assert s["product"] == {"name_zh": "熟料", "name": "clinker", "output_t": 1_010_000}
    assert (s["intensity"], s["intensity_unit"]) == (0.840647, "t CO2/t clinker")
    assert [(x["name"], x["product_t"]) for x in s["entities"]] == [("1#熟料线", 1_010_000)]
    assert s["entities"][0]["intensity"] == pytest.approx(0.8406468647, abs=1e-9)
    # the purchased electricity is a memo: shown, never in the covered total
    memo = s["indirect_memo"]
    assert (memo["in_covered_total"], memo["electricity_mwh"]) == (False, 80_000)
    assert memo["co2_t"] == pytest.approx(45_624)
    assert s["covered_emissions_t"] < 849_053.34 + 45_624 - 1
    v = s["verification"]
    assert (v["verifier"], v["state"], v["open_nonconformities"], v["conservative_adjustment_t"]) == (
        "甲核查机构", "final", 0, 0)
    # the public page shows the sector's intensity where power shows t/MWh
    page = client.get("/api/v1/public/ets/disclosures.html?year=2024")
    assert page.status_code == 200 and "0.8406 t CO2/t clinker" in page.text


def test_aluminium_disclosure_lists_pfcs_in_their_own_rows_with_the_gwp_set():
    result = compute_report(sample("aluminium"))
    s = sector_content(result, covered_t=result["total"]["covered_emissions_t"], verification=None)
    assert s["covered_emissions_t"] == 829_408
    pfc = {r["gas"]: r for r in s["sources"] if r["gas"] != "CO2"}
    assert pfc["CF4"]["mass_t"] == pytest.approx(7.15) and pfc["CF4"]["gwp"] == 6630
    assert pfc["CF4"]["co2e_t"] == pytest.approx(47_404.5)
    assert pfc["C2F6"]["mass_t"] == pytest.approx(0.86515) and pfc["C2F6"]["gwp"] == 11100
    assert pfc["C2F6"]["co2e_t"] == pytest.approx(9_603.165)
    assert s["gwp"]["set"] == "AR5" and s["gwp"]["values"] == {"CF4": 6630, "C2F6": 11100}
    assert (s["product"]["output_t"], s["intensity"], s["intensity_unit"]) == (500_000, 1.658816, "t CO2e/t aluminium")
    assert s["indirect_memo"]["co2_t"] == pytest.approx(3_878_040) and s["indirect_memo"]["in_covered_total"] is False


def test_steel_disclosure_intensity_is_per_tonne_of_crude_steel():
    report = sample("steel")
    result = compute_report(report)
    covered = result["total"]["covered_emissions_t"]
    s = sector_content(result, covered_t=covered, verification=None)
    assert s["product"]["output_t"] == 2_500_000
    assert s["intensity"] == round(covered / 2_500_000, 6)
    # an explicit crude_steel figure wins over the product row
    result = compute_report({**report, "crude_steel": 2_000, "crude_steel_unit": "kt"})
    assert sector_content(result, covered_t=covered, verification=None)["product"]["output_t"] == 2_000_000


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


pdftotext = pytest.mark.skipif(subprocess.run(["which", "pdftotext"], capture_output=True).returncode != 0,
                               reason="poppler-utils (pdftotext) not installed")


@pdftotext
def test_emitter_summary_pdf_has_the_cement_sector_block(client, cement, tmp_path):  # noqa: F811
    w = cement
    _verified_and_allocated(client, w)
    r = client.get(f"{API}/emitters/{CEMENT}/summary/2024.pdf", headers=w.headers["cement"])
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = _pdf_text(r.content, tmp_path)
    assert "水泥熟料生产行业" in text and "1#熟料线" in text
    assert "1,010,000" in text and "849,053" in text and "350,350" in text and "0.8406" in text
    assert "45,624" in text and "不计入" in text  # the memo, named as outside the covered total
    assert "等量分配" in text  # 2024: allowances equal verified emissions
    assert "履约期内" in text  # nothing surrendered, before the deadline


@pdftotext
def test_year_summary_pdf_has_one_block_per_sector(client, cement, tmp_path):  # noqa: F811
    w = cement
    _verified_and_allocated(client, w)
    # a power emitter with a report (not verified): its own block, t/MWh intensity
    power = ok(client.post(f"{API}/emitters/{EMITTER_A}/reports", json={**e1(), "year": 2024},
                           headers=w.headers["emitter_a"]), 201)
    power_intensity = ok(client.get(f"{API}/reports/{power['id']}", headers=w.headers["emitter_a"]))["result"][
        "total"]["intensity_t_per_mwh"]
    assert client.get(f"{API}/summary/2024.pdf", headers=w.headers["cement"]).status_code == 403
    r = client.get(f"{API}/summary/2024.pdf", headers=w.headers["bureau"])
    assert r.status_code == 200, r.text
    text = _pdf_text(r.content, tmp_path)
    lines = {line.split()[0]: line.split() for line in text.splitlines() if line.split()}
    assert "水泥熟料生产行业（1 家）" in text and "发电行业（1 家）" in text
    assert "排放强度 (t" in text and "clinker)" in text and "MWh)" in text  # the units, in the headers (wrapped)
    # the cement works' row: covered emissions, clinker, intensity, allocation, compliance state, in that order
    assert lines["鄂尔多斯丙水泥"][1:] == ["鄂尔多斯市", "849,053", "1,010,000", "0.8406", "849,053", "履约期内"]
    # E-1 in 2024: 1.5 Mt × 20 × 0.027 × 0.99 × 44/12 = 2,940,300 t (no indirect emissions from 2023), unverified;
    # power's intensity as its report gives it, nothing allocated
    assert lines["鄂尔多斯甲电厂"][1:] == ["东胜区", "2,940,300", f"{power_intensity:.4f}", "—", "尚未核定配额"]
    assert "等量分配" in text and "缺口 849,053" in text
    html = client.get(f"{API}/summary/2024.html", headers=w.headers["bureau"]).text
    assert html.index("发电行业") < html.index("水泥熟料生产行业")  # power first

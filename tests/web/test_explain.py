"""Issue 15 item 3: "why this number". The explanation's components add up to the figure, and the figure is
recomputed here from the stored activity records and factor rows with the guideline's equation (not from the
explanation's own intermediates)."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from carbon.core.db import session_scope
from carbon.factors.models import EmissionFactor
from carbon.inventory.explain import explain
from carbon.inventory.models import ActivityRecord, EmissionResult
from tests.web.conftest import compile_sample

# the activity units of the sample's 1.A.1.a rows, in the units of the NCV rows' denominators (written out here)
IN_NCV_UNITS = {("万t", "GJ/t"): 1e4, ("亿m3", "GJ/万m3"): 1e4}
C_TO_CO2 = 44 / 12


def _factor(session, refs: str, parameter: str) -> EmissionFactor:
    rows = []
    for ref in refs.split(";"):
        factor_id, version = ref.rsplit("@v", 1)
        row = session.scalar(select(EmissionFactor).where(EmissionFactor.factor_id == factor_id,
                                                          EmissionFactor.version == int(version)))
        if row is not None and row.parameter == parameter:
            rows.append(row)
    assert len(rows) == 1, (refs, parameter)
    return rows[0]


def test_city_fuel_combustion_co2_recomputed_from_records_and_factors(engine):
    """1.A.1.a CO2 of the city = Σ over banners and items of activity × NCV × carbon content × oxidation × 44/12."""
    inventory_id = compile_sample(engine)
    with session_scope(engine) as session:
        data = explain(session, inventory_id=inventory_id, category="1.A.1.a", gas="CO2", bureau=True)
        expected = 0.0
        per_record = {}
        results = session.scalars(select(EmissionResult).where(
            EmissionResult.inventory_id == inventory_id, EmissionResult.category == "1.A.1.a",
            EmissionResult.gas == "CO2", EmissionResult.region_code != "150600")).all()
        assert len(results) >= 9
        for result in results:
            ncv = _factor(session, result.factor_refs, "ncv")
            carbon = _factor(session, result.factor_refs, "carbon_content")
            oxidation = _factor(session, result.factor_refs, "oxidation")
            assert carbon.unit == "t C/TJ" and oxidation.unit == "dimensionless"
            records = session.scalars(select(ActivityRecord).where(
                ActivityRecord.inventory_id == inventory_id, ActivityRecord.region_code == result.region_code,
                ActivityRecord.category == "1.A.1.a", ActivityRecord.item == result.item)).all()
            assert records
            for record in records:
                gj = record.quantity * IN_NCV_UNITS[(record.unit, ncv.unit)] * ncv.value
                co2 = gj / 1000 * carbon.value * oxidation.value * C_TO_CO2
                per_record[record.id] = co2
                expected += co2  # GWP of CO2 is 1
        city = session.scalar(select(EmissionResult.co2e_t).where(
            EmissionResult.inventory_id == inventory_id, EmissionResult.category == "1.A.1.a",
            EmissionResult.gas == "CO2", EmissionResult.region_code == "150600", EmissionResult.item == "raw_coal"))
    assert math.isclose(data["figure"]["co2e_t"], expected, rel_tol=1e-9)
    assert math.isclose(data["sum"]["co2e_t"], expected, rel_tol=1e-9)
    assert city is not None and city < expected  # the figure is more than one item
    shares = sorted(r["mass_t"] for c in data["components"] for r in c["records"])
    assert all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(shares, sorted(per_record.values())))
    assert len(shares) == len(per_record)
    component = data["components"][0]
    assert {f["parameter"] for f in component["factors"]} >= {"ncv", "carbon_content", "oxidation"}
    assert all(f["source"] and f["edition"] and "@v" in f["ref"] for f in component["factors"])
    record = component["records"][0]
    assert record["batch_file"] == "ordos_2022_synthetic.csv" and record["source_row"] >= 2 and record["note"]
    assert component["method"] == "fuel_combustion" and "44/12" in component["equation"]
    assert component["activity_sum"]["unit"] in ("万t", "亿m3") and component["gwp"] == 1


@pytest.mark.parametrize("what", [{"sector": "energy"}, {"category": "4"}, {"category": "3.A.1", "gas": "CH4"}, {}])
def test_components_add_up_to_the_stored_figure(engine, what):
    inventory_id = compile_sample(engine)
    with session_scope(engine) as session:
        data = explain(session, inventory_id=inventory_id, **what)
        rows = session.scalars(select(EmissionResult).where(EmissionResult.inventory_id == inventory_id,
                                                            EmissionResult.region_code == "150600",
                                                            EmissionResult.memo.is_(False))).all()
    keep = [r for r in rows
            if (what.get("sector") in (None, r.sector))
            and (what.get("category") is None or r.category == what["category"]
                 or r.category.startswith(what["category"] + "."))
            and what.get("gas") in (None, r.gas)]
    assert keep
    assert math.isclose(data["figure"]["co2e_t"], sum(r.co2e_t for r in keep), rel_tol=1e-12)
    assert math.isclose(data["sum"]["co2e_t"], data["figure"]["co2e_t"], rel_tol=1e-9)
    assert all(c["region"] != "150600" or c["records"] is not None for c in data["components"])


def test_explain_api_json(client, engine, auth_headers):
    inventory_id = compile_sample(engine)
    url = f"/api/v1/inventories/{inventory_id}/explain"
    assert client.get(url, params={"category": "1.A.1.a"}).status_code == 401  # not published: not public
    bureau = auth_headers("bureau")
    response = client.get(url, params={"category": "1.A.1.a", "region": "东胜区", "gas": "CO2"}, headers=bureau)
    assert response.status_code == 200
    body = response.json()
    assert body["figure"]["region"] == "150602"
    assert math.isclose(sum(c["co2e_t"] for c in body["components"]), body["figure"]["co2e_t"], rel_tol=1e-9)
    assert "facility" in body["components"][0]["records"][0]
    assert client.get(url, params={"category": "9.Z"}, headers=bureau).status_code == 422
    assert client.get(url, params={"category": "2.F.1", "region": "东胜区", "gas": "SF6"},
                      headers=bureau).status_code == 404
    assert client.get(url, params={"category": "1.A"}, headers=auth_headers("citizen")).status_code == 404
    with session_scope(engine) as session:
        from carbon.inventory import service

        service.publish(session, inventory_id=inventory_id)
    public = client.get(url, params={"category": "1.A.1.a", "region": "150602", "gas": "CO2"})
    assert public.status_code == 200
    assert "facility" not in public.json()["components"][0]["records"][0]


def test_explain_refuses_a_draft(client, auth_headers):
    bureau = auth_headers("bureau")
    created = client.post("/api/v1/inventories", json={"year": 2022}, headers=bureau).json()
    response = client.get(f"/api/v1/inventories/{created['id']}/explain", headers=bureau)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"

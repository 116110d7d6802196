"""Migration 0007: stored inventories move to the IPCC 2006 codes (forestry 4.* -> 3.B / 3.C.1.d, waste 5.* -> 4.*),
published ones included, numbers unchanged; downgrade restores the old codes exactly. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from carbon.core import migrate
from carbon.core.db import make_engine
from carbon.factors.library import FACTOR_DIR, load_library

NOW = datetime(2026, 1, 5, tzinfo=timezone.utc)

# (category, item, mass_t) of a published 2022 inventory as 0006 stored it
OLD_RESULTS = [
    ("1.A.1.a", "raw_coal", 1000.0),
    ("4.A.1", "arbor_forest", -72380.0),
    ("4.A.2", "stock_consumption", 13173.16),
    ("4.B.1", "arbor_forest", 28952.0),
    ("4.B.2", "arbor_forest", 25.38),
    ("5.A", "food_waste", 11.99205208),
    ("5.C.1", "msw", 271.7),
    ("5.D.1", "effluent_nitrogen", 0.78571429),
    ("5.D.2", "ww_anaerobic_reactor", 232.5),
]
NEW = {"1.A.1.a": "1.A.1.a", "4.A.1": "3.B.1.a", "4.A.2": "3.B.1.a", "4.B.1": "3.B.5.b.i", "4.B.2": "3.C.1.d",
       "5.A": "4.A", "5.C.1": "4.C.1", "5.D.1": "4.D.1", "5.D.2": "4.D.2"}
# stored factor copies: (factor_id, scope as 0006 stored it, gas, basis, file) and the scope the library now reads
FACTORS = [
    ("IPCC06-V4-T4.3-CF", "4", "CO2", "default", "ipcc2006_lulucf_v1.csv"),
    ("IPCC06-V4-T4.9-GW-arbor_forest", "4.A.1", "CO2", "default", "ipcc2006_lulucf_v1.csv"),
    ("IPCC06-V4-T4.7-AGB-arbor_forest", "4.B", "", "default", "ipcc2006_lulucf_v1.csv"),
    ("IPCC06-V4-T2.5-CH4-forest", "4.B.2", "CH4", "default", "ipcc2006_lulucf_v1.csv"),
    ("IPCC06-V5-B0-BOD", "5.D.1", "CH4", "default", "ipcc2006_wastewater_v1.csv"),
    ("CN2011-WASTE-INC-oxidation-msw", "5.C", "CO2", "default", "cn2011_incineration_v1.csv"),
    ("IPCC06-V2-T1.2-NCV-raw_coal", "1.A", "", "default", "ipcc2006_energy_v1.csv"),
    ("local-abc12345:2", "4.A.1", "", "local", "forestry.csv"),
    ("local-abc12345:3", "5.A", "CH4", "local", "landfill.csv"),
]
LOCAL_NEW = {"local-abc12345:2": "3.B.1.a", "local-abc12345:3": "4.A"}
OLD_JSON = {
    "double_counts": [{"category": "5.C.1", "item": "msw", "gas": "CO2", "city_mass_t": 1.0, "banner_mass_t": 2.0},
                      {"category": "4.A.2", "item": "stock_consumption", "gas": "CO2", "city_mass_t": 3.0,
                       "banner_mass_t": 4.0}],
    "notation_keys": [{"region": "150621", "category": "5.D.2", "item": "ww_septic", "notation": "NO", "note": "none"},
                      {"region": "150621", "category": "1.B.2.a", "item": "crude_oil", "notation": "NO", "note": None}],
    "carbon_balances": [{"region": "150626", "category": "2.B.8.b", "facility": "x", "flows": [{"item": "coal"}]}],
    "cross_sector": [{"check": "feedstock_in_1A", "region": "150626", "balance_category": "2.B.8.b",
                      "combustion_categories": ["1.A.1.c", "1.A.2"], "message": "2.B.8.b and 1.A.1.c"}],
}


def _tables(conn):
    md = sa.MetaData()
    md.reflect(conn, only=["regions", "inventories", "import_batches", "activity_records", "emission_results",
                           "emission_factors"])
    return md.tables


def _seed(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            t = _tables(conn)
            region_id = conn.execute(sa.select(t["regions"].c.id).where(t["regions"].c.code == "150600")).scalar_one()
            inv = conn.execute(t["inventories"].insert().values(
                region_id=region_id, year=2022, gwp_set="AR5", ch4_ar6="combined", factor_profile="IPCC2006",
                status="published", version=1, created_at=NOW, compiled_at=NOW, published_at=NOW,
                factor_fingerprint="abc", **OLD_JSON).returning(t["inventories"].c.id)).scalar_one()
            batch = conn.execute(t["import_batches"].insert().values(
                inventory_id=inv, filename="a.csv", sha256="0" * 64, rows=len(OLD_RESULTS), created_at=NOW
            ).returning(t["import_batches"].c.id)).scalar_one()
            for n, (cat, item, mass) in enumerate(OLD_RESULTS):
                conn.execute(t["activity_records"].insert().values(
                    inventory_id=inv, batch_id=batch, region_code="150626", year=2022, category=cat, item=item,
                    quantity=float(n + 1), unit="t", facility=None, source_row=n + 2))
                conn.execute(t["emission_results"].insert().values(
                    inventory_id=inv, region_code="150626", year=2022, sector="x", category=cat, item=item, gas="CO2",
                    mass_t=mass, co2e_t=mass, gwp_set="AR5", memo=False, method="m", factor_refs="", basis="default",
                    records=1))
            for factor_id, scope, gas, basis, file in FACTORS:
                conn.execute(t["emission_factors"].insert().values(
                    factor_id=factor_id, version=1, profile="IPCC2006", scope=scope, item="*", parameter="p", gas=gas,
                    value=1.0, unit="1", source="s", source_table="t", edition="e", note="", basis=basis, file=file,
                    created_at=NOW))
    finally:
        engine.dispose()


def _read(url: str) -> dict:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            t = _tables(conn)
            return {
                "records": conn.execute(sa.select(t["activity_records"].c.category, t["activity_records"].c.item,
                                                  t["activity_records"].c.quantity)
                                        .order_by(t["activity_records"].c.id)).all(),
                "results": conn.execute(sa.select(t["emission_results"].c.category, t["emission_results"].c.item,
                                                  t["emission_results"].c.mass_t, t["emission_results"].c.co2e_t)
                                        .order_by(t["emission_results"].c.id)).all(),
                "json": conn.execute(sa.select(*(t["inventories"].c[c] for c in OLD_JSON))).one()._asdict(),
                "status": conn.execute(sa.select(t["inventories"].c.status)).scalar_one(),
                "scopes": dict(conn.execute(sa.select(t["emission_factors"].c.factor_id,
                                                      t["emission_factors"].c.scope)).all()),
            }
    finally:
        engine.dispose()


def test_0007_recodes_stored_inventories_up_and_down(db_url):
    migrate.upgrade(db_url, "0006")
    _seed(db_url)
    before = _read(db_url)

    migrate.upgrade(db_url, "0007")
    after = _read(db_url)
    assert after["status"] == "published"
    assert [r[0] for r in after["results"]] == [NEW[c] for c, _, _ in OLD_RESULTS]
    assert [r[0] for r in after["records"]] == [NEW[c] for c, _, _ in OLD_RESULTS]
    # the numbers of the published inventory are untouched
    assert [(r[1], r[2], r[3]) for r in after["results"]] == [(r[1], r[2], r[3]) for r in before["results"]]
    assert [(r[1], r[2]) for r in after["records"]] == [(r[1], r[2]) for r in before["records"]]
    j = after["json"]
    assert [d["category"] for d in j["double_counts"]] == ["4.C.1", "3.B.1.a"]
    assert [d["category"] for d in j["notation_keys"]] == ["4.D.2", "1.B.2.a"]
    assert j["carbon_balances"] == OLD_JSON["carbon_balances"] and j["cross_sector"] == OLD_JSON["cross_sector"]
    assert j["double_counts"][0]["city_mass_t"] == 1.0
    # the stored factor copies carry the scopes the library reads from the (unchanged) old files
    library = {r.factor_id: r.scope for r in load_library(FACTOR_DIR).rows if r.version == 1}
    for factor_id, *_ in FACTORS:
        expected = LOCAL_NEW.get(factor_id) or library[factor_id]
        assert after["scopes"][factor_id] == expected, factor_id
    assert after["scopes"]["IPCC06-V4-T2.5-CH4-forest"] == "3.C.1.d"
    assert after["scopes"]["IPCC06-V5-B0-BOD"] == "4.D.1"

    migrate.downgrade(db_url, "0006")
    down = _read(db_url)
    # a local scope recoded from an old sub-category comes back as the old heading of the same rows (4.A); all else
    # round-trips exactly, the default factor rows included
    assert down["scopes"].pop("local-abc12345:2") == "4.A"
    before["scopes"].pop("local-abc12345:2")
    assert down == before
    migrate.upgrade(db_url, "0007")
    assert _read(db_url) == after


def test_0007_new_codes_go_back_to_the_old_scheme(db_url):
    """Data written after the upgrade (new codes only) downgrade to the old scheme's codes."""
    migrate.upgrade(db_url, "0007")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            t = _tables(conn)
            region_id = conn.execute(sa.select(t["regions"].c.id).where(t["regions"].c.code == "150600")).scalar_one()
            inv = conn.execute(t["inventories"].insert().values(
                region_id=region_id, year=2023, gwp_set="AR5", ch4_ar6="combined", factor_profile="CN", status="draft",
                version=1, created_at=NOW).returning(t["inventories"].c.id)).scalar_one()
            batch = conn.execute(t["import_batches"].insert().values(
                inventory_id=inv, filename="b.csv", sha256="1" * 64, rows=4, created_at=NOW
            ).returning(t["import_batches"].c.id)).scalar_one()
            for n, (cat, item) in enumerate([("3.B.1.a", "stock_consumption"), ("3.B.1.a", "shrub_forest"),
                                             ("4.A", "msw"), ("4.B", "food_waste"), ("3.A.1", "sheep")]):
                conn.execute(t["activity_records"].insert().values(
                    inventory_id=inv, batch_id=batch, region_code="150626", year=2023, category=cat, item=item,
                    quantity=1.0, unit="t", source_row=n + 2))
        migrate.downgrade(db_url, "0006")
        with engine.connect() as conn:
            t = _tables(conn)
            cats = conn.execute(sa.select(t["activity_records"].c.category).order_by(t["activity_records"].c.id)).scalars()
            assert list(cats) == ["4.A.2", "4.A.1", "5.A", "5.B", "3.A.1"]
    finally:
        engine.dispose()

"""The inventory store's service layer on SQLite and (when configured) PostgreSQL: bulk loading (COPY),
all-or-nothing imports, the factor table, versions and history."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text, update

from carbon.core.db import session_scope
from carbon.core.errors import Conflict, FactorError, ImportRejected, NotFound, ValidationError
from carbon.factors import service as factor_service
from carbon.factors.models import EmissionFactor
from carbon.inventory import bulk, service
from carbon.inventory.models import ActivityRecord, EmissionResult, ImportBatch, Inventory
from tests.inventory.store_helpers import ACTIVITY_CSV, energy_csv, energy_factors  # noqa: F401


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("inventories", "import_batches", "activity_records", "emission_results")}


@pytest.fixture
def inventory_id(engine) -> int:
    with session_scope(engine) as session:
        return service.create_inventory(session, year=2022, label="test", user="pytest", factor_profile="IPCC2006").id


def test_bulk_load_50k_rows_uses_copy_on_postgresql(engine, inventory_id, backend, monkeypatch):
    n = 50_000
    paths = []
    real = bulk.insert_columns

    def spy(*args, **kwargs):
        loaded = real(*args, **kwargs)
        paths.append(loaded.method)
        return loaded

    monkeypatch.setattr(bulk, "insert_columns", spy)
    progress = []
    with session_scope(engine) as session:
        batch = service.import_activity(session, inventory_id=inventory_id, content=energy_csv(n), filename="big.csv",
                                        progress=lambda done, total: progress.append((done, total)))
        assert batch.rows == n
    assert paths == ["copy" if backend == "postgresql" else "executemany"]
    assert progress[-1] == (n, n) and len(progress) >= n // bulk.CHUNK
    with engine.connect() as conn:
        rows, total, first, last = conn.execute(text(
            "SELECT count(*), sum(quantity), min(source_row), max(source_row) FROM activity_records")).one()
    assert (rows, total, first, last) == (n, n * (n + 1) / 2, 2, n + 1)
    # and it compiles: one combination, n records
    with session_scope(engine) as session:
        result = service.compile_inventory(session, inventory_id=inventory_id)
    co2 = result.detail[(result.detail["region"] == "150621") & (result.detail["gas"] == "CO2")]
    assert int(co2["records"].iloc[0]) == n
    assert float(co2["mass_t"].iloc[0]) == pytest.approx(n * (n + 1) / 2 * 25.8e-3 * 25.8 * 44 / 12)


def test_crash_in_the_middle_of_a_bulk_load_leaves_nothing(engine, inventory_id):
    n = 3 * bulk.CHUNK

    def crash_half_way(done, total):
        # called after each chunk has been written (COPY block on PostgreSQL, executemany on SQLite)
        if done >= total // 2:
            raise RuntimeError("connection lost mid-import")

    before = counts(engine)
    with pytest.raises(RuntimeError, match="mid-import"), session_scope(engine) as session:
        service.import_activity(session, inventory_id=inventory_id, content=energy_csv(n), filename="big.csv",
                                progress=crash_half_way)
    assert counts(engine) == before == {"inventories": 1, "import_batches": 0, "activity_records": 0,
                                        "emission_results": 0}


def test_rejected_import_writes_nothing(engine, inventory_id):
    bad = energy_csv(100) + "达拉特旗,2022,1.A.1.a,原煤,-5,t\n".encode()
    with pytest.raises(ImportRejected) as caught, session_scope(engine) as session:
        service.import_activity(session, inventory_id=inventory_id, content=bad, filename="bad.csv")
    assert [(e.row, e.column) for e in caught.value.errors] == [(102, "quantity")]
    assert counts(engine)["activity_records"] == counts(engine)["import_batches"] == 0


def test_import_roundtrip_keeps_codes_notes_and_notation_keys(engine, inventory_id):
    with session_scope(engine) as session:
        service.import_activity(session, inventory_id=inventory_id, content=ACTIVITY_CSV, filename="a.csv")
    with session_scope(engine) as session:
        frame = service.load_activity(session, inventory_id=inventory_id)
    assert list(frame["region"].astype(str)) == ["150621", "150621", "150621", "150622", "150626", "150626"]
    assert list(frame["item"].astype(str))[:4] == ["raw_coal", "raw_coal", "raw_coal", "natural_gas"]
    assert list(frame["year"]) == [2022] * 6
    assert list(frame["notation"]) == ["", "", "", "", "NO", "NO"]
    assert list(frame["note"])[:4] == ["电厂A", "电厂B", "露天矿", ""]
    assert list(frame["source_row"]) == [2, 3, 4, 5, 6, 7]
    assert list(frame["unit"].astype(str))[3] == "万m3"


def test_earlier_years_are_history_later_years_refused(engine, inventory_id):
    with session_scope(engine) as session:
        service.import_activity(session, inventory_id=inventory_id, content=ACTIVITY_CSV, filename="a.csv")
        result = service.compile_inventory(session, inventory_id=inventory_id)
    assert set(result.detail["year"]) == {2022}
    coal = result.detail[(result.detail["region"] == "150621") & (result.detail["category"] == "1.A.1.a")]
    assert set(coal["records"]) == {2}
    later = "region,year,category,item,quantity,unit\n达拉特旗,2023,1.A.1.a,原煤,1,t\n".encode()
    with pytest.raises(ImportRejected) as caught, session_scope(engine) as session:
        service.import_activity(session, inventory_id=inventory_id, content=later, filename="later.csv")
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "year")]
    # issue 19: an earlier year is history only for a time series (landfill 4.A); other rows of it are refused
    earlier = "region,year,category,item,quantity,unit\n达拉特旗,2021,4.A,厨余垃圾,5,t\n达拉特旗,2021,1.A.1.a,原煤,1,t\n"
    with pytest.raises(ImportRejected) as caught, session_scope(engine) as session:
        service.import_activity(session, inventory_id=inventory_id, content=earlier.encode(), filename="earlier.csv")
    assert [(e.row, e.column, e.value) for e in caught.value.errors] == [(3, "year", "2021")]


def test_compile_errors_name_the_file_and_row(engine, inventory_id):
    ok = "region,year,category,item,quantity,unit\n达拉特旗,2022,1.A.1.a,原煤,10,t\n".encode()
    odd = "region,year,category,item,quantity,unit\n东胜区,2022,1.A.4.b,天然气,1,万m3\n达拉特旗,2022,1.A.1.a,电力调入,10,万kWh\n".encode()
    with session_scope(engine) as session:
        service.import_activity(session, inventory_id=inventory_id, content=ok, filename="ok.csv")
        service.import_activity(session, inventory_id=inventory_id, content=odd, filename="电力.csv")
    with pytest.raises(ImportRejected) as caught, session_scope(engine) as session:
        service.compile_inventory(session, inventory_id=inventory_id)
    [error] = caught.value.errors
    assert error.row == 3 and "电力.csv" in error.reason and "carbon_content" in error.reason
    with session_scope(engine) as session:
        assert service.get_inventory(session, inventory_id=inventory_id).status == "draft"
        assert session.scalar(select(func.count()).select_from(EmissionResult)) == 0


def test_status_rules(engine, inventory_id):
    with session_scope(engine) as session:
        with pytest.raises(ValidationError, match="no activity data"):
            service.compile_inventory(session, inventory_id=inventory_id)
        with pytest.raises(Conflict, match="compile it before publishing"):
            service.publish(session, inventory_id=inventory_id)
        service.import_activity(session, inventory_id=inventory_id, content=ACTIVITY_CSV, filename="a.csv")
        service.compile_inventory(session, inventory_id=inventory_id)
        assert session.scalar(select(func.count()).select_from(EmissionResult)) > 0
        # new data: back to draft, stale results gone
        extra = "region,year,category,item,quantity,unit\n东胜区,2022,1.A.4.b,天然气,5,万m3\n".encode()
        service.import_activity(session, inventory_id=inventory_id, content=extra, filename="b.csv")
        inv = service.get_inventory(session, inventory_id=inventory_id)
        assert (inv.status, inv.compiled_at, inv.factor_fingerprint) == ("draft", None, None)
        assert session.scalar(select(func.count()).select_from(EmissionResult)) == 0
        with pytest.raises(Conflict):
            service.get_results(session, inventory_id=inventory_id)
        service.compile_inventory(session, inventory_id=inventory_id)
        service.publish(session, inventory_id=inventory_id)
    for action in (
        lambda s: service.import_activity(s, inventory_id=inventory_id, content=energy_csv(1), filename="c.csv"),
        lambda s: service.compile_inventory(s, inventory_id=inventory_id),
        lambda s: service.publish(s, inventory_id=inventory_id),
        lambda s: service.delete_inventory(s, inventory_id=inventory_id),
        lambda s: service.remove_batch(s, inventory_id=inventory_id, batch_id=1),
    ):
        with pytest.raises(Conflict, match="published"), session_scope(engine) as session:
            action(session)
    with session_scope(engine) as session:
        with pytest.raises(NotFound):
            service.get_inventory(session, inventory_id=inventory_id + 100)
        with pytest.raises(Conflict, match="exists already"):
            service.create_inventory(session, year=2022)


def test_new_version_copies_records_with_their_batches(engine, inventory_id):
    with session_scope(engine) as session:
        batch_id = service.import_activity(session, inventory_id=inventory_id, content=ACTIVITY_CSV,
                                           filename="a.csv").id
        service.compile_inventory(session, inventory_id=inventory_id)
        service.publish(session, inventory_id=inventory_id)
    with session_scope(engine) as session:
        v2 = service.new_version(session, inventory_id=inventory_id, user="pytest")
        v3 = service.new_version(session, inventory_id=inventory_id)
        assert (v2.version, v2.parent_id, v2.status, v3.version) == (2, inventory_id, "draft", 3)
        v2_id = v2.id
    with session_scope(engine) as session:
        rows = session.execute(select(ActivityRecord.inventory_id, ActivityRecord.batch_id, ActivityRecord.region_code,
                                      ActivityRecord.quantity, ActivityRecord.notation, ActivityRecord.source_row)
                               .order_by(ActivityRecord.inventory_id, ActivityRecord.id)).all()
        original = [r[1:] for r in rows if r[0] == inventory_id]
        copied = [r[1:] for r in rows if r[0] == v2_id]
        assert copied == original and {r[0] for r in copied} == {batch_id}
        # the copied file counts as imported: uploading it again to the new version would double it
        with pytest.raises(Conflict, match="already imported"):
            service.import_activity(session, inventory_id=v2_id, content=ACTIVITY_CSV, filename="a.csv")
        # replacing it is how a corrected complete file goes in
        fixed = ACTIVITY_CSV.replace(b"1000,t", b"1100,t")
        service.import_activity(session, inventory_id=v2_id, content=fixed, filename="a-fixed.csv", replace=True)
        service.compile_inventory(session, inventory_id=v2_id)
        old = service.totals(session, inventory_id=inventory_id)["co2e_t"]
        new = service.totals(session, inventory_id=v2_id)["co2e_t"]
        assert new > old
        assert service.record_count(session, inventory_id=inventory_id) == 6
        # the parent's batch still exists for the parent's records; v2's removal did not touch it
        assert session.get(ImportBatch, batch_id).removed_at is None


def test_delete_keeps_batches_a_later_version_uses(engine, inventory_id):
    with session_scope(engine) as session:
        service.import_activity(session, inventory_id=inventory_id, content=ACTIVITY_CSV, filename="a.csv")
        child = service.new_version(session, inventory_id=inventory_id)
        child_id = child.id
    with pytest.raises(Conflict, match="later versions"), session_scope(engine) as session:
        service.delete_inventory(session, inventory_id=inventory_id)
    with session_scope(engine) as session:
        service.delete_inventory(session, inventory_id=child_id)
        service.delete_inventory(session, inventory_id=inventory_id)
    assert counts(engine) == {"inventories": 0, "import_batches": 0, "activity_records": 0, "emission_results": 0}


def test_factor_library_sync_inserts_once_and_never_updates(engine, inventory_id):
    library_rows = factor_service.library().rows
    with session_scope(engine) as session:
        first = factor_service.sync_factor_library(session)
    assert (first.added, first.present, first.changed) == (len(library_rows), 0, [])
    with session_scope(engine) as session:
        again = factor_service.sync_factor_library(session)
        assert (again.added, again.present, again.changed) == (0, len(library_rows), [])
        stored = factor_service.get_factor(session, "IPCC06-V2-T1.2-NCV-raw_coal@v1")
        assert (stored.value, stored.unit, stored.basis, stored.profile) == (25.8, "GJ/t", "default", "IPCC2006")
        assert stored.source.startswith("2006 IPCC Guidelines")
        # somebody edits the stored copy (or, equivalently, the file in place): reported, not overwritten
        session.execute(update(EmissionFactor).where(EmissionFactor.factor_id == "IPCC06-V2-T1.2-NCV-raw_coal")
                        .values(value=26.0))
    with session_scope(engine) as session:
        report = factor_service.sync_factor_library(session)
        assert report.changed == ["IPCC06-V2-T1.2-NCV-raw_coal@v1"] and report.added == 0
        assert factor_service.get_factor(session, "IPCC06-V2-T1.2-NCV-raw_coal@v1").value == 26.0
        service.import_activity(session, inventory_id=inventory_id, content=ACTIVITY_CSV, filename="a.csv")
    # a compile that would cite the row refuses: its provenance would not match the number used
    with pytest.raises(FactorError, match="never edited in place"), session_scope(engine) as session:
        service.compile_inventory(session, inventory_id=inventory_id)


def test_stored_factor_values_are_exact(engine):
    """The stored double is the number the calculation used, on both backends."""
    with session_scope(engine) as session:
        factor_service.sync_factor_library(session)
    by_ref = {r.ref: r for r in factor_service.library().rows}
    with session_scope(engine) as session:
        stored = session.scalars(select(EmissionFactor)).all()
        assert len(stored) == len(by_ref)
        for f in stored:
            row = by_ref[f.ref]
            assert (f.value, f.unit, f.valid_from, f.valid_to, f.uncertainty_pct) == (
                row.value, row.unit, row.valid_from, row.valid_to, row.uncertainty_pct), f.ref


def test_results_filters(engine, inventory_id):
    with session_scope(engine) as session:
        service.import_activity(session, inventory_id=inventory_id, content=ACTIVITY_CSV, filename="a.csv")
        service.compile_inventory(session, inventory_id=inventory_id)
        everything = service.get_results(session, inventory_id=inventory_id)
        assert set(everything["region"]) == {"150600", "150621", "150622", "150626"}
        mining = service.get_results(session, inventory_id=inventory_id, category="1.B.1.a", region="150621")
        figures = mining[mining["notation"] == ""]
        assert set(figures["category"]) == {"1.B.1.a.ii.1", "1.B.1.a.ii.2"} and set(figures["gas"]) == {"CH4"}
        # no underground mining in 达拉特旗's data: its 1.B.1.a.i leaves are there as NE, with the reason
        assert set(mining.loc[mining["notation"] == "NE", "category"]) == {"1.B.1.a.i.1", "1.B.1.a.i.2", "1.B.1.a.i.4"}
        by_name = service.get_results(session, inventory_id=inventory_id, category="露天开采", region="达拉特旗")
        assert by_name.equals(figures.reset_index(drop=True))
        items = service.get_results(session, inventory_id=inventory_id, level="item", gas="CO2", region="150600")
        assert set(items["item"]) == {"raw_coal", "natural_gas"}
        with pytest.raises(ValidationError):
            service.get_results(session, inventory_id=inventory_id, level="facility")
        city = service.totals(session, inventory_id=inventory_id)
        banners = sum(service.totals(session, inventory_id=inventory_id, region=c)["co2e_t"]
                      for c in ("150621", "150622", "150626"))
        assert city["co2e_t"] == pytest.approx(banners)  # the city is the roll-up of its banners here
    with session_scope(engine) as session:
        keys = session.scalar(select(Inventory.notation_keys).where(Inventory.id == inventory_id))
        assert [k for k in keys if not k["note"].startswith("自动")] == [
            {"region": "150626", "category": "1.B.2.a", "item": "crude_oil", "notation": "NO",
             "note": "no oil production"},
            {"region": "150626", "category": "1.B.1.a.i", "item": "raw_coal", "notation": "NO",
             "note": "no underground mines"}]

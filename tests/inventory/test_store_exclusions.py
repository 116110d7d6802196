"""A stored compile takes the cross-sector exclusions of ``carbon compile --exclude-double-count`` and stores
which finding was excluded, by which key (the whole factor library: not the energy-only one of test_store)."""

import pytest
from sqlalchemy import select

from carbon.core.db import session_scope
from carbon.inventory import service
from carbon.inventory.models import Inventory


@pytest.fixture
def inventory_id(engine) -> int:
    with session_scope(engine) as session:
        return service.create_inventory(session, year=2022, label="test", user="pytest", factor_profile="IPCC2006").id



REDUCTANT_CSV = ("region,year,category,item,quantity,unit\n"
                 "东胜区,2022,2.C.2,硅铁(75%Si),5000,t\n"
                 "东胜区,2022,1.A.2,焦炭,10000,t\n").encode()


def test_a_stored_compile_records_the_double_count_the_user_excluded(engine, inventory_id):
    # 5,000 t FeSi 75% × 4.0 t CO2/t (IPCC 2006 V3 Table 4.5) = 20,000 t CO2 at stake, below 1.A.2's coke CO2
    with session_scope(engine) as session:
        service.import_activity(session, inventory_id=inventory_id, content=REDUCTANT_CSV, filename="a.csv")
        kept = service.compile_inventory(session, inventory_id=inventory_id)
        (f,) = [c for c in kept.cross_sector if c["check"] == "reductant_in_1A"]
        assert f["excluded"] is False
        before = service.totals(session, inventory_id=inventory_id)["co2e_t"]
        service.compile_inventory(session, inventory_id=inventory_id, exclude_double_counts=("150602:2.C.2",))
    with session_scope(engine) as session:
        stored = session.scalar(select(Inventory.cross_sector).where(Inventory.id == inventory_id))
        (f,) = [c for c in stored if c["check"] == "reductant_in_1A"]
        assert f["excluded"] is True and f["excluded_by"] == ["150602:2.C.2"]
        after = service.totals(session, inventory_id=inventory_id)["co2e_t"]
    assert before - after == pytest.approx(20_000, rel=1e-9)

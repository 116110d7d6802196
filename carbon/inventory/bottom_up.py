"""Bottom-up: chemical key emitters' verified process CO2 into the city inventory as 2.B.8 / 1.B.3 facility rows.

A chemical plant in the ETS reports its process emissions by the carbon mass balance (``method: chemical`` of
``carbon.ets.report``, the same calculator as the inventory's ``carbon_balance``). Once its verification is
concluded, ``pull_ets_verified`` writes one activity row per facility of the verified report into the
inventory: item 核查过程排放 (``ets_verified_co2``, t CO2), the facility named ``"<USCC> <facility>"``, the note
naming the engagement and report version. They arrive as an ordinary import batch (``ets-verified-<year>.csv``),
so they are validated, all-or-nothing and removable like any upload; pulling again replaces the earlier pull.

The inventory then takes the verified figure for that facility (no recomputation); its own flows for the same
facility are an error, and region-level rows of the same category beside it are flagged (``cross_sector``), so
the ETS and the inventory never disagree silently.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.core.errors import ValidationError
from carbon.core.regions import BY_CODE
from carbon.inventory import service
from carbon.inventory.calc.coal_chemicals import VERIFIED, category_of_plant
from carbon.inventory.catalog import load_catalog
from carbon.inventory.models import ActivityRecord, ImportBatch

CHEMICAL_INDUSTRIES = ("chemical", "coal_chemical")  # carbon.ets.models.INDUSTRIES
PULL_PREFIX = "ets-verified-"


def _products(facility: dict, catalog) -> set[str]:
    codes = set()
    for f in facility.get("flows", []):
        if f.get("role") != "product":
            continue
        try:
            codes.add(catalog.item(str(f.get("item", ""))).code)
        except ValidationError:  # a product the inventory has no item for: it does not decide the category
            continue
    return codes


def verified_rows(session: Session, *, year: int, region: str) -> list[dict]:
    """The activity rows of every chemical emitter in ``region`` (or its banners) with a concluded
    verification for ``year`` whose verified report used the chemical method."""
    from carbon.ets.models import Emitter, Engagement
    from carbon.ets.service import VERIFIED_STATES

    catalog = load_catalog()
    regions = {region} | {c for c, r in BY_CODE.items() if r.parent == region}
    rows = []
    emitters = session.scalars(select(Emitter).where(Emitter.industry.in_(CHEMICAL_INDUSTRIES)).order_by(Emitter.uscc))
    for e in emitters:
        if e.region.code not in regions:
            continue
        g = session.scalar(select(Engagement).where(Engagement.emitter_id == e.id, Engagement.year == year,
                                                    Engagement.state.in_(VERIFIED_STATES)).order_by(Engagement.id.desc()))
        if g is None or not g.verified_result or g.verified_result.get("method") != "chemical":
            continue
        for fac in g.verified_result.get("facilities", []):
            rows.append({
                "region": e.region.code, "year": year, "category": category_of_plant(_products(fac, catalog)),
                "item": VERIFIED, "quantity": repr(float(fac["process_co2_t"])), "unit": "t",
                "note": (f"ETS核查 {e.uscc} {e.name} {year}: engagement {g.id} ({g.state}), report v{g.report.version}, "
                         f"facility {fac['name']}"),
                "facility": f"{e.uscc} {fac['name']}"[:200],
            })
    return rows


def pull_ets_verified(session: Session, *, inventory_id: int, user: str | None = None) -> ImportBatch | None:
    """Replace the inventory's earlier ETS pull by the current verified figures. Returns the new batch, or None
    when no chemical emitter of the inventory's region has a concluded verification for its year."""
    inventory = service.get_inventory(session, inventory_id=inventory_id)
    rows = verified_rows(session, year=inventory.year, region=inventory.region.code)
    earlier = session.scalars(select(ImportBatch.id).distinct().join(
        ActivityRecord, ActivityRecord.batch_id == ImportBatch.id).where(
        ActivityRecord.inventory_id == inventory.id, ImportBatch.filename.startswith(PULL_PREFIX)))
    for batch_id in list(earlier):  # an earlier pull, this version's own or inherited from its parent
        service.remove_batch(session, inventory_id=inventory.id, batch_id=batch_id)
    if not rows:
        return None
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return service.import_activity(session, inventory_id=inventory.id, content=buf.getvalue().encode("utf-8"),
                                   filename=f"{PULL_PREFIX}{inventory.year}.csv", user=user)

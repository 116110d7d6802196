"""Public pages, no sign-in: the published inventories, their results tree and "why this number" (without the
facility and uploader of the activity records, as the API shows them to non-bureau callers)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SessionDep
from api.params import Id63
from carbon.core.regions import CITY_CODE
from carbon.inventory import service
from web import views
from web.deps import ConsoleDep, render

router = APIRouter(prefix="/public", include_in_schema=False)


@router.get("")
def published(page: ConsoleDep, db: SessionDep):
    rows, total = service.list_inventories(db, statuses=("published",), limit=200)
    totals = {i.id: service.totals(db, inventory_id=i.id, region=i.region.code)["co2e_t"] for i in rows}
    return render(page, "public.html", inventories=rows, totals=totals, total=total)


@router.get("/inventories/{inventory_id}/results")
def results(inventory_id: Id63, page: ConsoleDep, db: SessionDep, sector: str | None = None,
            category: str | None = None, region: str = CITY_CODE):
    return views.results_page(page, db, inventory_id, base=f"/public/inventories/{inventory_id}", public=True,
                              sector=sector, category=category, region=region)


@router.get("/inventories/{inventory_id}/explain")
def explain_page(inventory_id: Id63, page: ConsoleDep, db: SessionDep, region: str = CITY_CODE,
                 category: str | None = None, sector: str | None = None, gas: str | None = None,
                 item: str | None = None):
    return views.explain_page(page, db, inventory_id, base=f"/public/inventories/{inventory_id}", bureau=False,
                              region=region, category=category, sector=sector, gas=gas, item=item)

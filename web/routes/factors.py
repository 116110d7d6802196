"""The factor library of the console: the stored factor rows (``emission_factors``, what ``GET /api/v1/factors``
lists), searched by item, gas, parameter, basis and free text (``carbon.factors.service.list_factors``).

With ``inventory``, the rows that inventory's compile used are marked, and its local measured parameters (地方实测,
``basis='local'``) that overrode the defaults are listed first: taken from the inventory's compiled provenance (the
``factor_refs`` of its stored results, ``carbon.inventory.explain.factor_refs_used``), not from the files.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query

from api.deps import SessionDep
from api.params import Id63, Offset
from carbon.core.errors import CarbonError
from carbon.factors import service as factor_service
from carbon.inventory import service as inventory_service
from carbon.inventory.catalog import load_catalog
from carbon.inventory.explain import factor_refs_used
from web.deps import BureauPage, PageError, render

router = APIRouter(prefix="/console/factors", include_in_schema=False)

PAGE = 100
GASES = ("CO2", "CH4", "N2O", "HFCs", "PFCs", "SF6", "NF3")


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _item_code(text: str | None) -> str | None:
    """The library's item code for a code or Chinese name (原煤 → raw_coal, as uploads read it); else as typed."""
    if text is None:
        return None
    try:
        return load_catalog().item(text).code
    except CarbonError:
        return text


@router.get("")
def factor_library(page: BureauPage, db: SessionDep, q: Annotated[str | None, Query(max_length=100)] = None,
                   item: Annotated[str | None, Query(max_length=64)] = None,
                   gas: Annotated[str | None, Query(max_length=32)] = None,
                   parameter: Annotated[str | None, Query(max_length=64)] = None,
                   basis: Literal["", "default", "local"] = "", inventory: Id63 | None = None,
                   offset: Annotated[Offset, Query()] = 0):
    filters = {"text": _blank(q), "item": _item_code(_blank(item)), "parameter": _blank(parameter),
               "basis": basis or None}
    gas_value = (gas or "").strip()
    if gas_value == "-":  # the rows that serve every gas (NCV, oxidation rate, ...)
        filters["gas"] = ""
    elif gas_value:
        filters["gas"] = gas_value
    used: set[str] = set()
    chosen = None
    overrides = []
    if inventory is not None:
        try:
            chosen = inventory_service.get_inventory(db, inventory_id=inventory)
        except CarbonError:
            raise PageError(404, f"没有编号为 {inventory} 的清单。") from None
        used = factor_refs_used(db, inventory_id=chosen.id)
        overrides = [f for f in factor_service.factors_by_refs(db, used) if f.basis == "local"]
    rows, total = factor_service.list_factors(db, limit=PAGE, offset=offset, **filters)
    inventories, _ = inventory_service.list_inventories(db, statuses=("compiled", "published"), limit=200)
    query = urlencode([(k, v) for k, v in (("q", q), ("item", item), ("gas", gas), ("parameter", parameter),
                                           ("basis", basis), ("inventory", inventory)) if v])
    return render(page, "factors.html", rows=rows, total=total, offset=offset, page_size=PAGE, used=used,
                  chosen=chosen, overrides=overrides, inventories=inventories, gases=GASES, query=query,
                  form={"q": q or "", "item": item or "", "gas": gas_value, "parameter": parameter or "",
                        "basis": basis})

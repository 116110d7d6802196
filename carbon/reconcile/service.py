"""Reconciliation service: the inventory of a year (``carbon.intensity.service.inventory_for_year``: latest
published, else latest compiled) beside its key emitters' concluded verifications, and the 碳普惠 pool.

``reconcile(session, year=..., mapping_text=None)`` is what the CLI (``carbon reconcile``), the API
(``GET /api/v1/reconcile``) and the report call; it reads, never writes.

The 碳普惠 side: grams residents pooled (``pool:platform``) and grams the bureau retired against offset claims
(``platform:retired``, one ``PuhuiOffsetClaim`` each; ``carbon.puhui.service.retire`` locks the pool and checks
the balance, so no gram is retired twice). They are shown beside the city total, never added to or subtracted
from it: the reductions are already inside the inventory's territorial figures (less fuel, less power), so
netting them again would count a gram twice; a retired gram is counted once, in its claim.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbon.core.errors import NotFound, ValidationError
from carbon.core.regions import BANNER_CODES, CITY_CODE
from carbon.reconcile.compare import MappingError, merge_mapping, read_mapping, reconcile as compare

MAPPING_FILE = Path(__file__).parent / "data" / "emitter_categories.csv"


def load_mapping(override_text: str | None = None) -> pd.DataFrame:
    """The bundled mapping, with the rows of ``override_text`` (same format) replacing theirs."""
    try:
        base = read_mapping(MAPPING_FILE.read_text(encoding="utf-8"))
        override = read_mapping(override_text) if override_text else None
    except MappingError as exc:
        raise ValidationError(key=exc.key, params=exc.params, field="mapping") from exc
    return merge_mapping(base, override)


def inventory_frame(session: Session, *, inventory_id: int) -> pd.DataFrame:
    """region × category CO2e of a stored inventory, memo items excluded."""
    from carbon.inventory.models import EmissionResult as r

    rows = session.execute(select(r.region_code, r.category, func.sum(r.co2e_t))
                           .where(r.inventory_id == inventory_id, r.memo.is_(False))
                           .group_by(r.region_code, r.category)).all()
    return pd.DataFrame([(a, b, float(c or 0.0)) for a, b, c in rows], columns=["region", "category", "co2e_t"])


def emitter_frame(session: Session, *, year: int) -> pd.DataFrame:
    """Every emitter with a concluded verification of ``year`` (its latest engagement in a verified state)."""
    from carbon.ets.models import Emitter, Engagement
    from carbon.ets.service import VERIFIED_STATES

    rows = []
    for e in session.scalars(select(Emitter).order_by(Emitter.uscc)):
        g = session.scalar(select(Engagement).where(Engagement.emitter_id == e.id, Engagement.year == year,
                                                    Engagement.state.in_(VERIFIED_STATES))
                           .order_by(Engagement.id.desc()))
        if g is None or g.verified_emissions_t is None:
            continue
        rows.append({"uscc": e.uscc, "name": e.name, "industry": e.industry,
                     "region": e.region.code if e.region is not None else "",
                     "verified_t": float(g.verified_emissions_t), "engagement_id": g.id, "state": g.state})
    return pd.DataFrame(rows, columns=["uscc", "name", "industry", "region", "verified_t", "engagement_id", "state"])


def puhui_side(session: Session) -> dict:
    from carbon.puhui import service as puhui

    try:
        pool = puhui.pool_status(session)
    except NotFound:  # ledger accounts not seeded
        return {"available_g": 0, "retired_g": 0, "claims": 0}
    return pool


def reconcile(session: Session, *, year: int, mapping_text: str | None = None) -> dict:
    """The reconciliation of ``year`` (see module docstring). Raises NotFound without a compiled inventory."""
    from carbon.intensity.service import inventory_for_year
    from carbon.inventory.catalog import load_catalog
    from carbon.inventory.results import totals

    inv = inventory_for_year(session, year)
    if inv is None:
        raise NotFound(key="reconcile_no_city_inventory", params={"year": year}, field="year")
    mapping = load_mapping(mapping_text)
    emitters = emitter_frame(session, year=year)
    result = compare(inventory_frame(session, inventory_id=inv.id), emitters, mapping, banners=BANNER_CODES,
                     city=CITY_CODE, known_categories=load_catalog().categories.keys())
    city_total = totals(session, inventory_id=inv.id)["co2e_t"]
    pool = puhui_side(session)
    return {
        "year": year,
        "inventory": {"id": inv.id, "version": inv.version, "status": inv.status, "gwp_set": inv.gwp_set},
        "rows": result.rows, "findings": result.findings,
        "emitters": emitters.drop(columns=["engagement_id"]).to_dict(orient="records"),
        "puhui": {"city_total_co2e_t": city_total, "pooled_available_g": int(pool["available_g"]),
                  "retired_g": int(pool["retired_g"]), "retired_t": int(pool["retired_g"]) / 1e6,
                  "offset_claims": int(pool["claims"]),
                  "rule": "shown beside the city total, never netted from it; each retired gram belongs to one "
                          "offset claim"},
    }

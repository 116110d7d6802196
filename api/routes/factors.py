"""The stored factor library (public): resolve the ``factor_refs`` of published results to value, unit
and source. Rows appear here once an inventory has been compiled (carbon.factors.service)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import SessionDep
from api.params import Offset
from carbon.factors import service
from carbon.factors.models import EmissionFactor

router = APIRouter(prefix="/factors", tags=["factors"])


class FactorOut(BaseModel):
    ref: str
    factor_id: str
    version: int
    profile: str
    scope: str
    item: str
    parameter: str
    gas: str
    value: float
    unit: str
    source: str
    source_table: str
    edition: str
    valid_from: int | None
    valid_to: int | None
    uncertainty_pct: float | None
    note: str
    basis: str
    region_code: str | None
    year: int | None
    created_at: datetime


class FactorPage(BaseModel):
    items: list[FactorOut]
    total: int
    limit: int
    offset: int


def factor_out(f: EmissionFactor) -> FactorOut:
    return FactorOut.model_validate(f, from_attributes=True)


@router.get("", response_model=FactorPage)
def list_factors(session: SessionDep, parameter: str | None = None, item: str | None = None,
                 profile: Literal["IPCC2006", "CN"] | None = None, basis: Literal["default", "local"] | None = None,
                 factor_id: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                 offset: Annotated[Offset, Query()] = 0) -> FactorPage:
    rows, total = service.list_factors(session, parameter=parameter, item=item, profile=profile, basis=basis,
                                       factor_id=factor_id, limit=limit, offset=offset)
    return FactorPage(items=[factor_out(f) for f in rows], total=total, limit=limit, offset=offset)


@router.get("/{ref:path}", response_model=FactorOut)
def get_factor(ref: str, session: SessionDep) -> FactorOut:
    """One stored row by reference ``factor_id@vN`` (as in results' factor_refs)."""
    return factor_out(service.get_factor(session, ref))

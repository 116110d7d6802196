"""Reconciliation endpoint (bureau only): ``GET /reconcile?year=Y`` — the inventory's banner × category figures
beside the key emitters' verified emissions, findings, and the 碳普惠 pool beside the city total. Thin: calls
``carbon.reconcile.service.reconcile`` (NotFound → 404 when the year has no compiled inventory)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import BureauUser, SessionDep
from carbon.reconcile import service

router = APIRouter(prefix="/reconcile", tags=["reconcile"])


@router.get("")
def get_reconciliation(session: SessionDep, user: BureauUser,
                       year: Annotated[int, Query(ge=1990, le=2100)]) -> dict[str, Any]:
    return service.reconcile(session, year=year)

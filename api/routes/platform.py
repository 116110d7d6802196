"""Platform endpoints: health, the public region list, and who-am-I / token list for API clients."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import aliased

from api.deps import BureauUser, CurrentUser, SessionDep
from carbon.core.models import ApiToken, Region

router = APIRouter(tags=["platform"])


class Health(BaseModel):
    status: str


class RegionOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    level: str
    parent_code: str | None


class Me(BaseModel):
    id: int
    role: str
    name: str


class TokenOut(Me):
    created_at: datetime
    revoked_at: datetime | None


@router.get("/health", response_model=Health)
def health() -> Health:
    """Liveness: the process answers. (No database call, so a load balancer can poll it cheaply.)"""
    return Health(status="ok")


@router.get("/regions", response_model=list[RegionOut])
def list_regions(session: SessionDep, level: Literal["city", "county"] | None = None) -> list[RegionOut]:
    """Ordos and its banners/districts, city first, then by code. Public. (Ten rows: not paginated.)"""
    parent = aliased(Region)
    query = select(Region, parent.code).outerjoin(parent, Region.parent_id == parent.id)
    if level is not None:
        query = query.where(Region.level == level)
    rows = session.execute(query.order_by(Region.parent_id.is_not(None), Region.code))
    return [
        RegionOut(code=r.code, name_zh=r.name_zh, name_en=r.name_en, level=r.level, parent_code=parent_code)
        for r, parent_code in rows
    ]


@router.get("/me", response_model=Me)
def me(user: CurrentUser) -> Me:
    """The caller's token identity: lets a client check its token and role."""
    return Me(id=user.id, role=user.role, name=user.name)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(session: SessionDep, user: BureauUser) -> list[TokenOut]:
    """Every API token (never the token or its hash). Bureau only."""
    tokens = session.scalars(select(ApiToken).order_by(ApiToken.id))
    return [
        TokenOut(id=t.id, role=t.role, name=t.name, created_at=t.created_at, revoked_at=t.revoked_at)
        for t in tokens
    ]

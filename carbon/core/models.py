"""Tables shared by every domain: regions and API tokens.

Domain tables live in their own package (``carbon/<domain>/models.py``) on the same ``Base``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from carbon.core.db import Base, UTCDateTime, choice, utcnow
from carbon.core.regions import REGIONS

REGION_LEVELS = ("city", "county")
ROLES = ("bureau", "verifier", "emitter", "citizen")  # "public" is the absence of a token


class Region(Base):
    """Ordos (city) and its nine banners/districts (county level)."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)  # GB/T 2260 division code
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(choice(REGION_LEVELS, name="level"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)

    parent: Mapped[Region | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"Region({self.code} {self.name_zh})"


class ApiToken(Base):
    """A bearer token. Only the SHA-256 of the token is stored, so a leaked table grants nothing."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    role: Mapped[str] = mapped_column(choice(ROLES, name="role"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"ApiToken({self.id} {self.role} {self.name!r})"


def seed_regions(session: Session) -> int:
    """Insert Ordos and its banners/districts if missing; return how many rows were added.

    Idempotent, so tests and a fresh ``create_all`` database can call it freely. Flushes, never commits.
    """
    existing = {r.code: r for r in session.scalars(select(Region))}
    added = 0
    for info in REGIONS:  # the city comes first, so parents exist before children
        if info.code in existing:
            continue
        region = Region(
            code=info.code,
            name_zh=info.name_zh,
            name_en=info.name_en,
            level=info.level,
            parent=existing[info.parent] if info.parent else None,
        )
        session.add(region)
        existing[info.code] = region
        added += 1
    session.flush()
    return added

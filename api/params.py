"""Bounded parameter types every router uses (issue 17): values the database can hold, refused with a 422 otherwise.

``Id63`` (a row id: 1 .. 2**63-1, PostgreSQL's bigint), ``Year`` (1900 .. 2100), ``Month`` (1 .. 12), ``Offset``
(a page offset), ``Count63`` (any other non-negative integer a column stores). They are plain ``Annotated[int, ...]``
with bounds but no location, so one type serves a path, a query and a body field::

    def get_thing(thing_id: Id63, year: Year | None = None): ...
    class ThingIn(BaseModel):
        year: Year

tests/test_security_bounds.py walks the OpenAPI document: every integer parameter and body field has bounds
within 64 bits.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

INT63_MAX = 2**63 - 1
YEAR_MIN, YEAR_MAX = 1900, 2100

Id63 = Annotated[int, Field(ge=1, le=INT63_MAX, description="id (1 .. 2^63-1)")]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX, description="year (1900 .. 2100)")]
Month = Annotated[int, Field(ge=1, le=12, description="month (1 .. 12)")]
Offset = Annotated[int, Field(ge=0, le=INT63_MAX, description="rows to skip")]
Count63 = Annotated[int, Field(ge=0, le=INT63_MAX)]
Int63 = Annotated[int, Field(ge=-INT63_MAX, le=INT63_MAX)]

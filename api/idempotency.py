"""``Idempotency-Key`` for writes a client may retry (DESIGN §5): same key + same request -> same response.

How it works, per (API token, key):

1. The first request with a key inserts a row (token, key, route, request hash) *in the request's own
   transaction*, runs the endpoint, and stores the response body and status in that row. The effect and
   the stored response are committed together, by the request's single commit: there is no window in
   which the work is done but the key unknown, or the other way round.
2. A retry with the same key and the same request (same route, same request hash) gets the stored
   response (header ``Idempotent-Replayed: true``) and nothing is done again.
3. The same key with a different request (another route, another body or file) is a 422
   (``idempotency_key_reused``): the client has a bug, and guessing which request it meant is unsafe.
4. A request that fails (any error) rolls back, key row included, so a retry runs again. Errors are not
   replayed: a 422 for a bad file is recomputed and comes out the same anyway.
5. Two concurrent requests with the same key: the second INSERT waits for the first transaction
   (PostgreSQL unique index; SQLite has one writer), then fails on the unique constraint inside a
   SAVEPOINT and replays the first one's committed response.

The request hash is computed from the *meaning* of the request (JSON fields, uploaded file's sha256 and
name), not from raw bytes: a multipart body has a random boundary, so a byte-identical retry is not
guaranteed. Keys are kept for ``KEY_TTL``; an expired key is treated as new.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from carbon.core.db import utcnow
from carbon.core.errors import ValidationError
from carbon.core.models import ApiToken
from carbon.inventory.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY_TTL = timedelta(hours=24)
KEY_MAX_LENGTH = 200  # characters of an Idempotency-Key (at least 1)

KeyHeader = Annotated[
    str | None,
    Header(alias=HEADER, min_length=1, max_length=KEY_MAX_LENGTH,
           description="Optional. Retrying with the same key returns the first response and does nothing again."),
]


class IdempotencyKeyReused(ValidationError):
    code = "idempotency_key_reused"


def request_hash(fingerprint: dict[str, Any]) -> str:
    canonical = json.dumps(jsonable_encoder(fingerprint), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _lookup(session: Session, token_id: int, key: str) -> IdempotencyKey | None:
    return session.scalar(select(IdempotencyKey).where(IdempotencyKey.token_id == token_id, IdempotencyKey.key == key)
                          .execution_options(populate_existing=True))


def _replay(found: IdempotencyKey, route: str, digest: str) -> JSONResponse:
    if found.route != route or found.request_hash != digest:
        raise IdempotencyKeyReused(
            f"Idempotency-Key was already used for a different request ({found.route}); use a new key for a new "
            "request", field=HEADER)
    return JSONResponse(found.response, status_code=found.status_code,
                        headers={HEADER: found.key, "Idempotent-Replayed": "true"})


def idempotent(session: Session, *, request: Request, user: ApiToken, key: str | None, fingerprint: dict[str, Any],
               status_code: int, produce: Callable[[], Any]) -> JSONResponse:
    """Run ``produce`` (the endpoint's work, returning a pydantic model or JSON-able value) at most once per
    key; see the module docstring. Without a key, just run it."""
    if key is None:
        return JSONResponse(jsonable_encoder(produce()), status_code=status_code)
    route = f"{request.method} {request.url.path}"
    digest = request_hash(fingerprint)
    found = _lookup(session, user.id, key)
    if found is not None and found.created_at < utcnow() - KEY_TTL:
        session.delete(found)
        session.flush()
        found = None
    if found is not None:
        return _replay(found, route, digest)
    row = IdempotencyKey(token_id=user.id, key=key, route=route[:300], request_hash=digest, status_code=0,
                         response=None, created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # a concurrent request with this key committed first
        found = _lookup(session, user.id, key)
        if found is None:
            raise
        return _replay(found, route, digest)
    body = jsonable_encoder(produce())
    row.status_code = status_code
    row.response = body
    session.flush()
    return JSONResponse(body, status_code=status_code, headers={HEADER: key})

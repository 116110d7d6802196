"""Finding an inventory, and the guard of every write: a published inventory is immutable."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict, NotFound
from carbon.inventory.models import Inventory


def get_inventory(session: Session, *, inventory_id: int, for_update: bool = False) -> Inventory:
    query = select(Inventory).where(Inventory.id == inventory_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    inventory = session.scalar(query)
    if inventory is None:
        raise NotFound(key="inventory_not_found", params={"id": inventory_id}, field="inventory_id")
    return inventory


def writable(session: Session, inventory_id: int, doing: str, *, lock: bool = True) -> Inventory:
    """The inventory, locked for this transaction unless ``lock=False``; Conflict if it is published."""
    inventory = get_inventory(session, inventory_id=inventory_id, for_update=lock)
    if inventory.status == "published":
        raise Conflict(key="inventory_published", params={
            "id": inventory.id, "year": inventory.year, "version": inventory.version, "doing": doing}, field="status")
    return inventory

"""Completeness (IPCC 2006 Vol 1 Ch 8 §8.2.2, notation keys Table 8.1): every category of the catalogue without
sub-categories appears in a compiled result with a figure or a notation key and a reason.

The user's own keys (``NO`` in the quantity column, with a note) come first. A category left with neither a figure
nor a key is ``NE`` (not estimated): the service cannot know that an activity does not occur, so it never writes NO
for the user. The reason says which case it is: no activity data was given, the category is computed from others
that gave no figure, or it is an IPCC category this service does not compute. A figure at an aggregate level
(1.B.1.a.i reported as a whole), or a key given there, covers its sub-categories.

Done for every region the result has (a figure or a key), and always for the city. For the city a key given by
banners is inherited as before (``CompileResult.notation_rows``), so the city gets NE only where no banner said
anything. Pure: frames in, a frame out.
"""

from __future__ import annotations

import pandas as pd

from carbon.core.regions import CITY_CODE
from carbon.inventory.catalog import Catalog

AUTO = "自动"  # the note of every key this module writes starts with it: the report tells them from the user's
NOTATION_COLUMNS = ["region", "category", "item", "notation", "note"]


def reason(category, catalog: Catalog) -> str:
    if category.computed_from:
        sources = ", ".join(category.computed_from)
        return f"{AUTO}: 由 {sources} 计算，该处无数值 (computed from {sources}, which gave no figure)"
    if not category.method:
        return (f"{AUTO}: 本服务不计算该 IPCC 类别，未提供注释键 (an IPCC 2006 category this service does not "
                f"compute; no notation key was given)")
    return f"{AUTO}: 未提供活动数据 (no activity data reported)"


def complete(detail: pd.DataFrame, notation: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """``notation`` with an NE row added for every (region, category) without a figure or a key."""
    figures = set(zip(detail["region"], detail["category"])) if len(detail) else set()
    keyed = set(zip(notation["region"], notation["category"])) if len(notation) else set()
    banner_keyed = {c for r, c in keyed if r != CITY_CODE}
    regions = sorted({r for r, _ in figures} | {r for r, _ in keyed} | {CITY_CODE})
    rows = []
    for cat in catalog.reporting_categories():
        lineage = [cat.code, *catalog.ancestors(cat.code)]
        why = None
        for region in regions:
            if any((region, c) in figures or (region, c) in keyed for c in lineage):
                continue
            if region == CITY_CODE and any(c in banner_keyed for c in lineage):
                continue  # the city inherits the banners' keys
            why = why or reason(cat, catalog)
            rows.append((region, cat.code, "", "NE", why))
    if not rows:
        return notation
    added = pd.DataFrame(rows, columns=NOTATION_COLUMNS)
    return pd.concat([notation, added], ignore_index=True) if len(notation) else added


def is_auto(note) -> bool:
    return str(note or "").startswith(AUTO)

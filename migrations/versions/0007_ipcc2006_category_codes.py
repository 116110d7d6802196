"""inventory: category codes in the IPCC 2006 scheme (forestry 4.* -> 3.B / 3.C.1.d, waste 5.* -> 4.*)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-09

Until issue 12 the catalogue coded forestry at 4.* with 1996-style names and waste at 5.*, so that a file written
in IPCC 2006 codes (4.A solid waste disposal) was read as forestry. The catalogue now follows the IPCC 2006
Guidelines (and carries each category's CRT code in carbon/inventory/tables/crt_codes.csv). This data migration
moves the stored codes, with nothing else changed (no schema change, no number changed):

- ``activity_records.category`` and ``emission_results.category``: 4.A.1 林木生长 and 4.A.2 活立木消耗 -> 3.B.1.a
  (forest land remaining forest land, gain-loss: the two stay apart by item), 4.B.1 森林转化 -> 3.B.5.b.i (forest
  land converted to settlements: the guideline's forest conversion is the 征占用林地 of the forestry statistics),
  4.B.2 its on-site burning -> 3.C.1.d (biomass burning in all other land); waste 5.* -> 4.* (5.A -> 4.A, ...).
- the JSON columns of ``inventories`` that hold category codes (``double_counts``, ``notation_keys``,
  ``carbon_balances``, ``cross_sector``): every ``category`` / ``*_category`` value and ``*_categories`` list.
  Free-text ``message`` strings are left as they were written.
- ``emission_factors.scope`` (the stored copies of the factor rows, default and local): the same mapping as
  carbon.factors.legacy_scopes applies when the old factor files are read (4 -> 3.B, 4.A.1 -> 3.B.1.a, 4.B ->
  3.B, 4.B.2 -> 3.C.1.d, the fire factors of scope 4 -> 3.C.1.d, 5.* -> 4.*), so a compile finds every stored
  copy equal to its file copy (carbon.factors.service.check_refs).

Published inventories are recoded too; their numbers are untouched. The rule "a published inventory is immutable:
corrections are new versions" protects what an inventory asserts: its figures, the data and factors they came
from, and what each figure is a figure of. A code is only the name this service gives a category, and after the
recode the string 4.A means solid waste disposal in every reader (API, RESULTS.csv, reports, intensity, key
categories). Keeping the old codes in a published inventory would make all of them present its forest sink as
solid waste disposal: that would change what the published inventory says, which is what the rule forbids. Recoding
changes no figure and no meaning, it is the same translation for every version, and it is not a correction
(nothing was wrong), so a new version would be misleading. A published inventory thus keeps its numbers and gains
the mapping: its categories now read in IPCC 2006 codes with their CRT codes beside them (``crt_category``), and the
old codes it was published under are given here and in carbon/inventory/tables/legacy_codes.csv (an old code in a
file gets a message naming the new one). Documents already rendered from it (PDF reports) keep the codes they were
printed with.

The mapping is frozen here (a migration never imports application code). Downgrade is the inverse: 3.B.1.a goes
back to 4.A.2 for the growing stock consumed (item stock_consumption) and to 4.A.1 otherwise, so stored inventories
round-trip exactly; a local factor scope recoded from an old heading (4.A, 4.B) comes back as 4.A / 4 (the same
rows it applied to), and categories that did not exist before (3.B.4 wetlands, ...) are left as they are.
Set-based UPDATEs (one per code) for the records, results and factor scopes, Python for the few JSON values (which
``alembic upgrade --sql`` cannot rewrite: it says so in the script); sa.table() only, no ORM models; the same
statements on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WOOD_REMOVALS = "stock_consumption"  # the item of 4.A.2 (活立木消耗)

# old forestry code -> IPCC 2006 (leaves, and the old headings for completeness)
FORESTRY_UP = {"4": "3.B", "4.A": "3.B.1.a", "4.A.1": "3.B.1.a", "4.A.2": "3.B.1.a", "4.B": "3.B.5.b.i",
               "4.B.1": "3.B.5.b.i", "4.B.2": "3.C.1.d"}
# IPCC 2006 -> old forestry code (3.B.1.a by item, see _category_down)
FORESTRY_DOWN = {"3.B": "4", "3.B.5.b.i": "4.B.1", "3.C.1.d": "4.B.2"}

# factor scopes (carbon.factors.legacy_scopes, frozen): 4.B is the conversion's B_before, also the fuel of its
# burning, hence 3.B; scope 4 held the fire factors in CH4 and N2O
SCOPE_UP = {"4": "3.B", "4.A": "3.B.1.a", "4.A.1": "3.B.1.a", "4.A.2": "3.B.1.a", "4.B": "3.B", "4.B.1": "3.B.5.b.i",
            "4.B.2": "3.C.1.d"}
SCOPE_UP_BY_GAS = {("4", "CH4"): "3.C.1.d", ("4", "N2O"): "3.C.1.d"}
SCOPE_DOWN = {"3.B": "4", "3.B.1.a": "4.A", "3.B.5.b.i": "4.B.1", "3.C.1.d": "4.B.2"}
# the rows of emission_factors/lulucf/ipcc2006_lulucf_v1.csv whose old scope the generic inverse does not give
LULUCF_FILE = "ipcc2006_lulucf_v1.csv"
SCOPE_DOWN_BY_FACTOR = {"IPCC06-V4-T4.7-AGB-arbor_forest": "4.B", "IPCC06-V4-T4.9-GW-arbor_forest": "4.A.1"}

activity_records = sa.table("activity_records", sa.column("id", sa.Integer), sa.column("category", sa.String),
                            sa.column("item", sa.String))
emission_results = sa.table("emission_results", sa.column("id", sa.Integer), sa.column("category", sa.String),
                            sa.column("item", sa.String))
inventories = sa.table("inventories", sa.column("id", sa.Integer), sa.column("double_counts", sa.JSON),
                       sa.column("notation_keys", sa.JSON), sa.column("carbon_balances", sa.JSON),
                       sa.column("cross_sector", sa.JSON))
emission_factors = sa.table("emission_factors", sa.column("id", sa.Integer), sa.column("factor_id", sa.String),
                            sa.column("scope", sa.String), sa.column("gas", sa.String), sa.column("basis", sa.String),
                            sa.column("file", sa.String))
JSON_COLUMNS = ("double_counts", "notation_keys", "carbon_balances", "cross_sector")


def _shift(code: str, old: str, new: str) -> str:
    """'5.A' -> '4.A' for old '5', new '4' (the sector digit of a code, itself included)."""
    return new + code[len(old):] if code == old or code.startswith(old + ".") else code


def _category_up(code: str, item: str | None = None) -> str:
    return FORESTRY_UP[code] if code in FORESTRY_UP else _shift(code, "5", "4")


def _category_down(code: str, item: str | None = None) -> str:
    if code == "3.B.1.a":
        return "4.A.2" if item == WOOD_REMOVALS else "4.A.1"
    return FORESTRY_DOWN[code] if code in FORESTRY_DOWN else _shift(code, "4", "5")


def _shift_update(table, column: str, old: str, new: str):
    """UPDATE: the sector digit of codes ``old`` and ``old.*`` becomes ``new`` ('5.A' -> '4.A'), in SQL."""
    c = table.c[column]
    return (table.update().where(sa.or_(c == old, c.like(old + ".%")))
            .values({column: sa.literal(new, sa.String) + sa.func.substr(c, 2, type_=sa.String)}))


def _recode_table(table, up: bool) -> None:
    """One UPDATE per code (the old and new codes are disjoint sets, so the order matters only between the two
    families: forestry before waste going up, waste before forestry going down, never mapping a code twice)."""
    c = table.c.category
    if up:
        for old, new in FORESTRY_UP.items():
            op.execute(table.update().where(c == old).values(category=new))
        op.execute(_shift_update(table, "category", "5", "4"))
    else:
        op.execute(_shift_update(table, "category", "4", "5"))
        op.execute(table.update().where(c == "3.B.1.a", table.c.item == WOOD_REMOVALS).values(category="4.A.2"))
        op.execute(table.update().where(c == "3.B.1.a").values(category="4.A.1"))
        for new, old in FORESTRY_DOWN.items():
            op.execute(table.update().where(c == new).values(category=old))


def _walk(value, recode: Callable[[str, str | None], str]):
    """The JSON value with every category code recoded: ``category`` / ``*_category`` strings and ``categories`` /
    ``*_categories`` lists of strings, in dicts at any depth (the sibling ``item`` decides 3.B.1.a going down)."""
    if isinstance(value, list):
        return [_walk(v, recode) for v in value]
    if not isinstance(value, dict):
        return value
    item = value.get("item") if isinstance(value.get("item"), str) else None
    out = {}
    for key, v in value.items():
        if isinstance(v, str) and (key == "category" or key.endswith("_category")):
            out[key] = recode(v, item)
        elif (isinstance(v, list) and (key == "categories" or key.endswith("_categories"))
              and all(isinstance(x, str) for x in v)):
            out[key] = [recode(x, item) for x in v]
        else:
            out[key] = _walk(v, recode)
    return out


def _recode_json(recode: Callable[[str, str | None], str]) -> None:
    if context.is_offline_mode():  # `alembic upgrade --sql`: a JSON value cannot be rewritten in plain SQL
        op.execute("-- 0007: the JSON columns of inventories (double_counts, notation_keys, carbon_balances, "
                   "cross_sector) are recoded only when this migration runs against the database (without --sql)")
        return
    conn = op.get_bind()
    rows = conn.execute(sa.select(inventories.c.id, *(inventories.c[c] for c in JSON_COLUMNS))).all()
    for row in rows:
        changes = {}
        for col in JSON_COLUMNS:
            old = getattr(row, col)
            if old is None:
                continue
            new = _walk(old, recode)
            if new != old:
                changes[col] = new
        if changes:
            conn.execute(inventories.update().where(inventories.c.id == row.id).values(**changes))


def _recode_scopes(up: bool) -> None:
    """Set-based, in an order that never maps a scope twice (old and new scopes are disjoint within a family)."""
    t = emission_factors
    s = t.c.scope
    if up:
        for (scope, gas), new in SCOPE_UP_BY_GAS.items():
            op.execute(t.update().where(s == scope, t.c.gas == gas).values(scope=new))
        for old, new in SCOPE_UP.items():
            op.execute(t.update().where(s == old).values(scope=new))
        op.execute(_shift_update(t, "scope", "5", "4"))
    else:
        op.execute(_shift_update(t, "scope", "4", "5"))
        for factor_id, old in SCOPE_DOWN_BY_FACTOR.items():
            op.execute(t.update().where(t.c.factor_id == factor_id, t.c.basis == "default", t.c.file == LULUCF_FILE,
                                        s.in_(list(SCOPE_DOWN))).values(scope=old))
        for new, old in SCOPE_DOWN.items():
            op.execute(t.update().where(s == new).values(scope=old))


def upgrade() -> None:
    _recode_table(activity_records, up=True)
    _recode_table(emission_results, up=True)
    _recode_json(_category_up)
    _recode_scopes(up=True)


def downgrade() -> None:
    _recode_scopes(up=False)
    _recode_json(_category_down)
    _recode_table(emission_results, up=False)
    _recode_table(activity_records, up=False)

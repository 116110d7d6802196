"""Issue 15 item 2: the console's factor library. The search's matches are recounted here from the stored rows, and
the local overrides marked for an inventory are recomputed from the factor_refs of its stored results."""

from __future__ import annotations

import re

from sqlalchemy import select

from carbon.core.db import session_scope
from carbon.factors.models import EmissionFactor
from carbon.inventory.models import EmissionResult
from tests.web.conftest import compile_sample


def _stored(engine) -> list[EmissionFactor]:
    with session_scope(engine) as session:
        rows = session.scalars(select(EmissionFactor)).all()
        session.expunge_all()
        return list(rows)


def _refs_on_page(html: str) -> list[str]:
    table = re.search(r'<table[^>]*id="factor-table".*?</table>', html, re.S).group(0)
    return re.findall(r'<tr data-ref="([^"]+)"', table)


def _count(html: str) -> int:
    return int(re.search(r'id="factor-count">共 (\d+) 行', html).group(1))


def test_search_by_item_gas_and_text_finds_and_filters(client, engine, sign_in):
    compile_sample(engine)  # the compile copies the library into the table
    stored = _stored(engine)
    by_ref = {f.ref: f for f in stored}
    sign_in()
    page = client.get("/console/factors")
    assert page.status_code == 200 and _count(page.text) == len(stored)
    assert len(_refs_on_page(page.text)) == min(100, len(stored)) and 'id="next-page"' in page.text

    page = client.get("/console/factors", params={"item": "原煤", "gas": "CO2"}).text
    expected = {f.ref for f in stored if f.item == "raw_coal" and f.gas == "CO2"}  # the item by its Chinese name
    assert expected and _count(page) == len(expected) and set(_refs_on_page(page)) == expected

    page = client.get("/console/factors", params={"item": "原煤", "gas": "-"}).text  # NCV, oxidation: every gas
    expected = {f.ref for f in stored if f.item == "raw_coal" and f.gas == ""}
    assert expected and set(_refs_on_page(page)) == expected

    text = "ipcc"
    columns = ("factor_id", "item", "parameter", "scope", "source", "source_table", "edition", "note")
    expected = {f.ref for f in stored if any(text in (getattr(f, c) or "").lower() for c in columns)}
    page = client.get("/console/factors", params={"q": "IPCC"}).text
    assert 0 < _count(page) == len(expected) < len(stored)
    assert set(_refs_on_page(page)) <= expected
    # every row shows id, version, value, unit, gas, source, table, edition and validity
    ref = _refs_on_page(page)[0]
    f = by_ref[ref]
    row = re.search(rf'<tr data-ref="{re.escape(ref)}".*?</tr>', page, re.S).group(0)
    for shown in (f.factor_id, f.unit, f.source_table, f.edition, f"{f.valid_from or '…'}—{f.valid_to or '…'}"):
        assert str(shown) in row.replace("&#39;", "'").replace("&amp;", "&"), shown
    page = client.get("/console/factors", params={"q": "no such factor anywhere"}).text
    assert _count(page) == 0 and 'id="no-factors"' in page
    page = client.get("/console/factors", params={"q": "100%_"}).text  # LIKE wildcards are literal
    assert _count(page) == sum(1 for f in stored if any("100%_" in (getattr(f, c) or "").lower() for c in columns))


def test_the_local_overrides_an_inventory_used_are_marked(client, engine, sign_in):
    inventory_id = compile_sample(engine)
    with session_scope(engine) as session:
        used = {ref for (refs,) in session.execute(select(EmissionResult.factor_refs)
                                                   .where(EmissionResult.inventory_id == inventory_id))
                for ref in refs.split(";") if ref}
    stored = _stored(engine)
    local_used = {f.ref for f in stored if f.basis == "local" and f.ref in used}
    assert local_used  # the sample's local measured parameters replaced defaults
    sign_in()
    page = client.get("/console/factors", params={"inventory": inventory_id, "basis": "local"}).text
    overrides = re.search(r'<section class="card" id="overrides">.*?</section>', page, re.S).group(0)
    assert set(re.findall(r'class="override" data-ref="([^"]+)"', overrides)) == local_used
    assert f"共使用 {len(used)} 个因子行" in overrides
    marked = set(re.findall(r'<tr data-ref="([^"]+)" class="used override"', page))
    assert marked == local_used & set(_refs_on_page(page))
    plain = client.get("/console/factors", params={"basis": "local"}).text
    assert 'class="used' not in plain and 'id="overrides"' not in plain
    assert client.get("/console/factors", params={"inventory": 999999}).status_code == 404


def test_the_factor_library_is_for_the_bureau(client, engine, sign_in):
    sign_in("emitter")
    response = client.get("/console/factors")
    assert response.status_code == 403 and "仅供生态环境局" in response.text

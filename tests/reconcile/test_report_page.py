"""Issue 16 point 2: reconciliation is a page of the inventory report (the chapter 重点排放单位与清单对照), beside
`carbon reconcile` and the API: the plant exceeding a small inventory appears as a finding in Chinese, its coverage
is worked here from the stored figures (not read back from the chapter)."""

from __future__ import annotations

import re

from carbon.core.db import session_scope
from carbon.reporting import service as reporting
from tests.reconcile.test_service import VERIFIED_T, _compiled, _inventory_t, _verified_plant


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _chapter(text: str) -> str:
    start = text.rindex("重点排放单位与清单对照")  # the chapter itself, not its 目录 line
    return text[start:text.index("核查结果", start)]


def test_the_report_has_the_reconciliation_chapter_with_its_finding(engine, world):
    with session_scope(engine) as s:
        _verified_plant(s, world.verifier_a)
        inventory = _compiled(s, 1_000)
        inv_t = _inventory_t(s, inventory)
        html = reporting.report_html(s, year=2022, draws=0)
    text = _text(html)
    assert text.count("重点排放单位与清单对照") == 2  # listed in the 目录, and the chapter
    chapter = _chapter(text)
    assert "达拉特旗" in chapter and "1.A.1.a" in chapter
    assert f"{VERIFIED_T:,.0f} t" in chapter and f"{inv_t:,.0f} t" in chapter  # the finding's two figures
    assert "超过清单数值" in chapter and "重点排放单位超过清单" in chapter
    assert f"{VERIFIED_T / inv_t * 100:,.1f}%" in chapter  # coverage of the banner row, worked here
    assert "不从清单中扣减" in chapter  # the 碳普惠 pool beside the city total, never netted


def test_a_year_without_emitters_shows_zero_coverage(engine, world):
    with session_scope(engine) as s:
        _compiled(s, 3_000_000)
        html = reporting.report_html(s, year=2022, draws=0)
    chapter = _chapter(_text(html))
    assert "无重点排放单位" in chapter and "0.0%" in chapter and "对照未发现问题" in chapter

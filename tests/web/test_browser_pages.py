"""The bureau's analysis and administration pages in a real browser (headless Chromium, a real uvicorn server): the
compiled sample with the synthetic economy and plan indicators; intensity and targets, key categories and
uncertainty, the factor library marking the inventory's local parameters, key emitters, 碳普惠 daily totals. Each
page must render its table and draw its ECharts chart (SVG inside the chart element); screenshots go to
out/screenshots/. Skipped, saying why, when chromium is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from carbon.core.auth import create_token
from carbon.core.db import make_engine, session_scope
from carbon.intensity import service as intensity_service
from tests.web.conftest import compile_sample
from tests.web.live import live_server, sqlite_copy
from tests.web.test_analysis_pages import ECONOMY, PLAN
from tests.web.test_browser import CHROMIUM, SCREENSHOTS, browser  # noqa: F401 - the browser fixture, reused

pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="Debian's chromium is not installed (scripts/bootstrap installs it)")


@pytest.fixture
def sample_server(tmp_path: Path, _sqlite_head_template: Path) -> Iterator[tuple[str, str, int]]:
    """(base URL, a bureau token, the compiled sample inventory's id)."""
    url = sqlite_copy(_sqlite_head_template, tmp_path)
    engine = make_engine(url)
    inventory_id = compile_sample(engine)
    with session_scope(engine) as session:
        intensity_service.import_economy(session, content=ECONOMY.read_bytes(), filename=ECONOMY.name)
        intensity_service.import_plan_indicators(session, content=PLAN.read_bytes(), filename=PLAN.name)
        token = create_token(session, "bureau", "清单科 张三")
    engine.dispose()
    with live_server(url) as base:
        yield base, token, inventory_id


def _drawn(browser, selector: str) -> bool:
    """ECharts drew into the element (console.js uses the SVG renderer and marks the element rendered)."""
    return browser.js(f"document.querySelector({selector!r}).dataset.rendered === '1' && "
                      f"document.querySelectorAll({selector!r} + ' svg').length > 0")


def test_bureau_analysis_and_admin_pages(sample_server, browser) -> None:  # noqa: F811
    base, token, inventory_id = sample_server
    shot = lambda name: browser.screenshot(SCREENSHOTS / f"{name}.png")  # noqa: E731

    browser.goto(base + "/console/login")
    browser.fill("#token", token)
    browser.click_and_wait("#login-form button")

    browser.goto(base + f"/console/inventories/{inventory_id}/intensity")
    assert "单位GDP二氧化碳排放" in browser.text("h1")
    rows = browser.js("document.querySelectorAll('#intensity-table tbody tr').length")
    assert rows >= 10  # the city and its nine banners/districts
    assert _drawn(browser, "#chart"), "the intensity chart was drawn"
    shot("12_intensity")

    browser.goto(base + f"/console/inventories/{inventory_id}/key-categories")
    assert "关键类别" in browser.text("h1")
    assert browser.js("document.querySelectorAll('#level-table tbody tr').length") > 0
    assert float(browser.text("#u-pct")) > 0  # the total's uncertainty was computed and shown (figures: test_analysis_pages)
    shot("13_key_categories")

    browser.goto(base + f"/console/factors?inventory={inventory_id}")
    assert browser.js("document.querySelectorAll('#overrides tbody tr').length") > 0  # the sample's local factors
    assert browser.js("document.querySelectorAll('#factor-table tbody tr').length") > 0
    shot("14_factors")

    browser.goto(base + "/console/ets")
    assert "重点排放单位" in browser.text("h1")
    shot("15_ets_bureau")

    browser.goto(base + "/console/puhui/daily")
    assert "每日行为与积分" in browser.text("h1")
    assert _drawn(browser, "#daily-chart"), "the daily chart was drawn"
    shot("16_puhui_daily")

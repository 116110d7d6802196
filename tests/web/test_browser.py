"""Issue 15 in a real browser: Debian's headless Chromium (tests/web/cdp.py) against a real uvicorn server.

A bureau clerk signs in with a token, creates the 2022 inventory, uploads a file with bad rows and sees the error
table, uploads the sample, compiles it with the local factors, opens the city total and clicks down (sector →
category → banner → one item) to the activity rows, publishes, and sees the public page; a form whose CSRF token
was taken out is refused. Screenshots of each page go to out/screenshots/ (kept out of git by .gitignore's /out/).
Skipped, saying why, when chromium is not installed (scripts/bootstrap installs it).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from carbon.core.auth import create_token
from carbon.core.db import make_engine, session_scope
from tests.web.cdp import Browser
from tests.web.conftest import LOCAL_FACTORS, SAMPLE
from tests.web.live import live_server, sqlite_copy
from tests.web.test_console import BAD_ROWS

CHROMIUM = shutil.which("chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="Debian's chromium is not installed (scripts/bootstrap installs it)")


@pytest.fixture
def server(tmp_path: Path, _sqlite_head_template: Path) -> Iterator[tuple[str, str]]:
    """(base URL, a bureau token) of uvicorn on a free port of 127.0.0.1, on a copy of the migrated template."""
    url = sqlite_copy(_sqlite_head_template, tmp_path)
    engine = make_engine(url)
    with session_scope(engine) as session:
        token = create_token(session, "bureau", "清单科 张三")
    engine.dispose()
    with live_server(url) as base:
        yield base, token


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    b = Browser(CHROMIUM, tmp_path / "profile")
    try:
        yield b
    finally:
        b.close()


def test_bureau_workflow_in_a_browser(server: tuple[str, str], browser: Browser, tmp_path: Path) -> None:
    base, token = server
    shot = lambda name: browser.screenshot(SCREENSHOTS / f"{name}.png")  # noqa: E731

    browser.goto(base + "/console/inventories")  # not signed in: the sign-in form
    assert "/console/login" in browser.js("location.pathname")
    shot("01_login")
    browser.fill("#token", token)
    browser.click_and_wait("#login-form button")
    assert browser.js("location.pathname") == "/console/inventories"
    assert browser.js("document.cookie") == ""  # the session cookie is HttpOnly: no script reads it

    browser.fill("#create-form input[name=year]", "2022")
    browser.click_and_wait("#create-form button")
    assert "草稿" in browser.text("#status")
    inventory_page = browser.js("location.pathname")

    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_ROWS, encoding="utf-8")
    browser.set_file("#upload-file", bad)
    browser.click_and_wait("#upload-button")
    errors = browser.text("#row-errors")
    assert "万米" in errors and "火星" in errors
    assert browser.js("document.querySelectorAll('#row-errors tbody tr').length") >= 2
    shot("02_upload_rejected")

    browser.set_file("#upload-file", SAMPLE)
    browser.click_and_wait("#upload-button")
    assert "数据已导入" in browser.text("#done")
    # while the server compiles, the button is disabled and a progress bar says so (the submit held back here to see it)
    here = browser.js("location.href")
    browser.js("document.querySelector('#compile-form').addEventListener('submit', e => e.preventDefault()); "
               "document.querySelector('#compile-button').click(); true")
    assert browser.js("document.querySelector('#compile-button').disabled") is True
    assert "正在编制清单" in browser.text("#compile-form-busy")
    assert browser.js("!!document.querySelector('#compile-form-busy progress')")
    browser.goto(here)
    browser.set_file("#factors-file", LOCAL_FACTORS)
    browser.click_and_wait("#compile-button")
    assert "编制完成" in browser.text("#done") and "已编制" in browser.text("#status")
    shot("03_compiled")

    browser.click_and_wait("#city-total")  # the city total → its sectors
    assert browser.js("document.querySelector('#chart').dataset.rendered") == "1"
    assert browser.js("document.querySelectorAll('#chart svg').length") >= 1  # ECharts drew the chart
    shot("04_results_city")
    browser.click_and_wait("#results-table tr[data-key=energy] a.drill")
    assert "能源活动" in browser.text("h1")
    shot("05_results_energy")
    browser.click_and_wait("#results-table tr[data-key='1.A.1.a'] a.drill")
    assert "电力和热力生产" in browser.text("h1") and "达拉特旗" in browser.text("#results-table")
    shot("06_results_category_banners")
    browser.click_and_wait("#results-table tr[data-key='150621'] a.why")  # 达拉特旗's 1.A.1.a
    assert "这个数字是怎么来的" in browser.text("h1")
    shot("07_explain_banner")
    browser.click_and_wait("#components a.component")  # one item and gas: its activity rows and factor rows
    assert browser.js("document.querySelectorAll('tr.record').length") >= 1
    assert "ordos_2022_synthetic.csv" in browser.text("table.records")
    assert browser.text("#figure") and browser.text("#sum")
    shot("08_explain_activity_rows")

    browser.goto(base + inventory_page)
    browser.click_and_wait("#publish-button")
    assert "已发布" in browser.text("#status")
    browser.goto(base + "/public")
    assert "鄂尔多斯市" in browser.text("#public-list")
    shot("09_public_list")
    browser.click_and_wait("#public-list a")
    assert browser.js("document.querySelector('#chart').dataset.rendered") == "1"
    shot("10_public_results")

    # a form without its CSRF token is refused
    browser.goto(base + inventory_page)
    browser.js("document.querySelector('#version-form input[name=csrf]').remove()")
    browser.click_and_wait("#version-form button")
    assert "CSRF" in browser.text("#page-error")
    shot("11_csrf_refused")

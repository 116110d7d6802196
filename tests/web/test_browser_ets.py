"""Issue 15 item 4 in a real browser (tests/web/cdp.py, headless Chromium, a real uvicorn server): a verifier signs
in, sees its own engagement only, records a document review through the form, and opening another organisation's
engagement URL shows the refusal page (404, as the API answers). Screenshots go to out/screenshots/ like
test_browser.py's; skipped, saying why, when chromium is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from carbon.core.auth import create_token, hash_token
from carbon.core.db import make_engine, session_scope
from carbon.core.models import ApiToken
from carbon.ets import service
from tests.ets.helpers import E1_REPORT, EMITTER_A, EMITTER_B
from tests.web.live import live_server, sqlite_copy
from tests.web.test_browser import CHROMIUM, SCREENSHOTS, browser  # noqa: F401 - the browser fixture, reused

pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="Debian's chromium is not installed (scripts/bootstrap installs it)")


def _world(url: str) -> dict:
    """Verifier A checks emitter A's 2022 report, verifier B emitter B's; a bound token for each verifier."""
    engine = make_engine(url)
    with session_scope(engine) as s:
        tokens = {name: create_token(s, "verifier", name) for name in ("甲核查机构 李四", "乙核查机构 王五")}
        s.flush()
        ids = {name: s.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(t)))
               for name, t in tokens.items()}
        service.create_emitter(s, uscc=EMITTER_A, name="鄂尔多斯甲电厂", region="东胜区", actor="test",
                               units=[{"code": "1", "type": "coal_300_plus", "capacity_mw": 600, "cooling": "water"}])
        service.create_emitter(s, uscc=EMITTER_B, name="鄂尔多斯乙电厂", region="准格尔旗", actor="test",
                               units=[{"code": "1", "type": "coal_300_plus", "capacity_mw": 600, "cooling": "water"}])
        va = service.create_verifier(s, name="甲核查机构", actor="test").id
        vb = service.create_verifier(s, name="乙核查机构", actor="test").id
        service.bind_principal(s, token_id=ids["甲核查机构 李四"], verifier_id=va, actor="test")
        service.bind_principal(s, token_id=ids["乙核查机构 王五"], verifier_id=vb, actor="test")
        for uscc in (EMITTER_A, EMITTER_B):
            service.submit_report(s, uscc=uscc, payload=E1_REPORT, actor="test")
        ga = service.assign_verifier(s, uscc=EMITTER_A, year=2022, verifier_id=va, actor="test").id
        gb = service.assign_verifier(s, uscc=EMITTER_B, year=2022, verifier_id=vb, actor="test").id
    engine.dispose()
    return {"token_a": tokens["甲核查机构 李四"], "mine": ga, "theirs": gb}


@pytest.fixture
def ets_server(tmp_path: Path, _sqlite_head_template: Path) -> Iterator[tuple[str, dict]]:
    """(base URL, the world) of uvicorn on a free port of 127.0.0.1, on a copy of the migrated template."""
    url = sqlite_copy(_sqlite_head_template, tmp_path)
    world = _world(url)
    with live_server(url) as base:
        yield base, world


def test_verifier_sees_its_engagement_and_is_refused_another(ets_server, browser) -> None:  # noqa: F811
    base, world = ets_server
    shot = lambda name: browser.screenshot(SCREENSHOTS / f"{name}.png")  # noqa: E731

    browser.goto(base + "/console/ets/engagements")  # not signed in: the sign-in form
    assert "/console/login" in browser.js("location.pathname")
    browser.fill("#token", world["token_a"])
    browser.click_and_wait("#login-form button")
    assert browser.js("location.pathname") == "/console/ets/engagements"
    ids = browser.js("[...document.querySelectorAll('#engagement-list tr[data-id]')].map(r => +r.dataset.id)")
    assert ids == [world["mine"]]
    assert "鄂尔多斯甲电厂" in browser.text("#engagement-list") and "乙电厂" not in browser.text("#engagement-list")
    shot("ets_01_verifier_engagements")

    browser.click_and_wait(f"#engagement-list tr[data-id='{world['mine']}'] a")
    assert "2,946,003" in browser.text("#reported")  # example E-1's reported emissions
    browser.fill("#review-form input[name=notes]", "文件评审：燃煤消耗台账")
    browser.click_and_wait("#review-form button")
    assert "已记录评审" in browser.text("#done") and "燃煤消耗台账" in browser.text("#reviews")
    assert "核查中" in browser.text("#state")
    shot("ets_02_verifier_engagement_review")

    browser.goto(base + f"/console/ets/engagements/{world['theirs']}")  # verifier B's engagement
    assert "404" in browser.text("h1") and "不属于您的机构" in browser.text("#page-error")
    assert "乙电厂" not in browser.text()
    shot("ets_03_other_engagement_refused")

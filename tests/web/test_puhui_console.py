"""Issue 15 item 6: the bureau's 碳普惠 pages through TestClient on the real database (SQLite and PostgreSQL):
who may see them, daily totals against the ledger, stock against redemptions, retired grams against the
retirements, CSRF and the one-time form key on the writes."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from carbon.core.db import session_scope
from carbon.core.settings import get_settings
from carbon.puhui import ledger, rules, service
from carbon.puhui.models import PuhuiAccount, PuhuiJournal, PuhuiPosting, PuhuiReward
from carbon.puhui.wechat import Code2Session
from tests.web.conftest import csrf_of

SECRET = "test-openid-secret"
PAGES = ("/console/puhui/methodologies", "/console/puhui/rewards", "/console/puhui/daily", "/console/puhui/pool")


@pytest.fixture(autouse=True)
def evidence_taken_as_given(monkeypatch):
    """The behaviours below are recorded without operator evidence (walking is self-reported anyway)."""
    monkeypatch.setenv("CARBON_PUHUI_EVIDENCE_CHECK", "0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _resident(session) -> int:
    _, user = service.login(session, identity=Code2Session(openid=uuid.uuid4().hex), secret=SECRET)
    return user.id


def _walk(session, user_id: int, steps: int, at: datetime) -> dict:
    """A walk at ``at``, recorded one minute later (so the award posting falls on the same China day)."""
    claim = service.Claim(type="walking", quantity=Decimal(steps), unit="steps", occurred_at=at)
    outcome = service.record_behaviour(session, user_id=user_id, claim=claim, secret=SECRET,
                                       now=at + timedelta(minutes=1))
    assert outcome.status == 201, outcome.body
    return outcome.body


def _num(text: str) -> int:
    return int(text.replace(",", ""))


def _cell(html: str, row_attr: str, value: str, cls: str) -> int:
    row = re.search(rf'<tr {row_attr}="{re.escape(value)}">(.*?)</tr>', html, re.S)
    assert row, f"row {row_attr}={value} on the page"
    return _num(re.search(rf'class="num {cls}">([\d,]+)<', row.group(1)).group(1))


def _by_id(html: str, element_id: str) -> int:
    return _num(re.search(rf'id="{element_id}">([\d,]+)<', html).group(1))


# --- who may see the pages --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["citizen", "emitter", "verifier"])
def test_other_roles_are_refused_and_see_no_link(client, sign_in, role):
    sign_in(role)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "仅供生态环境局" in response.text
    assert 'id="nav-puhui"' not in client.get("/public").text


def test_pages_need_sign_in_and_the_bureau_sees_them(client, sign_in):
    response = client.get("/console/puhui/rewards", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/console/login?next=")
    sign_in("bureau")
    assert 'id="nav-puhui"' in client.get("/public").text
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'id="puhui-nav"' in response.text


# --- daily totals --------------------------------------------------------------------------------------------

def test_daily_totals_are_the_ledger_awards_per_china_day(client, sign_in, engine):
    today = datetime.now(rules.CHINA_TZ).replace(hour=10, minute=0, second=0, microsecond=0)
    walks = [(1, 12000), (1, 15000), (2, 3000), (3, 12000), (3, 12000), (3, 12000), (40, 5000)]  # (days ago, steps)
    claimed: dict = defaultdict(int)
    with session_scope(engine) as session:
        alice, bob = _resident(session), _resident(session)
        for i, (ago, steps) in enumerate(walks):
            at = today - timedelta(days=ago, minutes=i)
            _walk(session, alice if i % 2 == 0 else bob, steps, at)
            claimed[at.date()] += 1
    # the expected points: the residents' award postings created by the walks above, per China day
    with session_scope(engine) as session:
        postings = session.execute(
            select(PuhuiPosting.amount, PuhuiPosting.created_at)
            .join(PuhuiAccount, PuhuiAccount.id == PuhuiPosting.account_id)
            .join(PuhuiJournal, PuhuiJournal.id == PuhuiPosting.journal_id)
            .where(PuhuiJournal.kind == "award", PuhuiAccount.key.in_(
                [ledger.user_account(alice, "points"), ledger.user_account(bob, "points")]))).all()
    points: dict = defaultdict(int)
    for amount, created_at in postings:
        points[created_at.astimezone(rules.CHINA_TZ).date()] += amount
    capped_day = (today - timedelta(days=3)).date()
    assert points[capped_day] < 3 * 12000 * 0.02  # the day cap took some: the page must not show claimed points

    sign_in("bureau")
    page = client.get("/console/puhui/daily")
    assert page.status_code == 200
    recent = [d for d in claimed if d > (today - timedelta(days=30)).date()]
    for day in recent:
        assert _cell(page.text, "data-date", day.isoformat(), "behaviours") == claimed[day]
        assert _cell(page.text, "data-date", day.isoformat(), "points") == points[day]
    assert _by_id(page.text, "total-behaviours") == sum(claimed[d] for d in recent)
    assert _by_id(page.text, "total-points") == sum(points[d] for d in recent)
    old = (today - timedelta(days=40)).date()
    assert f'data-date="{old.isoformat()}"' not in page.text  # outside the default 30 days
    assert 'data-puhui-chart="daily-data"' in page.text and "puhui.js" in page.text

    wide = client.get("/console/puhui/daily", params={"start": old.isoformat(), "end": today.date().isoformat()})
    assert _cell(wide.text, "data-date", old.isoformat(), "points") == points[old]
    assert _by_id(wide.text, "total-points") == sum(points.values())
    assert client.get("/console/puhui/daily", params={"start": "2025-13-01"}).status_code == 422


# --- rewards and stock ------------------------------------------------------------------------------------------

def test_stock_shown_is_initial_minus_redeemed_and_a_restock_is_done_once(client, sign_in, engine):
    initial, cost = 5, 100
    now = datetime.now(rules.CHINA_TZ)
    with session_scope(engine) as session:
        reward = service.create_reward(session, name="公交乘车券", cost_points=cost, stock=initial)
        reward_id = reward.id
        user = _resident(session)
        earned = _walk(session, user, 15000, now - timedelta(hours=2))["points"]
        redeemed = 0
        for _ in range(earned // cost):
            assert service.redeem(session, user_id=user, reward_id=reward_id).status == 201
            redeemed += 1
    assert redeemed == 3

    csrf = sign_in("bureau")
    page = client.get("/console/puhui/rewards")
    assert _cell(page.text, "data-reward", str(reward_id), "stock") == initial - redeemed
    assert _cell(page.text, "data-reward", str(reward_id), "redeemed") == redeemed
    assert _cell(page.text, "data-reward", str(reward_id), "cost") == cost

    key = re.search(rf'name="key" value="([^"]+-{reward_id})"', page.text).group(1)
    url = f"/console/puhui/rewards/{reward_id}/stock"
    assert client.post(url, data={"stock_add": "4", "key": key}).status_code == 403  # no CSRF token
    first = client.post(url, data={"csrf": csrf, "stock_add": "4", "key": key}, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].endswith("done=stock")
    again = client.post(url, data={"csrf": csrf, "stock_add": "4", "key": key}, follow_redirects=False)
    assert again.headers["location"].endswith("done=replayed")  # the same form sent twice: added once
    with session_scope(engine) as session:
        assert session.get(PuhuiReward, reward_id).stock == initial - redeemed + 4
    page = client.get("/console/puhui/rewards")
    assert _cell(page.text, "data-reward", str(reward_id), "stock") == initial - redeemed + 4
    too_many = client.post(url, data={"csrf": csrf, "stock_add": "-100", "key": key + "x"})
    assert too_many.status_code == 409 and 'id="form-error"' in too_many.text
    assert client.post(url, data={"csrf": csrf, "stock_add": "abc", "key": key + "y"}).status_code == 422


# --- pool and retirements ---------------------------------------------------------------------------------------

def test_retired_grams_are_the_sum_of_the_retirements(client, sign_in, engine):
    now = datetime.now(rules.CHINA_TZ)
    retirements = [("2026 鄂尔多斯马拉松", 70), ("康巴什区低碳会议", 45)]
    with session_scope(engine) as session:
        pooled = 0
        for steps in (8000, 6000):
            user = _resident(session)
            _walk(session, user, steps, now - timedelta(hours=3))
            pooled += service.contribute(session, user_id=user).body["reduction_g"]
        claims = [service.retire(session, name=name, beneficiary="市生态环境局", reduction_g=grams)
                  for name, grams in retirements]
        claim_ids = [c.id for c in claims]
    retired = sum(grams for _, grams in retirements)

    sign_in("bureau")
    page = client.get("/console/puhui/pool")
    assert page.status_code == 200
    assert _by_id(page.text, "retired-g") == retired
    assert _by_id(page.text, "pooled-g") == pooled
    assert _by_id(page.text, "available-g") == pooled - retired
    assert 'id="consistent">一致<' in page.text
    for claim_id, (name, grams) in zip(claim_ids, retirements, strict=True):
        row = re.search(rf'<tr data-claim="{claim_id}">(.*?)</tr>', page.text, re.S).group(1)
        assert name in row and _num(re.search(r'class="num grams">([\d,]+)<', row).group(1)) == grams
        assert "北京时间" in row


# --- methodologies ----------------------------------------------------------------------------------------------

def _walking_form(page_html: str) -> dict:
    fields = dict(re.findall(r'<input type="(?:text|number|date)" name="(\w+)" value="([^"]*)"', page_html))
    fields.update(confidence="medium", cap_period="day")
    return fields


def test_methodologies_are_listed_and_a_new_version_is_published_once(client, sign_in, engine):
    csrf = sign_in("bureau")
    page = client.get("/console/puhui/methodologies", params={"code": "walking"})
    table = re.search(r'<table class="data methodology" data-code="walking">(.*?)</table>', page.text, re.S).group(1)
    assert '<tr data-version="1">' in table and "0.02 g CO2e/step" in table
    assert '<td class="evidence">否</td>' in table
    with session_scope(engine) as session:
        known = [(m.code, m.version) for m in service.list_methodologies(session)]

    form = _walking_form(page.text)
    assert form["code"] == "walking" and form["factor"] == "0.02"
    form.update(factor="0.025", source="鄂尔多斯市生态环境局 2026 年测算（测试）", valid_from="2026-01-01",
                key=re.search(r'name="key" value="([^"]+)"', page.text).group(1))
    assert client.post("/console/puhui/methodologies", data=form).status_code == 403  # no CSRF token
    with session_scope(engine) as session:
        assert [(m.code, m.version) for m in service.list_methodologies(session)] == known

    sent = client.post("/console/puhui/methodologies", data={**form, "csrf": csrf, "evidence_required": "1"},
                       follow_redirects=False)
    assert sent.status_code == 303 and "done=published" in sent.headers["location"]
    replay = client.post("/console/puhui/methodologies", data={**form, "csrf": csrf, "evidence_required": "1"},
                         follow_redirects=False)
    assert "done=replayed" in replay.headers["location"]  # one version, not two
    api = client.get("/api/v1/puhui/methodologies", params={"code": "walking"}).json()
    assert [m["version"] for m in api] == [1, 2]
    assert api[1]["factor"] == "0.025" and api[1]["evidence_required"] is True
    assert api[1]["origin"].startswith("console: ")

    page = client.get("/console/puhui/methodologies")
    table = re.search(r'data-code="walking">(.*?)</table>', page.text, re.S).group(1)
    v2 = re.search(r'<tr data-version="2">(.*?)</tr>', table, re.S).group(1)
    assert "0.025 g CO2e/step" in v2 and '<td class="evidence">是</td>' in v2

    bad = client.post("/console/puhui/methodologies", data={**form, "csrf": csrf, "factor": "-1", "key": "other"})
    assert bad.status_code == 422 and "减排因子" in bad.text

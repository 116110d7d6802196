"""碳普惠 errors in Chinese by default, in English on request (issue 19, point 5).

The mini-program reads ``code`` and ``field`` (unchanged); ``message`` is for people: Chinese unless the request
asks for English, and then word for word the text the API gave before the catalogue.
"""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from carbon.core.settings import get_settings
from carbon.puhui import methodologies, ratelimit, wechat
from tests.puhui.conftest import API, ago, bus

CJK = re.compile(r"[\u4e00-\u9fff]")
EN = {"Accept-Language": "en"}


def _error(r, status: int) -> dict:
    assert r.status_code == status, r.text
    return r.json()["error"]


def test_a_rejected_claim_is_chinese_by_default_and_english_on_request(pclient, resident):
    alice = resident()
    body = {**bus(8), "occurred_at": ago(days=-1)}
    zh = _error(pclient.post(f"{API}/behaviours", json=body, headers=alice), 422)
    en = _error(pclient.post(f"{API}/behaviours", json=body, headers={**alice, **EN}), 422)
    assert (zh["code"], zh["field"]) == (en["code"], en["field"]) == ("occurred_in_future", "occurred_at")
    assert zh["message"] == "occurred_at 是将来的时间"
    assert en["message"] == "occurred_at is in the future"


def test_a_speed_rejection_keeps_its_figures_in_both_languages(pclient, resident):
    alice = resident()
    body = {**bus(8), "duration_s": 60}  # 8 km in a minute: 480 km/h
    zh = _error(pclient.post(f"{API}/behaviours", json=body, headers=alice), 422)
    en = _error(pclient.post(f"{API}/behaviours", json=body, headers={**alice, **EN}), 422)
    assert zh["code"] == en["code"] == "speed_too_high" and zh["field"] == "duration_s"
    assert zh["message"].startswith("bus: 平均速度 480.0 km/h 高于 ")
    assert en["message"].startswith("bus: average speed 480.0 km/h is above ")
    assert zh["message"].split(" ")[-2] == en["message"].split(" ")[-2]  # the same limit


def test_a_redemption_without_points_and_a_bad_session(pclient, resident, bureau_token):
    bureau = {"Authorization": f"Bearer {bureau_token}"}
    reward = pclient.post(f"{API}/rewards", json={"name": "公交乘车券", "cost_points": 200, "stock": 1},
                          headers={**bureau, "Idempotency-Key": "reward-zh"}).json()["id"]
    alice = resident()
    zh = _error(pclient.post(f"{API}/redemptions", json={"reward_id": reward},
                             headers={**alice, "Idempotency-Key": "r-zh"}), 409)
    en = _error(pclient.post(f"{API}/redemptions", json={"reward_id": reward},
                             headers={**alice, **EN, "Idempotency-Key": "r-en"}), 409)
    assert zh["code"] == en["code"] == "insufficient_points" and zh["field"] == en["field"] == "reward_id"
    assert zh["message"] == "兑换该奖品需要 200 积分; 当前积分余额为 0"
    assert en["message"] == "this reward costs 200 points; the balance is 0"

    nobody = {"Authorization": "Bearer nope"}
    zh = _error(pclient.get(f"{API}/me", headers=nobody), 401)
    en = _error(pclient.get(f"{API}/me", headers={**nobody, **EN}), 401)
    assert zh["code"] == en["code"] == "unauthorized"
    assert zh["message"] == "会话无效或已过期, 请重新登录"
    assert en["message"] == "invalid or expired session; log in again"


def test_a_wechat_login_error_in_both_languages(pclient):
    zh = _error(pclient.post(f"{API}/login", json={"code": "dev-"}), 401)
    en = _error(pclient.post(f"{API}/login", json={"code": "dev-"}, headers=EN), 401)
    assert zh["code"] == en["code"] == "wechat_invalid_code" and zh["field"] == en["field"] == "code"
    assert CJK.search(zh["message"]) and "dev-<name>" in zh["message"]
    assert en["message"] == "development login codes look like dev-<name> (name: 1-64 characters)"


def test_wechat_errcodes_and_rate_limits_keep_their_english():
    with pytest.raises(wechat.WeChatInvalidCode) as info:
        wechat.parse_response({"errcode": 40029, "errmsg": "invalid code"})
    assert info.value.message == "the login code is invalid or was already used; call wx.login again"
    assert info.value.errcode == 40029 and "wx.login" in info.value.text("zh") and CJK.search(info.value.text("zh"))
    with pytest.raises(wechat.WeChatError) as info:
        wechat.parse_response({"errcode": 99999})
    assert info.value.message == "WeChat login failed (errcode 99999)"
    assert info.value.text("zh") == "微信登录失败 (errcode 99999)"

    limited = ratelimit.refusal([("user:7", 5), ("ip:1.2.3.4", 50)],
                                [ratelimit.Decision(False, 6, 42), ratelimit.Decision(True, 6, 0)])
    assert limited.retry_after == 42
    assert limited.message == "too many requests for this resident; retry after 42 s"
    assert limited.text("zh") == "该居民的请求过于频繁; 请在 42 秒后重试"


def test_a_wrapped_error_shows_the_inner_one_in_the_same_language(tmp_path):
    """A data row's error names the row and carries the cell's own message, in the language asked for."""
    path = tmp_path / "bad.csv"  # a factor per kWh for a quantity in km: the units' own error, wrapped
    path.write_text("code,version,name_zh,quantity_unit,factor,factor_unit,source\n"
                    "bus_test,1,公交,km,30,g/kWh,somewhere\n", encoding="utf-8")
    with pytest.raises(methodologies.ValidationError) as info:
        methodologies.load_file(path)
    en, zh = info.value.message, info.value.text("zh")
    assert en.startswith("bad.csv data row 1: ") and zh.startswith("bad.csv 第 1 行数据: ")
    assert en.removeprefix("bad.csv data row 1: ") != zh.removeprefix("bad.csv 第 1 行数据: ")
    assert CJK.search(zh.removeprefix("bad.csv 第 1 行数据: "))


def test_the_cli_speaks_chinese_unless_asked(migrated_url, monkeypatch):
    from carbon.cli import app

    monkeypatch.setenv("CARBON_DATABASE_URL", migrated_url)
    get_settings.cache_clear()
    args = ["puhui", "expire", "--as-of", "2026-01-01T00:00:00"]
    zh = CliRunner().invoke(app, args)
    en = CliRunner().invoke(app, args, env={"CARBON_LANG": "en"})
    assert zh.exit_code == en.exit_code == 2
    assert "--as-of 需要带时区, 例如 2026-01-01T00:00:00+08:00" in zh.stderr
    assert "--as-of needs a time zone, e.g. 2026-01-01T00:00:00+08:00" in en.stderr

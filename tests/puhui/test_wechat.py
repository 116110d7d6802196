"""code2Session against a loopback stand-in for api.weixin.qq.com: success, each mapped error code, network
failures; the session_key and app secret never show up where they must not."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from carbon.puhui import wechat
from carbon.puhui.wechat import WeChatClient

ANSWERS = {
    "good": {"openid": "o-123", "session_key": "SECRET-SESSION-KEY", "unionid": "u-9"},
    "bad": {"errcode": 40029, "errmsg": "invalid code"},
    "busy-user": {"errcode": 45011, "errmsg": "api minute-quota reach limit"},
    "risky": {"errcode": 40226, "errmsg": "high risk user"},
    "busy": {"errcode": -1, "errmsg": "system error"},
    "other": {"errcode": 40163, "errmsg": "code been used"},
    "no-openid": {"errcode": 0},
    "dev-alice": {"errcode": 40029, "errmsg": "invalid code"},  # WeChat knows no such code
}


class FakeWeChat(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        FakeWeChat.seen.append({"path": url.path, **query})
        if query.get("js_code") == "garbage":
            body = b"<html>not json</html>"
        else:
            body = json.dumps(ANSWERS[query["js_code"]]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base_url():
    server = HTTPServer(("127.0.0.1", 0), FakeWeChat)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def client(base_url):
    return WeChatClient("wx-app", "app-secret", base_url)


def test_success(base_url):
    identity = client(base_url).code2session("good")
    assert (identity.openid, identity.unionid, identity.session_key) == ("o-123", "u-9", "SECRET-SESSION-KEY")
    assert "SECRET-SESSION-KEY" not in repr(identity)
    request = FakeWeChat.seen[-1]
    assert request == {"path": "/sns/jscode2session", "appid": "wx-app", "secret": "app-secret", "js_code": "good",
                       "grant_type": "authorization_code"}


@pytest.mark.parametrize(("code", "cls", "status", "retry_after"), [
    ("bad", wechat.WeChatInvalidCode, 401, None),
    ("busy-user", wechat.WeChatRateLimited, 429, 60),
    ("risky", wechat.WeChatBlockedUser, 403, None),
    ("busy", wechat.WeChatBusy, 503, 2),
    ("other", wechat.WeChatError, 502, None),
    ("no-openid", wechat.WeChatUnavailable, 503, 5),
    ("garbage", wechat.WeChatUnavailable, 503, 5),
])
def test_error_codes_are_mapped(base_url, code, cls, status, retry_after):
    with pytest.raises(cls) as info:
        client(base_url).code2session(code)
    assert type(info.value) is cls
    assert (info.value.status, info.value.retry_after) == (status, retry_after)


def test_unreachable_server_does_not_leak_the_secret():
    c = WeChatClient("wx-app", "app-secret", "http://127.0.0.1:9", timeout=0.5)  # discard port: refused
    with pytest.raises(wechat.WeChatUnavailable) as info:
        c.code2session("good")
    assert "app-secret" not in str(info.value)
    assert "app-secret" not in repr(c)


def test_dev_provider_only_when_enabled(base_url):
    assert wechat.resolve_login("dev-alice", dev_enabled=True, client=None).openid == "alice"
    with pytest.raises(wechat.WeChatUnavailable, match="not configured"):
        wechat.resolve_login("dev-alice", dev_enabled=False, client=WeChatClient("", "", base_url))
    # with dev login off, a dev- code goes to WeChat like any other code
    with pytest.raises(wechat.WeChatInvalidCode):
        wechat.resolve_login("dev-alice", dev_enabled=False, client=client(base_url))
    assert FakeWeChat.seen[-1]["js_code"] == "dev-alice"
    with pytest.raises(wechat.WeChatInvalidCode):
        wechat.dev_login("dev-")

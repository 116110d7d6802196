"""WeChat mini-program login: ``code2Session`` (jscode2session) and the development provider.

The mini-program calls ``wx.login`` and sends the one-time ``code`` to ``POST /api/v1/puhui/login``. The
server exchanges it for the ``openid`` (and ``session_key``, ``unionid``) with

    GET {base_url}/sns/jscode2session?appid=..&secret=..&js_code=..&grant_type=authorization_code

(https://developers.weixin.qq.com/minigame/dev/api-backend/open-api/login/auth.code2Session.html). The app
secret and the ``session_key`` never leave the server: ``Code2Session.__repr__`` hides the key, the service
does not store it, and the client only ever gets our own session token (puhui.md §3).

WeChat error codes mapped to our errors (status codes in api/routes/puhui.py):

======  =============================  =========================  ======
errcode meaning (WeChat)               our error code             HTTP
======  =============================  =========================  ======
40029   invalid code                   ``wechat_invalid_code``    401
45011   rate limit (100/user/minute)   ``wechat_rate_limited``    429 (Retry-After: 60)
40226   high-risk user blocked         ``wechat_blocked_user``    403
-1      system busy                    ``wechat_busy``            503 (Retry-After: 2)
other   any other errcode              ``wechat_error``           502
------  network error / bad JSON       ``wechat_unavailable``     503
======  =============================  =========================  ======

The development provider (only when ``CARBON_PUHUI_DEV_LOGIN=1``) maps ``dev-<name>`` to the openid
``<name>`` without calling WeChat.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from carbon.core.errors import CarbonError, Forbidden, Unauthorized, ValidationError

DEV_PREFIX = "dev-"
TIMEOUT_S = 5.0


class WeChatError(CarbonError):
    """WeChat answered with an error or could not be reached. ``status`` and ``retry_after`` for HTTP."""

    code = "wechat_error"
    status = 502
    retry_after: int | None = None

    def __init__(self, message: str | None = None, *, errcode: int | None = None, key: str | None = None,
                 params: dict | None = None):
        super().__init__(message, field="code", key=key, params=params)
        self.errcode = errcode


class WeChatInvalidCode(WeChatError, Unauthorized):
    code = "wechat_invalid_code"
    status = 401


class WeChatRateLimited(WeChatError):
    code = "wechat_rate_limited"
    status = 429
    retry_after = 60


class WeChatBlockedUser(WeChatError, Forbidden):
    code = "wechat_blocked_user"
    status = 403


class WeChatBusy(WeChatError):
    code = "wechat_busy"
    status = 503
    retry_after = 2


class WeChatUnavailable(WeChatError):
    code = "wechat_unavailable"
    status = 503
    retry_after = 5


ERRORS: dict[int, tuple[type[WeChatError], str]] = {  # errcode: (error, message key)
    40029: (WeChatInvalidCode, "puhui_wechat_invalid_code"),
    45011: (WeChatRateLimited, "puhui_wechat_rate_limited"),
    40226: (WeChatBlockedUser, "puhui_wechat_blocked"),
    -1: (WeChatBusy, "puhui_wechat_busy"),
}


@dataclass(frozen=True)
class Code2Session:
    openid: str
    unionid: str | None = None
    session_key: str | None = field(default=None, repr=False)  # server-side only; never stored or returned


Fetch = Callable[[str, float], bytes]


def _urllib_fetch(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - https URL from settings
        return response.read()


@dataclass
class WeChatClient:
    """A code2Session client. ``fetch`` is the transport (urllib by default; tests point ``base_url`` at a
    loopback server instead of replacing it)."""

    app_id: str
    app_secret: str
    base_url: str = "https://api.weixin.qq.com"
    timeout: float = TIMEOUT_S
    fetch: Fetch = _urllib_fetch

    def __repr__(self) -> str:  # never print the secret
        return f"WeChatClient(app_id={self.app_id!r}, base_url={self.base_url!r})"

    def code2session(self, code: str) -> Code2Session:
        if not code or len(code) > 128:
            raise ValidationError(key="puhui_wechat_code_required", field="code")
        query = urllib.parse.urlencode({"appid": self.app_id, "secret": self.app_secret, "js_code": code,
                                        "grant_type": "authorization_code"})
        url = f"{self.base_url.rstrip('/')}/sns/jscode2session?{query}"
        try:
            raw = self.fetch(url, self.timeout)
            data = json.loads(raw.decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            # the URL holds the secret: say what failed, not where
            raise WeChatUnavailable(key="puhui_wechat_unreachable", params={"reason": type(exc).__name__}) from None
        return parse_response(data)


def parse_response(data: object) -> Code2Session:
    """A code2Session answer, or the mapped WeChatError. ``errcode`` 0 or absent means success."""
    if not isinstance(data, dict):
        raise WeChatUnavailable(key="puhui_wechat_not_object")
    errcode = data.get("errcode") or 0
    try:
        errcode = int(errcode)
    except (TypeError, ValueError):
        raise WeChatUnavailable(key="puhui_wechat_errcode_nan", params={"errcode": errcode}) from None
    if errcode != 0:
        cls, key = ERRORS.get(errcode, (WeChatError, "puhui_wechat_failed"))
        raise cls(key=key, params={"errcode": errcode}, errcode=errcode)
    openid = data.get("openid")
    if not isinstance(openid, str) or not openid:
        raise WeChatUnavailable(key="puhui_wechat_no_openid")
    return Code2Session(openid=openid, unionid=data.get("unionid") or None, session_key=data.get("session_key"))


def dev_login(code: str) -> Code2Session:
    """The development provider: ``dev-<name>`` -> openid ``<name>``. Only called when the setting allows it."""
    name = code[len(DEV_PREFIX):] if code.startswith(DEV_PREFIX) else ""
    if not name or len(name) > 64:
        raise WeChatInvalidCode(key="puhui_wechat_dev_code")
    return Code2Session(openid=name)


def resolve_login(code: str, *, dev_enabled: bool, client: WeChatClient | None) -> Code2Session:
    """Which provider answers: the development one for ``dev-`` codes when enabled, else WeChat."""
    if dev_enabled and code.startswith(DEV_PREFIX):
        return dev_login(code)
    if client is None or not client.app_id or not client.app_secret:
        raise WeChatUnavailable(key="puhui_wechat_not_configured")
    return client.code2session(code)

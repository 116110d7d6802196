"""What every console route needs: the templates, the signed-in user, the checked form of a POST.

- ``Console``: the request's session cookie and the token behind it (``None`` when not signed in).
- ``BureauPage``: a page for the bureau; anybody else is sent to the sign-in form (303) or refused (403).
- ``CheckedForm``: the POST's form after its CSRF token was compared with the session's (403 without it).

Refusals are ``PageError`` (an HTML page with the status), never the API's JSON errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.deps import SessionDep
from carbon.core.models import ApiToken
from web import session as cookies
from web.format import FILTERS

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/console-static"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.filters.update(FILTERS)


class PageError(Exception):
    """A refusal shown as a page: 403 (no CSRF token, wrong role), 404, 409."""

    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class SignInRequired(Exception):
    def __init__(self, next_url: str):
        super().__init__(next_url)
        self.next_url = next_url


@dataclass
class Console:
    request: Request
    session: cookies.WebSession
    user: ApiToken | None
    fresh: bool  # the cookie must be (re)sent

    @property
    def bureau(self) -> bool:
        return self.user is not None and self.user.role == "bureau"


def _secret(request: Request) -> str:
    return request.app.state.settings.token_secret


def console(request: Request, db: SessionDep) -> Console:
    found = cookies.load(request.cookies.get(cookies.COOKIE), _secret(request))
    user = None
    if found is not None and found.token_id is not None:
        user = db.get(ApiToken, found.token_id)
        if user is None or user.revoked_at is not None:  # revoked since sign-in: the session ends
            user, found = None, None
    if found is None:
        return Console(request, cookies.WebSession.new(), None, True)
    return Console(request, found, user, False)


ConsoleDep = Annotated[Console, Depends(console)]


def bureau_page(request: Request, page: ConsoleDep) -> Console:
    if page.user is None:
        raise SignInRequired(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
    if not page.bureau:
        raise PageError(403, "此页面仅供生态环境局使用；您的令牌角色无权访问。")
    return page


BureauPage = Annotated[Console, Depends(bureau_page)]


async def checked_form(request: Request, page: ConsoleDep) -> FormData:
    """The form of a POST whose ``csrf`` field equals the session's CSRF token; else a 403 page."""
    form = await request.form()
    if not cookies.same(form.get("csrf"), page.session.csrf) or page.fresh:
        raise PageError(403, "表单缺少有效的 CSRF 令牌（页面已过期或来自其他网站）；请刷新页面后重试。")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def set_cookie(response: Response, request: Request, session: cookies.WebSession) -> None:
    response.set_cookie(cookies.COOKIE, cookies.dump(session, _secret(request)), max_age=cookies.MAX_AGE_S,
                        path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")


def render(page: Console, name: str, status_code: int = 200, **context) -> HTMLResponse:
    response = templates.TemplateResponse(page.request, name, {
        "user": page.user, "csrf": page.session.csrf, "static": STATIC_URL, **context}, status_code=status_code)
    if page.fresh:
        set_cookie(response, page.request, page.session)
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def sign_in_url(next_url: str) -> str:
    return "/console/login?next=" + quote(next_url, safe="")



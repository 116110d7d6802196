"""Sign in with an API token (pasted, or issued by ``carbon token``), sign out."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SessionDep
from carbon.core.auth import authenticate
from carbon.core.errors import Unauthorized
from web import session as cookies
from web.deps import CheckedForm, ConsoleDep, redirect, render, set_cookie

router = APIRouter(prefix="/console", include_in_schema=False)


def _safe_next(value: str | None) -> str:
    """Only a path of this site (no scheme, no //host): no open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/console/inventories"


@router.get("")
def home(page: ConsoleDep):
    return redirect("/console/inventories" if page.user else "/console/login")


@router.get("/login")
def login_form(page: ConsoleDep, next: str | None = None):  # noqa: A002 - the query name
    return render(page, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
def login(page: ConsoleDep, form: CheckedForm, db: SessionDep):
    token = str(form.get("token") or "").strip()
    target = _safe_next(form.get("next"))
    try:
        user = authenticate(db, token)
    except Unauthorized:
        return render(page, "login.html", status_code=401, next=target, error="令牌无效或已被吊销，请检查后重试。")
    response = redirect(target)
    set_cookie(response, page.request, cookies.WebSession.new(user.id))  # a new CSRF token at sign-in
    return response


@router.post("/logout")
def logout(page: ConsoleDep, form: CheckedForm):
    response = redirect("/console/login")
    set_cookie(response, page.request, cookies.WebSession.new())
    return response

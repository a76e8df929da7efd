"""Login and logout of staff (argon2 passwords, throttled failures, CSRF-protected forms)."""

from __future__ import annotations

import secrets

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from carpimko.ops.rates import RateLimit
from carpimko.text.privacy import mask_personal_data
from console import staff
from console.auth import (
    COOKIE,
    LOGIN_CSRF_COOKIE,
    csrf_matches,
    safe_next,
    set_cookie,
    submitted_csrf,
)
from console.views import audit, blocking, render

bp = Blueprint("session")
LOGIN_FAILURES = RateLimit(5, 900)
"""At most 5 wrong passwords per login name per 15 minutes."""


def _login_page(
    request: Request, error: str = "", status: int = 200, login: str = ""
) -> HTTPResponse:
    token = secrets.token_urlsafe(24)
    resp = render(
        request,
        "login.html",
        status=status,
        error=error,
        login=login,
        login_csrf=token,
        next=safe_next(request.args.get("next") or (request.form or {}).get("next")),
    )
    set_cookie(resp, LOGIN_CSRF_COOKIE, token, 3600, request.app.ctx.settings.cookie_secure)
    return resp


def _failure_key(login: str) -> str:
    """Names differing only by case or past 64 characters count as one."""
    return login[:64].casefold()


@bp.get("/login")
async def login_form(request: Request) -> HTTPResponse:
    return _login_page(request)


@bp.post("/login")
async def login(request: Request) -> HTTPResponse:
    form = request.form or {}
    login_name = str(form.get("login") or "").strip()
    password = str(form.get("password") or "")
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE) or "", submitted_csrf(request)):
        return _login_page(request, "La page a expiré : saisissez à nouveau vos identifiants.", 403)
    if not login_name or not password:
        return _login_page(request, "Saisissez votre identifiant et votre mot de passe.", 400)
    ctx = request.app.ctx
    wait = ctx.login_failures.wait(_failure_key(login_name), LOGIN_FAILURES)
    if wait:
        minutes = max(1, -(-wait // 60))
        return _login_page(
            request, f"Trop de tentatives. Réessayez dans {minutes} minute(s).", 429, login_name
        )
    staff_id = await blocking(staff.authenticate, ctx.store, ctx.hasher, login_name, password)
    if staff_id is None:
        ctx.login_failures.count(_failure_key(login_name), LOGIN_FAILURES)
        # A password typed into the login field must not land in the audit log.
        shown = mask_personal_data(login_name[:64])
        await audit(request, "connexion_refusee", shown, actor=shown)
        return _login_page(request, "Identifiant ou mot de passe incorrect.", 401, login_name)
    ctx.login_failures.forget(_failure_key(login_name))
    token, _csrf = await blocking(staff.open_session, ctx.store, staff_id, ctx.settings.session_ttl)
    await audit(request, "connexion", login_name, actor=login_name)
    resp = response.redirect(safe_next(str(form.get("next") or "")), status=303)
    set_cookie(resp, COOKIE, token, staff.MAX_SESSION_HOURS * 3600, ctx.settings.cookie_secure)
    del resp.cookies[LOGIN_CSRF_COOKIE]
    return resp


@bp.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    token = request.cookies.get(COOKIE)
    if token:
        await blocking(staff.close_session, request.app.ctx.store, token)
    await audit(request, "deconnexion")
    resp = response.redirect("/login", status=303)
    del resp.cookies[COOKIE]
    return resp

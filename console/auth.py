"""Staff sessions on every request: cookie → session, 401/redirect without one, CSRF on POST.

- ``console_session``: HttpOnly, SameSite=Strict, path ``/``, ``Secure`` behind HTTPS
  (``CONSOLE_COOKIE_SECURE``); the server keeps only its SHA-256 digest.
- Every state-changing request (POST) carries the session's CSRF token (form field
  ``csrf_token`` or header ``X-CSRF-Token``); the login form, before any session, uses a
  double-submit cookie ``console_login_csrf``.
- Only :data:`PUBLIC_PATHS` and ``/static/`` answer without a session: API paths answer 401
  JSON, pages redirect to ``/login``.
"""

from __future__ import annotations

import asyncio
import hmac
from urllib.parse import quote

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from console import staff

COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
PUBLIC_PATHS = frozenset({"/health", "/login", "/favicon.ico"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith("/static/")


def set_cookie(resp: HTTPResponse, name: str, value: str, max_age: int, secure: bool) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = max_age
    if secure:
        cookie["secure"] = True


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected, str(given))


def submitted_csrf(request: Request) -> str | None:
    header = request.headers.get("x-csrf-token")
    if header:
        return str(header)
    form = request.form or {}
    value = form.get("csrf_token")
    return str(value) if value else None


def unauthenticated(request: Request) -> HTTPResponse:
    if request.path.startswith("/api/"):
        return response.json(
            {"error": {"code": "session_requise", "message": "Connectez-vous à la console."}},
            status=401,
        )
    target = request.path + (f"?{request.query_string}" if request.query_string else "")
    resp = response.redirect(f"/login?next={quote(target, safe='')}", status=303)
    resp.headers["Cache-Control"] = "no-store"
    return resp


async def require_staff(request: Request) -> HTTPResponse | None:
    """Request middleware: attach ``request.ctx.staff`` or answer 401/redirect/403."""
    request.ctx.staff = None
    if is_public(request.path):
        return None
    token = request.cookies.get(COOKIE)
    settings = request.app.ctx.settings
    session = (
        await asyncio.to_thread(
            staff.session_for, request.app.ctx.store, token, settings.session_ttl
        )
        if token
        else None
    )
    if session is None:
        resp = unauthenticated(request)
        if token:
            del resp.cookies[COOKIE]
        return resp
    if request.method in UNSAFE_METHODS and not csrf_matches(
        session.csrf_token, submitted_csrf(request)
    ):
        return response.json(
            {"error": {"code": "csrf", "message": "Jeton de sécurité absent ou invalide."}},
            status=403,
        )
    request.ctx.staff = session
    return None


def safe_next(target: str | None) -> str:
    """Only local paths after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/conversations"
    return target

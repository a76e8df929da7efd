"""One blueprint per resource of the HTTP API."""

from __future__ import annotations

from sanic import Blueprint

from portal.blueprints import (
    contact,
    demo,
    documents,
    health,
    identity,
    letters,
    me,
    messages,
    pages,
    password_resets,
    procedures,
    sessions,
    tickets,
)


def api_blueprints(demo_mode: bool) -> list[Blueprint]:
    blueprints = [
        health.bp,
        pages.bp,
        contact.bp,
        password_resets.bp,
        identity.bp,
        sessions.bp,
        me.bp,
        documents.bp,
        messages.bp,
        procedures.bp,
        tickets.bp,
        letters.bp,
    ]
    if demo_mode:
        blueprints.append(demo.bp)
    return blueprints

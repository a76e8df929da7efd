"""Metrics and request ids of the Rasa server, wired by :func:`install` before Rasa starts.

Rasa 3.6 builds its Sanic app inside ``rasa.core.run.serve_application``; :func:`install`
wraps ``rasa.core.run.configure_app`` so that the app it returns gets
:func:`carpimko.ops.observability.install` (``/metrics``, HTTP counters, request id), and wraps
three ``MessageProcessor`` methods every channel goes through (REST, socket.io, phone):

- ``handle_message``: messages, their duration and failures by channel; the conversation is
  bound to the log lines (hashed). A socket.io message does not arrive as an HTTP request of
  its own, so it gets a request id of its own here;
- ``parse_message``: the intent recognised (``nlu_fallback`` counts as an NLU fallback);
- ``_run_action``: the actions the dialogue ran (``action_default_fallback`` counts as a
  dialogue fallback).
"""

from __future__ import annotations

import time
from typing import Any

from carpimko.ops import metrics, observability, tracing

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTION = "action_default_fallback"
OWN_REQUEST_CHANNELS = frozenset({"socketio"})
"""Channels whose messages don't each come in an HTTP request (no request id of their own)."""


def install() -> None:
    """Instrument Rasa's app and message processor (idempotent)."""
    from rasa.core import run
    from rasa.core.processor import MessageProcessor

    if getattr(run.configure_app, "_carpimko_observed", False):
        return
    configure_app = run.configure_app

    def observed_configure_app(*args: Any, **kwargs: Any) -> Any:
        app = configure_app(*args, **kwargs)
        observability.install(app, "rasa")
        return app

    observed_configure_app._carpimko_observed = True  # type: ignore[attr-defined]
    run.configure_app = observed_configure_app

    handle_message = MessageProcessor.handle_message
    parse_message = MessageProcessor.parse_message
    run_action = MessageProcessor._run_action

    async def observed_handle_message(self: Any, message: Any) -> Any:
        channel = str(message.input_channel or "unknown")
        if channel in OWN_REQUEST_CHANNELS:
            tracing.begin()
        tracing.bind_conversation(message.sender_id)
        metrics.MESSAGES.labels(channel).inc()
        started = time.perf_counter()
        try:
            return await handle_message(self, message)
        except BaseException:
            metrics.MESSAGE_ERRORS.labels(channel).inc()
            raise
        finally:
            metrics.MESSAGE_SECONDS.labels(channel).observe(time.perf_counter() - started)

    async def observed_parse_message(self: Any, *args: Any, **kwargs: Any) -> Any:
        parsed = await parse_message(self, *args, **kwargs)
        intent = str((parsed.get("intent") or {}).get("name") or "none")
        metrics.INTENTS.labels(intent).inc()
        if intent == FALLBACK_INTENT:
            metrics.FALLBACKS.labels("nlu").inc()
        return parsed

    async def observed_run_action(self: Any, action: Any, *args: Any, **kwargs: Any) -> Any:
        name = str(action.name())
        metrics.DIALOGUE_ACTIONS.labels(name).inc()
        if name == FALLBACK_ACTION:
            metrics.FALLBACKS.labels("dialogue").inc()
        return await run_action(self, action, *args, **kwargs)

    MessageProcessor.handle_message = observed_handle_message
    MessageProcessor.parse_message = observed_parse_message
    MessageProcessor._run_action = observed_run_action

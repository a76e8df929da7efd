"""``LOG_FORMAT=json``: every service writes one JSON object per log line.

Fields, the same in every service: ``time`` (UTC, ISO 8601), ``service``, ``level``,
``logger``, ``event`` (the message), ``request_id`` and ``conversation`` (keyed hash) when the
line is written while a request is handled (:mod:`carpimko.ops.tracing`), ``error`` (the traceback)
when there is one, ``http`` on the request lines of :mod:`carpimko.ops.observability`.
``event`` and ``error`` go through :func:`carpimko.text.privacy.mask_personal_data` first: an IBAN,
e-mail, phone number, password or numéro de dossier quoted by a library's message reaches the
log masked (a path such as ``/api/v1/contact`` looks like a password to it and is masked too:
the request lines carry their route in ``http``, outside ``event``).

:func:`configure` gives every handler already installed (the root logger's, set by the
service's ``logging.basicConfig`` or by Rasa's CLI, and any logger's own) the JSON formatter;
:func:`carpimko.ops.observability.install` calls it when the app is built and again just before
it serves, after the last handlers were added. Python warnings go to the log too. What
C/C++ libraries print to stderr themselves (TensorFlow) is not a log line and stays as it is.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone

from carpimko.ops import tracing
from carpimko.text.privacy import mask_personal_data

SETTING = "LOG_FORMAT"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def json_enabled() -> bool:
    return os.environ.get(SETTING, "text").strip().lower() == "json"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, personal data masked."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "service": self.service,
            "level": record.levelname,
            "logger": record.name,
            "event": mask_personal_data(record.getMessage()),
        }
        rid = tracing.request_id()
        if rid:
            doc["request_id"] = rid
        conversation = tracing.conversation()
        if conversation:
            doc["conversation"] = conversation
        http = getattr(record, "http", None)
        if isinstance(http, dict):  # built by carpimko.ops.observability from route templates
            doc["http"] = http
        if record.exc_info:
            doc["error"] = mask_personal_data(self.formatException(record.exc_info))
        return json.dumps(doc, ensure_ascii=False)


def basic_config(service: str, level: int | str = logging.INFO) -> None:
    """A service's logging at start: text lines, or JSON ones with ``LOG_FORMAT=json``."""
    logging.basicConfig(level=level, format=TEXT_FORMAT)
    configure(service)


def configure(service: str) -> bool:
    """With ``LOG_FORMAT=json``, put the JSON formatter on every installed handler (a root
    handler is added if there is none); returns whether it did."""
    if not json_enabled():
        return False
    logging.captureWarnings(True)
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    formatter = JsonFormatter(service)
    loggers = [root] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            handler.setFormatter(formatter)
            # Rasa's RepeatedLogFilter drops a line equal to the one before: every request line
            # reads « request » (its facts are in ``http``), and log tools fold repeats anyway.
            for kept in [f for f in handler.filters if type(f).__name__ == "RepeatedLogFilter"]:
                handler.removeFilter(kept)
    return True

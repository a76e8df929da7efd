"""The JSON formatter: one field set, personal data masked in the message and the traceback."""

from __future__ import annotations

import json
import logging

from carpimko.ops import jsonlog, tracing


def record(message: str, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("IBAN refusé : FR7630004008260001234567871")
        except ValueError as error:
            exc_info = (type(error), error, error.__traceback__)
    return logging.LogRecord("portal.x", logging.WARNING, __file__, 1, message, (), exc_info)


def test_a_line_is_json_with_the_request_and_hashed_conversation_and_no_personal_data() -> None:
    tracing.begin("req-0001-abcd")
    tracing.bind_conversation("+33671234589")
    line = jsonlog.JsonFormatter("portal").format(
        record("écrire à jeanne.dupont@example.fr ou au 06 71 23 45 89", exc=True)
    )
    doc = json.loads(line)
    assert {"time", "service", "level", "logger", "event", "request_id", "conversation"} <= set(doc)
    assert doc["service"] == "portal" and doc["level"] == "WARNING"
    assert doc["request_id"] == "req-0001-abcd"
    assert doc["conversation"] == tracing.conversation_hash("+33671234589") != "+33671234589"
    assert "jeanne.dupont@example.fr" not in line and "71 23 45" not in line
    assert "FR7630004008260001234567871" not in line and "Traceback" in doc["error"]


def test_text_stays_the_default(monkeypatch) -> None:
    monkeypatch.delenv(jsonlog.SETTING, raising=False)
    assert not jsonlog.configure("portal")

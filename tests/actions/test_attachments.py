"""Prolongation d'arrêt de travail and « envoyer un document » against the real portal app.

The file goes from the member's browser to the portal (``POST /api/v1/me/uploads``, done here
with httpx as the widget does); the bot only receives the id, or the reason of a refusal, in
the widget's ``/inform{...}`` message. Sophie Bernard (7654321, affiliée) sends; Jeanne Dupont
(1234567) tries to use Sophie's file; Claire Petit (ayant droit) has no arrêt de travail.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import httpx
import pytest
from actions_testkit import responses, run, slot_events, tracker
from sqlalchemy import text
from test_declarations import activate, login_as
from test_member_procedures import explained_not_kept, login, member_tracker, validate

from actions.forms import attachments, declarations
from actions.forms.attachments import (
    ActionDocumentSubmit,
    ActionSickLeaveSubmit,
    ValidateDocumentForm,
    ValidateSickLeaveForm,
    file_size,
)
from actions.procedure import PROCEDURE_SLOTS

pytestmark = pytest.mark.asyncio(loop_scope="session")
PORTAL_TODAY = date(2025, 11, 12)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n" + b"0" * 2000


@pytest.fixture(autouse=True)
def portal_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(declarations, "today", lambda: PORTAL_TODAY)
    monkeypatch.setattr(attachments, "today", lambda: PORTAL_TODAY)


async def upload(portal_url: str, token: str, name: str, data: bytes) -> httpx.Response:
    """What the widget does with the chosen file: straight to the portal, member's session."""
    async with httpx.AsyncClient(base_url=portal_url, timeout=10) as client:
        return await client.post(
            "/api/v1/me/uploads",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": (name, data, "application/octet-stream")},
        )


def widget_message(token: str | None, slots: dict[str, Any] | None = None, **entities: str) -> Any:
    """The message the widget sends after the upload: ``/inform{"upload_id": "…"}``."""
    message = {
        "text": "/inform",
        "intent": {"name": "inform", "confidence": 1.0},
        "entities": [{"entity": name, "value": value} for name, value in entities.items()],
        "metadata": {"portal_token": token} if token else {},
    }
    return tracker(slots, latest_message=message)


def sent_messages(portal: Any) -> list[tuple[str, str, str, str | None]]:
    with portal.engine.connect() as connection:
        rows = connection.execute(
            text(
                "select reference, service, subject, attachment_name from messages "
                "where direction = 'entrant' and reference like 'MSG-20251112-%' "
                "order by created_at"
            )
        ).all()
    return [(row[0], row[1], row[2], row[3]) for row in rows]


# --- prolongation d'arrêt de travail -------------------------------------------------------------
@pytest.mark.parametrize(
    "message", ["je l'ai pas encore, le médecin me la donne demain", "je ne sais pas, pourquoi ?"]
)
async def test_no_end_date_yet_is_never_read_as_a_date(message: str) -> None:
    """« demain » in « le médecin me la donne demain » is not the end of the leave."""
    await explained_not_kept(ValidateSickLeaveForm(), "sick_leave_end", message)


async def test_sick_leave_happy_path_sends_the_file_with_a_reference(live_portal) -> None:
    token = await login(live_portal.url)
    form = ValidateSickLeaveForm()
    slots, said = await activate(form, token)
    assert said == [] and "procedure_outcome" not in slots

    result, said, _ = await validate(
        form, "sick_leave_end", "jusqu'au 15/12/2025", member_tracker(token)
    )
    assert result["sick_leave_end"] == "2025-12-15" and said == []

    stored = await upload(live_portal.url, token, "prolongation arrêt.pdf", PDF)
    assert stored.status_code == 201, stored.text
    upload_id = stored.json()["upload_id"]
    t = widget_message(token, {"sick_leave_end": "2025-12-15"}, upload_id=upload_id)
    result, said, dispatcher = await validate(form, "sick_leave_upload", upload_id, t)
    assert result["sick_leave_upload"] == upload_id and said == ["utter_sick_leave_summary"]
    summary = dispatcher.messages[0]
    assert summary["end_date"] == "lundi 15 décembre 2025"
    assert summary["file_name"] == "prolongation arrêt.pdf" and summary["file_size"] == "2 Ko"

    result, said, _ = await validate(form, "sick_leave_confirmed", "oui", member_tracker(token))
    assert result["sick_leave_confirmed"] is True

    slots = {
        "sick_leave_end": "2025-12-15",
        "sick_leave_upload": upload_id,
        "sick_leave_confirmed": True,
    }
    events, dispatcher = await run(ActionSickLeaveSubmit(), member_tracker(token, slots))
    assert responses(dispatcher) == [
        "utter_sick_leave_sent",
        "utter_sick_leave_next",
        "utter_anything_else",
    ]
    reference = dispatcher.messages[0]["reference"]
    assert reference.startswith("MSG-20251112-")
    assert dispatcher.messages[0]["service"] == "Service Invalidité-Décès"
    assert (reference, "invalidite_deces", "Prolongation d'arrêt de travail",
            "prolongation arrêt.pdf") in sent_messages(live_portal)  # fmt: skip
    assert all(slot_events(events)[name] is None for name in slots)

    # The same file cannot be sent twice (a second click, a replayed message).
    result, said, _ = await validate(form, "sick_leave_upload", upload_id, t)
    assert result["sick_leave_upload"] is None and said == ["utter_upload_already_sent"]


async def test_files_the_portal_refuses_get_a_french_reason_and_the_form_goes_on(
    live_portal,
) -> None:
    token = await login(live_portal.url)
    form = ValidateSickLeaveForm()
    # The portal refuses by content (a .pdf that is text) and by size (over 5 Mo): the widget
    # shows nothing of its own and tells the bot why, as the answer to the question.
    wrong = await upload(live_portal.url, token, "arret.pdf", b"ceci n'est pas un PDF")
    assert wrong.status_code == 415
    big = await upload(live_portal.url, token, "scan.pdf", PDF + b"0" * (5 * 1024 * 1024))
    assert big.status_code == 413
    with live_portal.engine.connect() as connection:
        assert connection.execute(text("select count(*) from pending_uploads")).scalar() == 0

    t = widget_message(token, upload_error="format")
    result, said, _ = await validate(form, "sick_leave_upload", "format", t)
    assert result["sick_leave_upload"] is None and said == ["utter_upload_wrong_format"]
    t = widget_message(token, {"form_failures": result["form_failures"]}, upload_error="taille")
    result, said, _ = await validate(form, "sick_leave_upload", "taille", t)
    # Second refusal in a row: how to choose a file, the Apple workaround, and an advisor.
    assert said == ["utter_upload_too_large", "utter_explain_upload", "utter_offer_advisor"]
    # A file typed as text (or a made-up id) is not a file.
    result, said, _ = await validate(
        form, "sick_leave_upload", "voici mon arrêt", member_tracker(token)
    )
    assert result["sick_leave_upload"] is None and said == ["utter_invalid_upload"]
    typed_id = "0123456789abcdef0123456789abcdef"
    result, said, _ = await validate(
        form, "sick_leave_upload", typed_id, member_tracker(token, text=typed_id)
    )
    assert said == ["utter_invalid_upload"]
    assert sent_messages(live_portal) == []


async def test_another_members_file_is_refused(live_portal) -> None:
    sophie = await login(live_portal.url)
    upload_id = (await upload(live_portal.url, sophie, "arret.pdf", PDF)).json()["upload_id"]
    jeanne = await login(live_portal.url, "1234567")
    t = widget_message(jeanne, upload_id=upload_id)
    result, said, dispatcher = await validate(
        ValidateSickLeaveForm(), "sick_leave_upload", upload_id, t
    )
    assert result["sick_leave_upload"] is None and said == ["utter_portal_refused"]
    assert (
        dispatcher.messages[0]["message"] == "Ce fichier est introuvable : envoyez-le de nouveau."
    )
    # Even with the id in the slots, the portal refuses to send it for Jeanne.
    slots = {"sick_leave_end": "2025-12-15", "sick_leave_upload": upload_id,
             "sick_leave_confirmed": True}  # fmt: skip
    _, dispatcher = await run(ActionSickLeaveSubmit(), member_tracker(jeanne, slots))
    assert responses(dispatcher) == ["utter_portal_refused", "utter_offer_advisor"]
    assert sent_messages(live_portal) == []


async def test_sick_leave_end_date_is_read_but_not_judged(live_portal) -> None:
    token = await login(live_portal.url)
    form = ValidateSickLeaveForm()
    result, said, _ = await validate(form, "sick_leave_end", "bientôt", member_tracker(token))
    assert result["sick_leave_end"] is None and said == ["utter_invalid_sick_leave_end"]
    # The fund published no window for the end date: a late or far one is not refused.
    for answer, day in (("01/01/2025", "2025-01-01"), ("01/01/2027", "2027-01-01")):
        result, said, _ = await validate(form, "sick_leave_end", answer, member_tracker(token))
        assert result["sick_leave_end"] == day and said == [], answer


async def test_sick_leave_for_an_ayant_droit_does_not_apply(live_portal) -> None:
    token = await login_as(live_portal.url, "ayant_droit", "123456789")
    slots, said = await activate(ValidateSickLeaveForm(), token)
    assert said == ["utter_sick_leave_form_not_applicable"]
    assert slots["procedure_outcome"] == "not_applicable"


async def test_sick_leave_declined_sends_nothing(live_portal) -> None:
    token = await login(live_portal.url)
    result, said, _ = await validate(
        ValidateSickLeaveForm(), "sick_leave_confirmed", "non", member_tracker(token)
    )
    assert said == ["utter_file_not_sent"] and result["procedure_outcome"] == "cancelled"
    assert sent_messages(live_portal) == []


async def test_portal_down_while_checking_the_file_gives_the_way_to_do_it(closed_port) -> None:
    started = time.monotonic()
    t = widget_message("a.b.c", upload_id="0123456789abcdef0123456789abcdef")
    result, said, _ = await validate(
        ValidateSickLeaveForm(), "sick_leave_upload", "0123456789abcdef0123456789abcdef", t
    )
    assert time.monotonic() - started < 3
    assert said == ["utter_portal_unavailable_member", "utter_sick_leave_extension"]
    assert result["procedure_outcome"] == "unavailable"


async def test_sick_leave_submit_with_the_portal_hung_apologises_within_3_s(hung_portal) -> None:
    slots = {"sick_leave_end": "2025-12-15", "sick_leave_upload": "0" * 32,
             "sick_leave_confirmed": True}  # fmt: skip
    started = time.monotonic()
    events, dispatcher = await run(ActionSickLeaveSubmit(), member_tracker("a.b.c", slots))
    assert time.monotonic() - started < 3
    assert responses(dispatcher) == [
        "utter_portal_unavailable_member",
        "utter_sick_leave_extension",
    ]
    assert slot_events(events)["procedure_outcome"] is None


# --- envoyer un document -------------------------------------------------------------------------
async def test_document_happy_path_to_the_chosen_service(live_portal) -> None:
    token = await login(live_portal.url, "1234567")
    form = ValidateDocumentForm()
    result, said, _ = await validate(form, "document_service", "cotisations", member_tracker(token))
    assert result["document_service"] == "cotisations" and said == []
    result, said, _ = await validate(
        form, "document_subject", "mon avis d'imposition 2024.", member_tracker(token)
    )
    assert result["document_subject"] == "Mon avis d'imposition 2024"
    image = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 3000
    upload_id = (await upload(live_portal.url, token, "avis.png", image)).json()["upload_id"]
    slots = {"document_service": "cotisations", "document_subject": "Mon avis d'imposition 2024"}
    t = widget_message(token, slots, upload_id=upload_id)
    result, said, dispatcher = await validate(form, "document_upload", upload_id, t)
    assert said == ["utter_document_summary"]
    assert dispatcher.messages[0]["service"] == "service Cotisations"
    assert dispatcher.messages[0]["file_name"] == "avis.png"

    slots = {**slots, "document_upload": upload_id, "document_confirmed": True}
    _, dispatcher = await run(ActionDocumentSubmit(), member_tracker(token, slots))
    assert responses(dispatcher) == [
        "utter_document_sent",
        "utter_document_next",
        "utter_anything_else",
    ]
    reference = dispatcher.messages[0]["reference"]
    assert (reference, "cotisations", "Mon avis d'imposition 2024", "avis.png") in sent_messages(
        live_portal
    )


async def test_document_invalid_service_and_subject(live_portal) -> None:
    token = await login(live_portal.url)
    form = ValidateDocumentForm()
    result, said, _ = await validate(form, "document_service", "bof", member_tracker(token))
    assert result["document_service"] is None and said == ["utter_invalid_document_service"]
    result, said, _ = await validate(
        form, "document_service", "c'est pour ma retraite", member_tracker(token)
    )
    assert result["document_service"] == "retraite"
    result, said, _ = await validate(form, "document_subject", "?!", member_tracker(token))
    assert result["document_subject"] is None and said == ["utter_invalid_document_subject"]


async def test_file_sizes_are_written_the_french_way() -> None:
    assert file_size(2048) == "2 Ko"
    assert file_size(int(1.25 * 1024 * 1024)) == "1,2 Mo"


async def test_stop_forgets_the_file_procedures_slots() -> None:
    for name in ("sick_leave_end", "sick_leave_upload", "sick_leave_confirmed",
                 "document_service", "document_subject", "document_upload",
                 "document_confirmed"):  # fmt: skip
        assert name in PROCEDURE_SLOTS

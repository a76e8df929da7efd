"""Personal data is masked in every text staff see: IBAN, e-mail, phone, dossier, passwords."""

from __future__ import annotations

from carpimko.text.privacy import mask_personal_data, mask_phone
from console.conversations import summarize, turns


def test_iban_email_phone_and_dossier_are_masked_in_one_message() -> None:
    text = (
        "IBAN FR76 3000 6000 0112 3456 7890 189, e-mail jeanne.dupont@example.fr, "
        "tél. 06 12 34 56 78, dossier 1234567"
    )
    masked = mask_personal_data(text)
    assert "FR76 **** **** 0189" in masked
    assert "j****nt@e*****.fr" in masked
    assert "06 ** ** ** 78" in masked
    assert "*****67" in masked
    for secret in ("3000 6000", "jeanne.dupont", "12 34 56", "1234567"):
        assert secret not in masked


def test_dictated_and_dotted_dossier_numbers_are_masked() -> None:
    assert mask_personal_data("un deux trois quatre cinq six sept") == "*****67"
    assert mask_personal_data("mon numéro 12.34.567") == "mon numéro *****67"
    assert mask_personal_data("ayant droit 123 456 789") == "ayant droit *******89"


def test_passwords_are_redacted_even_if_stored_in_clear() -> None:
    assert mask_personal_data("mon mot de passe est Carpimko2024") == (
        "mon mot de passe est [mot de passe masqué]"
    )


def test_spoken_email_and_international_phone() -> None:
    assert "dupont" not in mask_personal_data("jean point dupont arobase gmail point com")
    assert mask_personal_data("appelez le +33 6 12 34 56 78") == "appelez le +33 * ** ** ** 78"
    assert mask_phone("+33612345678") == "+33*******78"


def test_ordinary_sentences_are_left_alone() -> None:
    text = "Je suis né en 1975 et j'ai 2 enfants, merci pour 2024."
    assert mask_personal_data(text) == text


def test_entities_buttons_and_bot_texts_of_a_transcript_are_masked() -> None:
    events = [
        {
            "event": "user",
            "timestamp": 1.0,
            "text": "mon IBAN FR7630006000011234567890189",
            "input_channel": "rest",
            "parse_data": {
                "intent": {"name": "inform", "confidence": 0.9},
                "entities": [
                    {"entity": "iban", "value": "FR7630006000011234567890189"},
                    {"entity": "dossier_number", "value": "7654321"},
                    {"entity": "email", "value": "claire.petit@example.fr"},
                ],
            },
        },
        {
            "event": "bot",
            "timestamp": 2.0,
            "text": "Confirmez-vous claire.petit@example.fr ?",
            "data": {"buttons": [{"title": "Oui, 7654321", "payload": '/inform{"n":"7654321"}'}]},
        },
    ]
    shown = str(turns(events))
    for secret in ("FR7630006000011234567890189", "7654321", "claire.petit"):
        assert secret not in shown
    assert "FR76 **** **** 0189" in shown and "*****21" in shown
    assert summarize("x", events).channel == "rest"

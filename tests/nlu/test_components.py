"""Tests of the EntityNormalizer graph component and its pure helpers."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from carpimko.nlu.components import (
    AccentFolder,
    EntityNormalizer,
    LeanSpacyNLP,
    SpacyContextFeaturizer,
    canonical_value,
    normalize_entities,
)

NAME = "EntityNormalizer"


def diet(entity: str, text: str, span: str, value: str | None = None) -> dict[str, Any]:
    """An entity as DIET would return it for ``span`` inside ``text``."""
    start = text.index(span)
    return {
        "entity": entity,
        "start": start,
        "end": start + len(span),
        "value": span if value is None else value,
        "extractor": "DIETClassifier",
    }


def values(entities: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["entity"], e["value"]) for e in entities]


@pytest.mark.parametrize(
    ("entity", "raw", "expected"),
    [
        ("dossier_number", "12.34.567", "1234567"),
        ("dossier_number", "123 456 789", "123456789"),
        ("dossier_number", "un deux trois quatre cinq six sept", "1234567"),
        ("dossier_number", "12 34 56", "123456"),
        ("dossier_number", "mon numéro", None),
        ("iban", "fr76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"),
        ("iban", "100 %", None),
        ("email", "Jean.Dupont@Orange.FR", "jean.dupont@orange.fr"),
        ("year", "deux mille vingt-trois", "2023"),
        ("year", "l'an dernier", None),
        ("profile", "Affiliée", "affilie"),
        ("profile", "ayant_droit", "ayant_droit"),
        ("profile", "kiné", None),
        ("delivery_channel", "par la poste", "courrier"),
        ("resume_type", "mi temps thérapeutique", "therapeutique"),
    ],
)
def test_canonical_value(entity: str, raw: str, expected: str | None) -> None:
    assert canonical_value(entity, raw) == expected


def test_seven_and_nine_digit_numbers_are_added_when_missed() -> None:
    seven = normalize_entities("mon numéro est le 12 34 567", [], NAME)
    nine = normalize_entities("c'est le 123.456.789", [], NAME)
    assert values(seven) == [("dossier_number", "1234567")]
    assert values(nine) == [("dossier_number", "123456789")]
    assert seven[0]["extractor"] == NAME
    assert (seven[0]["start"], seven[0]["end"]) == (18, 27)


def test_spoken_dossier_number_is_detected() -> None:
    text = "mon numero de dossier c est un deux trois quatre cinq six sept"
    [entity] = normalize_entities(text, [], NAME)
    assert entity["value"] == "1234567"
    assert text[entity["start"] : entity["end"]] == "un deux trois quatre cinq six sept"


def test_truncated_diet_span_is_snapped_to_the_whole_number() -> None:
    text = "c'est le douze trente-quatre cinquante-six sept"
    partial = diet("dossier_number", text, "trente-quatre cinquante-six sept")
    [entity] = normalize_entities(text, [partial], NAME)
    assert entity["value"] == "1234567"
    assert entity["extractor"] == "DIETClassifier"
    assert NAME in entity["processors"]


def test_iban_with_spaces_and_lower_case() -> None:
    text = "mon iban fr76 3000 6000 0112 3456 7890 189 merci"
    inside = diet("dossier_number", text, "0112 3456")
    result = normalize_entities(text, [inside], NAME)
    assert values(result) == [("iban", "FR7630006000011234567890189")]


def test_email_is_lower_cased_and_year_inside_is_dropped() -> None:
    text = "écrivez à Marie.Durand2024@Gmail.com"
    year = diet("year", text, "2024")
    result = normalize_entities(text, [year], NAME)
    assert values(result) == [("email", "marie.durand2024@gmail.com")]


def test_categorical_values_missed_by_synonyms_are_mapped() -> None:
    text = "je suis Veuve et je veux le recevoir par Courriel"
    found = [diet("profile", text, "Veuve"), diet("delivery_channel", text, "Courriel")]
    assert values(normalize_entities(text, found, NAME)) == [
        ("profile", "ayant_droit"),
        ("delivery_channel", "email"),
    ]


def test_invalid_values_and_wrong_length_dossier_numbers_are_dropped() -> None:
    text = "attestation de l'an dernier, dossier 1234 5678"
    found = [diet("year", text, "l'an dernier"), diet("dossier_number", text, "1234 5678")]
    assert normalize_entities(text, found, NAME) == []
    for short in ("12345", "123", "0612345678", "75015"):
        assert normalize_entities(short, [diet("dossier_number", short, short)], NAME) == []


def test_spoken_year_tagged_as_dossier_number_is_a_year() -> None:
    text = "je voudrais déclarer mes revenus de deux mille vingt-quatre"
    found = [diet("dossier_number", text, "deux mille vingt-quatre")]
    assert values(normalize_entities(text, found, NAME)) == [("year", "2024")]
    dictated = "mon dossier c'est un deux trois quatre cinq six sept"
    found = [diet("dossier_number", dictated, "un deux trois quatre cinq six sept")]
    assert values(normalize_entities(dictated, found, NAME)) == [("dossier_number", "1234567")]


def test_percentage_tagged_as_iban_is_dropped() -> None:
    text = "je suis guérie et je reprends à 100 %"
    assert normalize_entities(text, [diet("iban", text, "100 %")], NAME) == []


def test_duplicates_from_split_spans_are_merged() -> None:
    text = "1234567 oui 1234567"
    first = {"entity": "dossier_number", "start": 0, "end": 7, "value": "1234567"}
    assert values(normalize_entities(text, [first], NAME)) == [("dossier_number", "1234567")]


def test_component_processes_messages() -> None:
    component = EntityNormalizer.create({}, None, None, None)  # type: ignore[arg-type]
    message = Message(data={TEXT: "numero un deux trois quatre cinq six sept huit neuf"})
    [processed] = component.process([message])
    assert values(processed.get(ENTITIES)) == [("dossier_number", "123456789")]


def test_accent_folder_folds_tokens_but_not_the_text() -> None:
    text = "numéro de réversion"
    tokens = [Token("numéro", 0, lemma="numéro"), Token("de", 7), Token("réversion", 10)]
    message = Message(data={TEXT: text, TOKENS_NAMES[TEXT]: tokens})
    folder = AccentFolder.create({}, None, None, None)  # type: ignore[arg-type]
    folder.process_training_data(TrainingData([message]))
    assert [t.text for t in tokens] == ["numero", "de", "reversion"]
    assert tokens[0].lemma == "numero"
    assert message.get(TEXT) == text


def test_spacy_context_featurizer_adds_dense_features() -> None:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.load("fr_core_news_sm", disable=["parser"])
    assert nlp.vocab.vectors_length == 0  # why Rasa's SpacyFeaturizer adds nothing here
    message = Message(
        data={TEXT: "mot de passe oublié", SPACY_DOCS[TEXT]: nlp("mot de passe oublié")}
    )
    featurizer = SpacyContextFeaturizer({**SpacyContextFeaturizer.get_default_config()}, "spacy")
    featurizer.process([message])
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is not None and sequence.features.shape == (4, 96)
    assert sentence is not None and sentence.features.shape == (1, 96)


def test_channel_word_naming_an_address_is_not_a_channel() -> None:
    text = "mon mail est paul@free.fr, envoyez par mail"
    own = diet("delivery_channel", text, "mail", "email")
    chosen = {**own, "start": text.rindex("mail"), "end": text.rindex("mail") + 4}
    result = normalize_entities(text, [own, chosen], NAME)
    assert values(result) == [("email", "paul@free.fr"), ("delivery_channel", "email")]


def test_profile_missed_by_diet_is_added() -> None:
    [entity] = normalize_entities("je suis la veuve de monsieur Martin", [], NAME)
    assert (entity["entity"], entity["value"], entity["extractor"]) == (
        "profile",
        "ayant_droit",
        NAME,
    )


def test_lean_spacy_nlp_tokenizes_without_unused_pipes() -> None:
    pytest.importorskip("fr_core_news_sm")
    config = {"model": "fr_core_news_sm"}
    lean = LeanSpacyNLP.create(config, None, None, None)  # type: ignore[arg-type]
    nlp = lean.provide().model
    assert not {"ner", "lemmatizer", "morphologizer"} & set(nlp.pipe_names)
    [message] = lean.process([Message(data={TEXT: "J'ai oublié mon mot de passe"})], lean.provide())
    assert [t.text for t in message.get(SPACY_DOCS[TEXT])][:3] == ["j'", "ai", "oublié"]

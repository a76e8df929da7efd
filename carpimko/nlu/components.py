"""Custom Rasa 3 graph components of the CARPIMKO NLU pipeline.

- ``EntityNormalizer`` runs after DIET and the synonym mapper. DIET finds most values but its
  spans and raw text are not the contract's canonical form (« 12.34.567 », « fr76 3000 … »,
  « Jean.Dupont@Orange.fr »), it sometimes cuts a long value short, and on phone transcriptions
  it may miss a dictated number altogether. Deterministic patterns are exact for these shapes,
  so this component snaps DIET's spans to them, adds what DIET missed and canonicalises values.
- ``AccentFolder`` makes the sparse features insensitive to missing accents.
- ``LeanSpacyNLP`` is ``SpacyNLP`` without the spaCy pipes nothing downstream reads.
- ``SpacyContextFeaturizer`` exposes spaCy's contextual token vectors as dense features (kept for
  the measured comparison in docs/nlu.md; not in the default pipeline).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS, TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.featurizers.dense_featurizer.spacy_featurizer import SpacyFeaturizer
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import (
    ENTITIES,
    FEATURE_TYPE_SENTENCE,
    FEATURE_TYPE_SEQUENCE,
    TEXT,
)
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from carpimko.text.email_address import find_emails, normalize_email
from carpimko.text.iban import find_ibans, normalize_iban
from carpimko.text.normalize import (
    DOSSIER_LENGTHS,
    Found,
    digits_only,
    find_dossier_numbers,
    find_profiles,
    normalize_delivery_channel,
    normalize_dossier_number,
    normalize_profile,
    normalize_resume_type,
    normalize_year,
    strip_accents,
)

Entity = dict[str, Any]

CANONICAL_VALUES: dict[str, frozenset[str]] = {
    "profile": frozenset({"affilie", "ayant_droit"}),
    "delivery_channel": frozenset({"email", "courrier"}),
    "resume_type": frozenset({"temps_complet", "therapeutique"}),
}
"""Closed-vocabulary entities of the contract and their only allowed values."""

_CATEGORICAL_NORMALIZERS: dict[str, Callable[[str], str | None]] = {
    "profile": normalize_profile,
    "delivery_channel": normalize_delivery_channel,
    "resume_type": normalize_resume_type,
}

_PATTERN_FINDERS: dict[str, Callable[[str], list[Found]]] = {
    "iban": find_ibans,
    "email": find_emails,
    "dossier_number": find_dossier_numbers,
}
"""Order matters: a dossier-shaped digit group inside an IBAN or e-mail is not a dossier."""


_IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
"""Country, check digits, account: « 100 % » tagged by DIET is not an IBAN. The checksum is not
required here, so that the dialogue can tell the user an IBAN was mistyped."""

_SPOKEN_YEAR = re.compile(r"\bmille?\b", re.IGNORECASE)


def _retype_spoken_year(entity: Entity, raw: str) -> Entity:
    """« deux mille vingt-trois » tagged as a dossier number is a year: no numéro de dossier is
    dictated with « mille »."""
    if entity["entity"] == "dossier_number" and _SPOKEN_YEAR.search(raw) and normalize_year(raw):
        return {**entity, "entity": "year"}
    return entity


def canonical_value(entity_type: str, raw: str) -> str | None:
    """Return the contract's canonical value for ``raw``, or None if it cannot be one.

    A digit string of the wrong length is kept as digits for ``dossier_number`` (annotations
    are compared as such); ``normalize_entities`` then drops it as an entity.
    """
    if entity_type == "dossier_number":
        return normalize_dossier_number(raw) or digits_only(raw) or None
    if entity_type == "iban":
        iban = normalize_iban(raw)
        return iban if _IBAN_SHAPE.fullmatch(iban) else None
    if entity_type == "email":
        return normalize_email(raw) or None
    if entity_type == "year":
        return normalize_year(raw)
    if entity_type in CANONICAL_VALUES:
        if raw in CANONICAL_VALUES[entity_type]:
            return raw
        return _CATEGORICAL_NORMALIZERS[entity_type](raw)
    return raw


def _overlaps(entity: Entity, found: Found) -> bool:
    return entity["start"] < found.end and found.start < entity["end"]


def _raw_text(entity: Entity, text: str) -> str:
    """Prefer the message text under the span: synonym mapping may have replaced the value."""
    if entity["entity"] in CANONICAL_VALUES:
        return str(entity.get("value", ""))
    return text[entity["start"] : entity["end"]] or str(entity.get("value", ""))


def _snap_to_patterns(text: str, entities: list[Entity], extractor: str) -> list[Entity]:
    """Align entities on exact pattern matches and add the matches no extractor found.

    Any other entity overlapping a matched IBAN, e-mail or dossier number is dropped: DIET may
    tag « 3000 6000 » inside an IBAN as a dossier number, or cut a dictated number in two.
    """
    result = list(entities)
    claimed: list[Found] = []
    for entity_type, finder in _PATTERN_FINDERS.items():
        for found in finder(text):
            if any(found.start < c.end and c.start < found.end for c in claimed):
                continue
            claimed.append(found)
            same = [e for e in result if e["entity"] == entity_type and _overlaps(e, found)]
            if same:
                anchor = {**same[0], "processors": [*same[0].get("processors", []), extractor]}
            else:
                anchor = {"entity": entity_type, "extractor": extractor}
            result = [e for e in result if not _overlaps(e, found)]
            result.append({**anchor, "start": found.start, "end": found.end, "value": found.value})
    return sorted(result, key=lambda e: (e["start"], e["end"]))


_NOT_A_CHANNEL_BEFORE = frozenset(
    {
        "mon", "ma", "mes", "votre", "vos", "ton", "ta", "son", "sa", "leur", "adresse",
        "nouvel", "nouvelle", "ancien", "ancienne", "ce", "cet", "cette",
    }
)  # fmt: skip
"""« mon mail », « adresse mail », « ce courrier » name an address or a letter, not a channel."""


def _is_channel_mention(entity: Entity, text: str) -> bool:
    """Keep « par mail », « le courrier svp »; drop « mon mail est … », « adresse e-mail »."""
    before = re.findall(r"[^\W\d_]+", text[: entity["start"]].lower())
    return not before or before[-1] not in _NOT_A_CHANNEL_BEFORE


def _add_missing_profile(text: str, entities: list[Entity], extractor: str) -> list[Entity]:
    """Add the profile the user states when DIET missed it (« je suis la veuve de … »)."""
    if any(e["entity"] == "profile" for e in entities):
        return entities
    for found in find_profiles(text):
        if not any(_overlaps(e, found) for e in entities):
            profile = {"entity": "profile", "extractor": extractor, "value": found.value}
            return [*entities, {**profile, "start": found.start, "end": found.end}]
    return entities


def _plausible(entity_type: str, value: str) -> bool:
    """A « dossier number » of the wrong length is no entity: DIET tags short numbers, postal
    codes and phone numbers inconsistently from one training to the next, while the reset form
    reads the message text anyway and tells the user that a numéro de dossier has 7 or 9 digits.
    """
    return entity_type != "dossier_number" or len(value) in DOSSIER_LENGTHS


def normalize_entities(text: str, entities: list[Entity], extractor: str) -> list[Entity]:
    """Snap, complete and canonicalise the entities of one message.

    Args:
        text: the user message.
        entities: entities from the extractors that ran before (DIET, synonym mapper).
        extractor: name recorded on entities this component adds or rewrites.

    Returns:
        New entity dicts with canonical values; entities whose value cannot be canonical
        (e.g. a « year » that is not a year) are dropped.
    """
    snapped = _snap_to_patterns(text, [dict(e) for e in entities], extractor)
    snapped = [
        e for e in snapped if e["entity"] != "delivery_channel" or _is_channel_mention(e, text)
    ]
    snapped = _add_missing_profile(text, snapped, extractor)
    normalized = []
    for entity in sorted(snapped, key=lambda e: (e["start"], e["end"])):
        entity = _retype_spoken_year(entity, _raw_text(entity, text))
        value = canonical_value(entity["entity"], _raw_text(entity, text))
        if value is None or not _plausible(entity["entity"], value):
            continue
        if value != entity.get("value"):
            processors = [*entity.get("processors", []), extractor]
            entity = {**entity, "value": value, "processors": processors}
        normalized.append(entity)
    return _deduplicate(normalized)


def _deduplicate(entities: list[Entity]) -> list[Entity]:
    """Keep one entity per (type, value): DIET may split one value into two spans."""
    seen = set()
    unique = []
    for entity in entities:
        key = (entity["entity"], entity["value"])
        if key in seen:
            continue
        seen.add(key)
        unique.append(entity)
    return unique


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class EntityNormalizer(GraphComponent, EntityExtractorMixin):
    """Brings entity values to the contract's canonical form and adds pattern matches.

    Place after DIETClassifier and EntitySynonymMapper. Configuration: none.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        """Keep the config only: the component has nothing to train or persist."""
        self._config = config

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """No options: the canonical forms are fixed by the contract."""
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityNormalizer:
        """Create the component (see ``GraphComponent.create``)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalise the entities of each parsed message in place."""
        for message in messages:
            text = message.get(TEXT) or ""
            entities = normalize_entities(text, message.get(ENTITIES, []), self.name)
            message.set(ENTITIES, entities, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class AccentFolder(GraphComponent):
    """Strips accents from token texts and lemmas so that sparse features ignore them.

    Affiliates often type without accents (« numero », « reversion »). Placed after the
    tokenizer and before the count-vector featurizers, it makes « numéro » and « numero » the
    same feature. Offsets and the message text are untouched, so entity values keep their
    accents; spaCy's dense features still see the original text.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        """Keep the config only: nothing to train or persist."""
        self._config = config

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """No options."""
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AccentFolder:
        """Create the component (see ``GraphComponent.create``)."""
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Fold the training examples the same way as messages at inference."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Fold the tokens of the text attribute of each message in place."""
        for message in messages:
            for token in message.get(TOKENS_NAMES[TEXT]) or []:
                token.text = strip_accents(token.text)
                if token.lemma:
                    token.lemma = strip_accents(token.lemma)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SpacyContextFeaturizer(SpacyFeaturizer):
    """Dense features from the contextual token vectors of a spaCy model without word vectors.

    ``fr_core_news_sm`` ships no static vectors, so Rasa's ``SpacyFeaturizer`` adds nothing at
    all (it checks ``vocab.vectors_length``). Its ``tok2vec`` layer still gives every token a
    96-dimension contextual vector (``Token.vector`` falls back to ``Doc.tensor``): this
    featurizer uses those, mean-pooled for the sentence.
    """

    def _set_spacy_features(self, message: Message, attribute: str = TEXT) -> None:
        doc = self._get_doc(message, attribute)
        if doc is None:
            return
        sequence = self._features_for_doc(doc)
        if sequence.size == 0:
            return
        sentence = self.aggregate_sequence_features(sequence, self.pooling_operation)
        alias = self._config[FEATURIZER_CLASS_ALIAS]
        message.add_features(Features(sequence, FEATURE_TYPE_SEQUENCE, attribute, alias))
        message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, attribute, alias))


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MODEL_LOADER,
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
    ],
    is_trainable=False,
    model_from="LeanSpacyNLP",
)
class LeanSpacyNLP(SpacyNLP):
    """``SpacyNLP`` that loads only the spaCy pipes the NLU pipeline reads.

    Rasa's ``SpacyNLP`` runs every pipe of ``fr_core_news_sm`` but the parser on each message:
    tok2vec, morphologizer, lemmatizer and NER cost about 5 ms per message here, yet the
    tokenizer reads only the tokens (count vectors use surface forms, lexical features use
    no POS tags, and the model has no word vectors for ``SpacyFeaturizer``). ``exclude`` lists
    the pipes not to load; an empty list gives Rasa's behaviour (minus the parser).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's options plus the pipes to leave out."""
        return {
            **SpacyNLP.get_default_config(),
            "exclude": ["tok2vec", "morphologizer", "attribute_ruler", "lemmatizer", "ner"],
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LeanSpacyNLP:
        """Load the spaCy model without the excluded pipes."""
        import spacy

        config = {**cls.get_default_config(), **config}
        name = config.get("model")
        if not name:
            return cls(cls.load_model(name), config)  # Rasa's own error message
        language = spacy.load(name, exclude=["parser", "senter", *config["exclude"]])
        cls.ensure_proper_language_model(language)
        return cls(SpacyModel(model=language, model_name=name), config)

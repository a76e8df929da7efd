"""Personal data in what the assistant echoes and stores.

- ``mask_dossier``, ``mask_email``, ``mask_iban``: the only forms in which the assistant may
  repeat a numéro de dossier, an e-mail address or an IBAN.
- ``redact_passwords``: replaces what looks like a password by « [mot de passe masqué] »; used
  by the NLU component ``carpimko.nlu.privacy.PasswordRedactor`` and by anything that stores
  user text (channels, transcripts, handoff summaries).
- ``mask_phone``, ``find_phones`` and ``mask_personal_data``: every kind of personal data above
  in free text, masked: what the support console and the transcript export show, and (without
  the numéros de dossier, which staff search by) what the tracker stores keep of users' text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from carpimko.text.email_address import SPOKEN_HINTS, find_emails, mask_email
from carpimko.text.iban import find_ibans, mask_iban
from carpimko.text.normalize import NUMBER_WORDS, find_dossier_numbers, fold

PASSWORD_PLACEHOLDER = "[mot de passe masqué]"
REDACTED_FLAG = "password_redacted"
"""Set in a message's parse data by the NLU when it masked a password: the user is warned."""
SEALED_PREFIX = "sealed:v1:"
"""Start of a value the action server sealed (``actions/sealed.py``): stored as it is."""


def mask_dossier(number: str) -> str:
    """« 1234567 » → « *****67 »: only the last two digits stay."""
    digits = "".join(ch for ch in number if ch.isdigit()) or number
    if len(digits) <= 2:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]


# --- passwords -------------------------------------------------------------------
_TOKEN_RE = re.compile(r"\S+")
_INTRO_RE = re.compile(
    r"(?:mot de passe|mdp|password|code (?:secret|d'acces|d’acces))"
    r"(?:\s+(?:provisoire|actuel|temporaire))?"
    r"\s*(?:est|c\s?['’]?\s?est|=|:|etait|était)\s*:?\s*(?P<secret>\S+)",
    re.IGNORECASE,
)
_DATE_RE = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$")
_TRAILING = ".,;!?»)\"'"


_COMPOUND_NAME_RE = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)+$")
_PORTAL_ID_RE = re.compile(r"^[0-9a-f]{32}$")
"""The portal's ids (``uuid4().hex``: uploads, resets), made by it and never typed as a secret."""


def _is_password_like(token: str) -> bool:
    """Mixed classes (letters + digits, or letters/digits + symbols), at least 8 characters."""
    word = token.strip(_TRAILING + "«(")
    if len(word) < 8 or _DATE_RE.match(word) or word.startswith("http"):
        return False
    if _COMPOUND_NAME_RE.match(word) or _PORTAL_ID_RE.match(word):  # « Marie-Claire »: a name
        return False
    has_alpha = any(ch.isalpha() for ch in word)
    has_digit = any(ch.isdigit() for ch in word)
    has_symbol = any(not ch.isalnum() for ch in word)
    has_upper = any(ch.isupper() for ch in word)
    has_lower = any(ch.islower() for ch in word)
    if has_alpha and has_digit and (has_upper or has_symbol):
        return True
    letters = sum(ch.isalpha() for ch in word)
    digits = sum(ch.isdigit() for ch in word)
    if word.isalnum() and letters >= 3 and digits >= 2:  # « soleil2024 »
        return True
    return has_alpha and has_symbol and has_upper and has_lower and not word.isalpha()


_NOT_SECRETS = frozenset(
    [
        "oublie",
        "perdu",
        "bloque",
        "incorrect",
        "incorrecte",
        "faux",
        "fausse",
        "refuse",
        "expire",
        "invalide",
        "errone",
        "pas",
        "plus",
        "trop",
        "toujours",
        "encore",
        "deja",
        "bon",
        "mauvais",
        "correct",
        "valide",
        "change",
        "modifie",
        "le",
        "la",
        "les",
        "mon",
        "ma",
        "un",
        "une",
        "du",
        "de",
        "des",
        "trop",
        "bien",
        "perime",
        "perimee",
        "different",
        "vide",
        "inconnu",
        "inconnue",
        "provisoire",
        "temporaire",
        "actuel",
        "nouveau",
        "nouvelle",
    ]
)


def _could_be_secret(word: str) -> bool:
    """After « mot de passe est », a plain French word is a description, not the secret."""
    folded = fold(word)
    if folded in _NOT_SECRETS or len(word) < 4:
        return False
    return not (word.isalpha() and folded.endswith(("e", "es", "ee", "ees", "ant", "ment")))


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Spans of values that are not passwords: IBANs, e-mails, dossier numbers."""
    spans = [(f.start, f.end) for f in find_ibans(text)]
    spans += [(f.start, f.end) for f in find_emails(text)]
    spans += [(f.start, f.end) for f in find_dossier_numbers(text)]
    return spans


_PAYLOAD_RE = re.compile(r"/\w+(\{.*\})", re.DOTALL)
"""Rasa's button payload with entities, « /inform{"postal_code": "69003"} »."""


def _is_intent_payload(text: str) -> bool:
    """A button or keypad payload is made by the assistant, never a typed secret."""
    match = _PAYLOAD_RE.fullmatch(text.strip())
    if not match:
        return False
    try:
        return isinstance(json.loads(match.group(1)), dict)
    except ValueError:
        return False


def find_passwords(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that look like a password (never in a button's intent payload)."""
    if _is_intent_payload(text):
        return []
    protected = _protected_spans(text)

    def overlaps(start: int, end: int) -> bool:
        return any(start < p_end and p_start < end for p_start, p_end in protected)

    spans: set[tuple[int, int]] = set()
    for match in _INTRO_RE.finditer(text):
        start, end = match.span("secret")
        secret = text[start:end].rstrip(_TRAILING)
        if secret and _could_be_secret(secret) and not overlaps(start, start + len(secret)):
            spans.add((start, start + len(secret)))
    for match in _TOKEN_RE.finditer(text):
        start, end = match.span()
        word = match.group()
        core = word.strip(_TRAILING + "«(")
        offset = word.find(core)
        c_start, c_end = start + offset, start + offset + len(core)
        if _is_password_like(core) and not overlaps(c_start, c_end):
            spans.add((c_start, c_end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def redact_passwords(text: str) -> tuple[str, bool]:
    """Return ``text`` with every password-like span replaced, and whether one was found."""
    spans = find_passwords(text)
    if not spans:
        return text, False
    pieces = []
    cursor = 0
    for start, end in spans:
        pieces.append(text[cursor:start])
        pieces.append(PASSWORD_PLACEHOLDER)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces), True


# --- phone numbers and free text -------------------------------------------------
def mask_phone(phone: str) -> str:
    """« 06 12 34 56 78 » → « 06 ** ** ** 78 »: the first two and the last two digits stay,
    the layout (spaces, dots, « +33 ») is kept so staff still recognise a phone number."""
    positions = [i for i, ch in enumerate(phone) if ch.isdigit()]
    keep = set(positions[:2] + positions[-2:])
    return "".join(ch if (i in keep or not ch.isdigit()) else "*" for i, ch in enumerate(phone))


_PHONE_HINT_RE = re.compile(r"(?:\+|(?<!\w)0)\d?(?:[\s.\-()]{0,2}\d){7,}")
"""Cheap pre-test: « 0 » or « + » then at least 8 digits (phonenumbers is slow on every text)."""


def find_phones(text: str) -> list[tuple[int, int]]:
    """Spans of valid phone numbers (French by default, international with « + »)."""
    if not _PHONE_HINT_RE.search(text):
        return []
    matcher = phonenumbers.PhoneNumberMatcher(text, "FR", leniency=phonenumbers.Leniency.VALID)
    return [(match.start, match.end) for match in matcher]


_DIGIT_RE = re.compile(r"\d")
_WORD_SPLIT_RE = re.compile(r"[^\W_]+")
_SPOKEN_NUMBER_WORDS = frozenset(NUMBER_WORDS)


def _may_hold_password(text: str) -> bool:
    """Cheap test run before :func:`redact_passwords` (which also scans for IBANs…).
    An IBAN written in one piece looks like a password but is protected there anyway."""
    return bool(_INTRO_RE.search(text)) or any(
        _is_password_like(token) and not find_ibans(token)
        for token in text.split()
        if len(token) >= 8
    )


def _may_hold_dossier(text: str, digits: int) -> bool:
    """Seven digits, or a run of spoken numbers long enough to dictate a dossier."""
    if digits >= 7:
        return True
    words = _WORD_SPLIT_RE.findall(fold(text))
    return sum(word in _SPOKEN_NUMBER_WORDS for word in words) >= 3


def _new_passwords(text: str) -> list[tuple[int, int]]:
    """:func:`find_passwords`, leaving alone what an earlier pass already masked."""
    done = [(m.start(), m.end()) for m in re.finditer(re.escape(PASSWORD_PLACEHOLDER), text)]
    return [
        (start, end)
        for start, end in find_passwords(text)
        if "**" not in text[start:end]
        and not any(start < d_end and d_start < end for d_start, d_end in done)
    ]


@dataclass(frozen=True)
class PersonalData:
    """One piece of personal data in a text: what it is, where, and how it may be shown."""

    kind: str
    start: int
    end: int
    masked: str


def find_personal_data(
    text: str, *, passwords: bool = True, dossiers: bool = True
) -> list[PersonalData]:
    """Passwords, IBANs, e-mails, phone numbers and numéros de dossier in clear in ``text``, in
    that order of precedence when two overlap, sorted by position. What is already masked is
    not found again. Cheap tests skip the costly finders on plain sentences."""
    digits = len(_DIGIT_RE.findall(text))
    lowered = text.lower()
    candidates: list[PersonalData] = []
    if passwords and _may_hold_password(text):
        candidates += [
            PersonalData("mot de passe", s, e, PASSWORD_PLACEHOLDER)
            for s, e in _new_passwords(text)
        ]
    if digits >= 4:
        candidates += [
            PersonalData("IBAN", f.start, f.end, mask_iban(f.value)) for f in find_ibans(text)
        ]
    if "@" in text or any(hint in lowered for hint in SPOKEN_HINTS):
        candidates += [
            PersonalData("e-mail", f.start, f.end, mask_email(f.value)) for f in find_emails(text)
        ]
    if digits >= 8:
        candidates += [
            PersonalData("téléphone", s, e, mask_phone(text[s:e])) for s, e in find_phones(text)
        ]
    if dossiers and _may_hold_dossier(text, digits):
        candidates += [
            PersonalData("numéro de dossier", f.start, f.end, mask_dossier(f.value))
            for f in find_dossier_numbers(text)
        ]
    chosen: list[PersonalData] = []
    for found in candidates:
        if not any(found.start < c.end and c.start < found.end for c in chosen):
            chosen.append(found)
    return sorted(chosen, key=lambda found: found.start)


@lru_cache(maxsize=65536)
def mask_personal_data(text: str, *, passwords: bool = True, dossiers: bool = True) -> str:
    """Free text as staff may see it: every :func:`find_personal_data` replaced by its mask.

    ``passwords=False`` for the assistant's own sentences and values (written by the team or
    made by the bot, never a secret): « Êtes-vous » would otherwise look like a password.
    ``dossiers=False`` for what the tracker stores keep: staff find a file by its number, and
    it is no secret (the portal asks a password with it); the console masks it when shown.
    Idempotent: what is already masked is left as it is. Cached (bot answers repeat): exports
    mask hundreds of thousands of messages.
    """
    pieces: list[str] = []
    cursor = 0
    for found in find_personal_data(text, passwords=passwords, dossiers=dossiers):
        pieces += [text[cursor : found.start], found.masked]
        cursor = found.end
    pieces.append(text[cursor:])
    return "".join(pieces)

"""Pure normalisation helpers for the values users type or say.

Affiliates write « 12.34.567 », « fr76 3000 ... » or, on the phone line, « douze trente-quatre
cinquante-six sept ». The assistant, the IVR channel and the actions all need the canonical form
fixed by the contract (digits only, upper-case IBAN without spaces, lower-case e-mail, four-digit
year, ``affilie``/``ayant_droit``, ``email``/``courrier``, ``temps_complet``/``therapeutique``).
Every function here is pure (no I/O) so that any service can import it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

DOSSIER_LENGTHS = (7, 9)
"""A numéro de dossier has 7 digits (affilié) or 9 digits (ayant droit)."""

_UNITS = {
    "zero": 0,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
}
_TEENS = {
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
}
_TENS = {
    "vingt": 20,
    "vingts": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "septante": 70,
    "huitante": 80,
    "octante": 80,
    "nonante": 90,
}
_MULTIPLIERS = {"cent": 100, "cents": 100, "mille": 1000}
_REPEATS = {"double": 2, "triple": 3}
_NUMBER_WORDS = set(_UNITS) | set(_TEENS) | set(_TENS) | set(_MULTIPLIERS)
NUMBER_WORDS = frozenset(_NUMBER_WORDS | set(_REPEATS))
"""Folded words that may be part of a dictated number (« douze », « double »…)."""

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
# Characters allowed between two number tokens of the same spoken run.
_RUN_GAP_RE = re.compile(r"^[\s\-,.]*$")


def strip_accents(text: str) -> str:
    """Remove diacritics so that « zéro », « zero » and « ZÉRO » compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower-case and accent-free form used for every keyword comparison."""
    return strip_accents(text).casefold()


@dataclass(frozen=True)
class NumberRun:
    """A run of spoken and/or written numbers found in a text.

    Attributes:
        start: offset of the first character of the run in the original text.
        end: offset just after the last character of the run.
        digits: the run written as digits, groups concatenated (« douze trente » → ``"1230"``).
        spoken: whether at least one number was written as a word.
    """

    start: int
    end: int
    digits: str
    spoken: bool


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    word: str  # folded form


def _tokens(text: str) -> list[_Token]:
    """Split on anything that is not a letter or digit; hyphens separate number words too."""
    return [_Token(m.start(), m.end(), fold(m.group())) for m in _WORD_RE.finditer(text)]


def _is_number_token(token: _Token) -> bool:
    return token.word.isdigit() or token.word in _NUMBER_WORDS or token.word in _REPEATS


def _word(tokens: list[_Token], i: int) -> str:
    return tokens[i].word if i < len(tokens) else ""


def _parse_teen(tokens: list[_Token], i: int) -> tuple[int, int] | None:
    """Parse 10-19 at ``i`` (« dix-sept » is two tokens); return (value, next index)."""
    word = _word(tokens, i)
    if word == "dix" and _word(tokens, i + 1) in ("sept", "huit", "neuf"):
        return 10 + _UNITS[_word(tokens, i + 1)], i + 2
    if word in _TEENS:
        return _TEENS[word], i + 1
    return None


def _parse_below_hundred(tokens: list[_Token], i: int) -> tuple[int, int] | None:
    """Parse one number below 100 starting at ``i``; return (value, next index) or None.

    Handles « vingt et un », « soixante-dix-sept », « quatre-vingt(s) », « quatre-vingt-douze »
    and the Belgian/Swiss « septante », « nonante ».
    """
    word = _word(tokens, i)
    if word == "quatre" and _word(tokens, i + 1) in ("vingt", "vingts"):
        tens, i = 80, i + 2
    elif word in _TENS:
        tens, i = _TENS[word], i + 1
    else:
        teen = _parse_teen(tokens, i)
        if teen is not None:
            return teen
        if word in _UNITS:
            return _UNITS[word], i + 1
        return None
    if tens in (60, 80):
        teen = _parse_teen(tokens, i)
        if teen is not None:
            return tens + teen[0], teen[1]
    if _word(tokens, i) == "et" and _word(tokens, i + 1) in ("un", "une", "onze"):
        return tens + (1 if _word(tokens, i + 1) != "onze" else 11), i + 2
    unit = _word(tokens, i)
    if unit in _UNITS and unit != "zero":
        return tens + _UNITS[unit], i + 1
    return tens, i


class _Chunk:
    """Accumulates one cardinal number built with « cent » / « mille » (e.g. a year)."""

    def __init__(self) -> None:
        self.value = 0
        self.pending: int | None = None
        self.capacity: int | None = None  # what may still be added after a multiplier

    @property
    def empty(self) -> bool:
        return self.pending is None and self.capacity is None

    def accepts(self, number: int) -> bool:
        """A number joins the chunk only in the slot a multiplier left open (« mille » 24)."""
        if self.empty:
            return True
        return self.pending is None and self.capacity is not None and number < self.capacity

    def add(self, number: int) -> None:
        self.pending = number

    def accepts_multiplier(self, factor: int) -> bool:
        if factor == 1000:
            return self.value < 1000
        return self.capacity is None or self.capacity > 100

    def multiply(self, factor: int) -> None:
        if factor == 1000:
            base = self.value + (self.pending if self.pending is not None else 0)
            self.value = (base or 1) * 1000
        else:
            self.value += (self.pending if self.pending is not None else 1) * 100
        self.pending = None
        self.capacity = factor

    def digits(self) -> str:
        return str(self.value + (self.pending or 0))


def _run_groups(tokens: list[_Token]) -> Iterator[str]:
    """Turn the tokens of one run into digit groups, in order."""
    chunk = _Chunk()
    i = 0
    while i < len(tokens):
        word = tokens[i].word
        if word.isdigit():
            if not chunk.empty:
                yield chunk.digits()
                chunk = _Chunk()
            yield word
            i += 1
            continue
        if word in _REPEATS:
            parsed = _parse_below_hundred(tokens, i + 1)
            if parsed is not None:
                if not chunk.empty:
                    yield chunk.digits()
                    chunk = _Chunk()
                yield str(parsed[0]) * _REPEATS[word]
                i = parsed[1]
                continue
            i += 1
            continue
        if word in _MULTIPLIERS:
            factor = _MULTIPLIERS[word]
            if not chunk.accepts_multiplier(factor):
                yield chunk.digits()
                chunk = _Chunk()
            chunk.multiply(factor)
            i += 1
            continue
        parsed = _parse_below_hundred(tokens, i)
        if parsed is None:  # a stray « et » or « vingt » glue word: skip it
            i += 1
            continue
        number, i = parsed
        if not chunk.accepts(number):
            yield chunk.digits()
            chunk = _Chunk()
        chunk.add(number)
    if not chunk.empty:
        yield chunk.digits()


def _split_runs(text: str, tokens: list[_Token]) -> Iterator[list[_Token]]:
    """Group consecutive number tokens separated only by spaces, hyphens, commas or dots."""
    run: list[_Token] = []
    for i, token in enumerate(tokens):
        glue = (
            token.word == "et"
            and bool(run)
            and run[-1].word in _TENS
            and _word(tokens, i + 1) in ("un", "une", "onze")
        )
        if _is_number_token(token) or glue:
            if run and not _RUN_GAP_RE.match(text[run[-1].end : token.start]):
                yield run
                run = []
            run.append(token)
        elif run:
            yield run
            run = []
    if run:
        yield run


def find_number_runs(text: str) -> list[NumberRun]:
    """Find every run of numbers (words and/or digits) in ``text`` with its digit form.

    Groups are concatenated the way people dictate identifiers: « un deux trois » → ``"123"``,
    « douze trente-quatre cinquante-six sept » → ``"1234567"``, « double zéro » → ``"00"``,
    while « deux mille vingt-quatre » stays one number → ``"2024"``.
    """
    runs = []
    for run in _split_runs(text, _tokens(text)):
        while run and run[-1].word in ("et", "double", "triple"):
            run = run[:-1]
        if not run:
            continue
        digits = "".join(_run_groups(run))
        spoken = any(not token.word.isdigit() for token in run)
        runs.append(NumberRun(run[0].start, run[-1].end, digits, spoken))
    return runs


def spoken_digits_to_digits(text: str) -> str:
    """Replace French number words by digits, joining the groups of each dictated run.

    Only runs that contain at least one number word are rewritten, so « 12 34 567 » typed with
    spaces is left untouched (see :func:`normalize_dossier_number` for that case). Note that the
    article « un/une » and « neuf » (new) are read as numbers: call this on dictated values.

    Examples:
        >>> spoken_digits_to_digits("mon numero c'est un deux trois quatre cinq six sept")
        "mon numero c'est 1234567"
        >>> spoken_digits_to_digits("douze trente-quatre cinquante-six sept")
        '1234567'
    """
    pieces = []
    cursor = 0
    for run in find_number_runs(text):
        if not run.spoken:
            continue
        pieces.append(text[cursor : run.start])
        pieces.append(run.digits)
        cursor = run.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def normalize_dossier_number(raw: str) -> str | None:
    """Return the numéro de dossier as 7 or 9 digits, or None if it cannot be one.

    Accepts « 1234567 », « 123 456 789 », « 12.34.567 », « 12-34-567 », « n° 1234567 » and
    dictated forms such as « un deux trois quatre cinq six sept ».
    """
    digits = digits_only(raw)
    return digits if len(digits) in DOSSIER_LENGTHS else None


def digits_only(raw: str) -> str:
    """All digits of ``raw`` as ASCII, after reading spoken numbers, for values of unexpected
    length. Decimal digits of any script count (« ١٢٣ » → « 123 »); « ² » does not."""
    return "".join(
        str(value)
        for value in (unicodedata.decimal(ch, None) for ch in spoken_digits_to_digits(raw))
        if value is not None
    )


@dataclass(frozen=True)
class Found:
    """A value found in a text: its span and its canonical form."""

    start: int
    end: int
    value: str


def find_dossier_numbers(text: str) -> list[Found]:
    """Find 7- or 9-digit dossier numbers, typed (« 12.34.567 ») or dictated, in ``text``.

    Typed digits win over words around them, so the article in « un 1234567 » is not read as a
    digit; a dictated run counts as a whole (« douze trente-quatre cinquante-six sept »).
    """
    found: list[Found] = []
    for run in _split_runs(text, _tokens(text)):
        typed = [group for group in _typed_groups(run) if len(group.value) in DOSSIER_LENGTHS]
        if not typed:
            typed = [
                Found(token.start, token.end, token.word)
                for token in run
                if token.word.isdigit() and len(token.word) in DOSSIER_LENGTHS
            ]
        if typed:
            found.extend(typed)
            continue
        digits = "".join(_run_groups(run))
        if len(digits) in DOSSIER_LENGTHS:
            found.append(Found(run[0].start, run[-1].end, digits))
    return found


def _typed_groups(run: list[_Token]) -> Iterator[Found]:
    """Yield each maximal sequence of digit tokens of a run, joined (« 12 34 567 »)."""
    group: list[_Token] = []
    for token in [*run, None]:
        if token is not None and token.word.isdigit():
            group.append(token)
            continue
        if group:
            yield Found(group[0].start, group[-1].end, "".join(t.word for t in group))
            group = []


_PROFILE_PATTERNS = (
    (
        "ayant_droit",
        re.compile(
            r"\bayants?[ -]droits?\b|\bveu(?:ve|f)\b|\br[ée]version\b|\brente de survie\b"
            r"|\brente d'[ée]ducation\b",
            re.IGNORECASE,
        ),
    ),
    (
        "affilie",
        re.compile(
            r"(?<!num[ée]ro d')(?<!num[ée]ro d )\baffili[ée]e?s?\b|\bcotisante?\b"
            r"|\bretrait(?:ée?s?|ees?)\b",
            re.IGNORECASE,
        ),
    ),
)


def find_profiles(text: str) -> list[Found]:
    """Find unambiguous statements of the user's profile (« veuve », « ayant droit », « affiliée »).

    « numéro d'affilié » names the identifier, not the user's situation, and is skipped.
    """
    found = [
        Found(m.start(), m.end(), profile)
        for profile, pattern in _PROFILE_PATTERNS
        for m in pattern.finditer(text)
    ]
    return sorted(found, key=lambda f: f.start)


def normalize_year(raw: str) -> str | None:
    """Return a four-digit year (1900-2099) from « 2024 », « deux mille vingt-quatre » or « 24 ».

    A two-digit year is read as 20xx below 50 and 19xx otherwise.
    """
    digits = digits_only(raw)
    if len(digits) == 2:
        digits = ("20" if int(digits) < 50 else "19") + digits
    if len(digits) == 4 and 1900 <= int(digits) <= 2099:
        return digits
    return None


_PROFILE_KEYWORDS = (
    (
        "ayant_droit",
        (
            "ayant droit",
            "ayants droit",
            "ayant-droit",
            "ayantdroit",
            "ayant droits",
            "veuve",
            "veuf",
            "reversion",
            "survie",
            "conjoint survivant",
            "conjointe survivante",
            "rente d education",
            "orphelin",
            "survivant",
            "survivante",
            "pension de reversion",
        ),
    ),
    (
        "affilie",
        (
            "affilie",
            "affiliee",
            "affilier",
            "afilie",
            "cotisant",
            "cotisante",
            "retraite",
            "retraitee",
            "adherent",
            "adherente",
            "liberal",
            "liberale",
            "en activite",
            "invalidite",
            "cumul emploi",
        ),
    ),
)

_CHANNEL_KEYWORDS = (
    (
        "email",
        (
            "e mail",
            "mail",
            "mails",
            "mel",
            "courriel",
            "courrier electronique",
            "adresse electronique",
            "boite mail",
            "messagerie",
        ),
    ),
    (
        "courrier",
        (
            "courier",
            "poste",
            "postal",
            "postale",
            "lettre",
            "papier",
            "boite aux lettres",
            "voie postale",
            "domicile",
        ),
    ),
)

_RESUME_KEYWORDS = (
    (
        "therapeutique",
        (
            "therapeutique",
            "therapeutiques",
            "therapeutic",
            "mi temps",
            "mi-temps",
            "temps partiel",
            "tpt",
            "mtt",
            "partiel",
            "progressive",
            "allege",
            "allegee",
        ),
    ),
    (
        "temps_complet",
        (
            "temps complet",
            "temps plein",
            "plein temps",
            "complet",
            "plein",
            "100%",
            "100 %",
            "totale",
            "complete",
            "completement",
        ),
    ),
)


def _classify(raw: str, table: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """Return the first canonical value whose keyword appears as whole words in ``raw``."""
    text = " " + re.sub(r"[^a-z0-9%]+", " ", fold(raw)) + " "
    for canonical, keywords in table:
        for keyword in (canonical, *keywords):
            needle = " " + re.sub(r"[^a-z0-9%]+", " ", keyword).strip() + " "
            if needle in text:
                return canonical
    return None


def normalize_profile(raw: str) -> str | None:
    """Map « affiliée », « cotisant », « retraité » → ``affilie``; « veuve », « réversion » …
    → ``ayant_droit``. Survivor wording is checked first: « retraite de réversion » is an
    ayant droit."""
    return _classify(raw, _PROFILE_KEYWORDS)


def normalize_delivery_channel(raw: str) -> str | None:
    """Map « par courrier », « la poste » → ``courrier``; « par mail », « courriel » → ``email``."""
    return _classify(raw, _CHANNEL_KEYWORDS)


def normalize_resume_type(raw: str) -> str | None:
    """Map « mi-temps thérapeutique », « temps partiel » → ``therapeutique``; « temps plein »
    → ``temps_complet``."""
    return _classify(raw, _RESUME_KEYWORDS)

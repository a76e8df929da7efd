"""Bot messages rewritten to be read aloud by a French text-to-speech voice (phone line).

The web wording carries URLs, bullets, menu paths (« A » > « B »), masked values, references
and numbers written for the eye. A voice would read « w w w point… », « astérisque » or
« zéro un trente quarante-huit… » as one number. Every function here is pure:

- :func:`speak` turns one message into plain sentences: URLs become the site's name, menu paths
  « A, puis B », phone numbers are read in pairs, numéros de dossier digit by digit, references
  character by character, amounts and dates in words (num2words, Babel), hours « 8 heures 45 »;
  markdown, emoji, bullets and masked values never reach the voice as signs: a masked e-mail
  is spelled (:func:`spell_masked_email`), a masked phone number is « se terminant par 78 ».
- :func:`keypad_menu` turns buttons into « « Affilié », tapez 1. » and returns
  the keypad mapping (digit → payload) the channel keeps for the caller's next answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date
from num2words import num2words

CHOICE_TEMPLATE = "« {title} », tapez {digit}."
"""Default wording of one keypad choice (the channel passes the domain's ``utter_ivr_choice``)."""
MAX_CHOICES = 9
"""Keys 1 to 9; « * » repeats and « # » ends a number."""

_URL_RE = re.compile(r"(?:https?://|www\.)[^\s«»()<>]+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[\w.+*\-]+@[\w*\-]+(?:\.[\w*\-]+)+")
_MASKED_PHONE_RE = re.compile(r"(?:\b(?:au|le) )?\b0\d[ .]?(?:\*\*[ .]?){3}(\d\d)\b")
_PHONE_RE = re.compile(r"(?<![\d*])(?:\+33[ .]?[1-9]|0[1-9])(?:[ .]?\d\d){4}(?![\d*])")
_REFERENCE_RE = re.compile(r"\b[A-Z]{2,5}(?:-[A-Z0-9]{2,12}){1,3}\b")
_AMOUNT_RE = re.compile(
    r"(?<![\d,])(\d{1,3}(?:[  .]\d{3})+|\d+)(?:,(\d{1,2}))?\s?(?:€|euros?\b)", re.IGNORECASE
)
_NUMERIC_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b")
_HOUR_RE = re.compile(r"\b(\d{1,2}) ?h ?(\d{2})\b|\b(\d{1,2}) ?h\b")
_LONG_DIGITS_RE = re.compile(r"(?<!\d)(?<!\d[,.])(\d{7}|\d{9})(?!\d|[,.]\d)")
_MENU_PATH_RE = re.compile(r"»\s*>\s*«")
_MARKDOWN_LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MARKDOWN_RE = re.compile(r"(\*\*|__|`|~~)")
_LIST_MARK_RE = re.compile(r"^\s*(?:[•\-–*·▪►]|\d{1,2}[.)])\s+")
_HEADING_RE = re.compile(r"^\s*#{1,6}\s+")
_GENDER_MARK_RE = re.compile(r"\((?:e|es|s)\)")
_SPACES_RE = re.compile(r"[ \t\u00a0\u202f]+")
_SITE_NAMES = {"carpimko": "le site carpimko point com"}


def _words(number: int) -> str:
    return str(num2words(number, lang="fr"))


def digit_by_digit(digits: str) -> str:
    """« 1234567 » → « un, deux, trois, quatre, cinq, six, sept » (numéro de dossier)."""
    return ", ".join(_words(int(ch)) for ch in digits if ch.isdigit())


def phone_in_pairs(phone: str) -> str:
    """« 01 30 48 10 00 » → « zéro un, trente, quarante-huit, dix, zéro zéro »."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    pairs = [digits[i : i + 2] for i in range(0, len(digits), 2)]
    spoken = []
    for pair in pairs:
        if pair.startswith("0"):
            spoken.append(" ".join(_words(int(ch)) for ch in pair))
        else:
            spoken.append(_words(int(pair)))
    return ", ".join(spoken)


def amount(euros: int, cents: int = 0) -> str:
    """1234 € 50 → « mille deux cent trente-quatre euros cinquante »."""
    unit = "euro" if euros in (0, 1) else "euros"
    spoken = f"{_words(euros)} {unit}"
    return f"{spoken} {_words(cents)}" if cents else spoken


def spoken_date(day: date) -> str:
    """« lundi 17 novembre 2025 » (Babel, French)."""
    return str(format_date(day, "EEEE d MMMM y", locale="fr_FR"))


def _reference(ref: str) -> str:
    """« RAP-20251112-A1B2C3 » → « R A P, 2 0 2 5 1 1 1 2, A 1 B 2 C 3 »."""
    return ", ".join(" ".join(part) for part in ref.split("-"))


def _url(match: re.Match[str]) -> str:
    url = match.group().rstrip(".,;:!?")
    tail = match.group()[len(url) :]
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE).split("/")[0]
    name = host.split(".")[0].lower()
    spoken = _SITE_NAMES.get(name, "le site " + host.replace(".", " point "))
    return spoken + tail


def _masked_phone(match: re.Match[str]) -> str:
    lead = "au" if match.group().startswith("au ") else "le"
    return f"{lead} numéro se terminant par {int(match.group(1))}"


_EMAIL_SIGNS = {"@": "arobase", ".": "point", "-": "tiret", "_": "tiret bas", "+": "plus"}
_EMAIL_PART_RE = re.compile(r"[^\W\d_]+|\*+|\d|.")


def spell_masked_email(masked: str) -> str:
    """« j****dy@e******.fr » → « j, quatre étoiles, d y, arobase, e, six étoiles, point, f r ».

    What the caller needs to recognise the address the fund has (is it my accountant's?):
    the visible letters one by one, each run of hidden ones counted, the signs named.
    """
    parts = []
    for part in _EMAIL_PART_RE.findall(masked):
        if part.startswith("*"):
            parts.append("une étoile" if len(part) == 1 else f"{_words(len(part))} étoiles")
        elif part.isdigit():
            parts.append(_words(int(part)))
        elif part in _EMAIL_SIGNS:
            parts.append(_EMAIL_SIGNS[part])
        elif part.strip():
            parts.append(" ".join(part.lower()))
    return ", ".join(parts)


def _email(match: re.Match[str]) -> str:
    if "*" in match.group():
        return spell_masked_email(match.group())
    return match.group().replace("@", " arobase ").replace(".", " point ")


def _amount(match: re.Match[str]) -> str:
    euros = int(re.sub(r"\D", "", match.group(1)))
    cents = int((match.group(2) or "0").ljust(2, "0"))
    return amount(euros, cents)


def _numeric_date(match: re.Match[str]) -> str:
    try:
        if match.group(3):
            day = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        else:
            day = date(int(match.group(4)), int(match.group(5)), int(match.group(6)))
    except ValueError:
        return match.group()
    return spoken_date(day)


def _hour(match: re.Match[str]) -> str:
    if match.group(3):
        return f"{match.group(3)} heures"
    minutes = match.group(2)
    return f"{match.group(1)} heures" + ("" if minutes == "00" else f" {int(minutes)}")


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) in ("So", "Sk", "Cs", "Co") or ch in "\ufe0f\u200d"


def _clean_line(line: str) -> str:
    line = _HEADING_RE.sub("", line)
    line = _LIST_MARK_RE.sub("", line)
    return line.strip()


def speak(text: str) -> str:
    """One bot message as plain French sentences for a text-to-speech voice."""
    text = "".join(ch for ch in text if not _is_emoji(ch))
    text = _MARKDOWN_LINK_RE.sub(r"\1", text)
    text = _URL_RE.sub(_url, text)
    # Masked values first: their asterisks must not be taken for markdown.
    text = _MASKED_PHONE_RE.sub(_masked_phone, text)
    text = _EMAIL_RE.sub(_email, text)
    text = text.replace("@", " arobase ")  # « avec un @ » outside an address
    text = _MARKDOWN_RE.sub("", text)
    text = _PHONE_RE.sub(lambda m: phone_in_pairs(m.group()), text)
    text = _REFERENCE_RE.sub(lambda m: _reference(m.group()), text)
    text = _NUMERIC_DATE_RE.sub(_numeric_date, text)
    text = _AMOUNT_RE.sub(_amount, text)
    text = _HOUR_RE.sub(_hour, text)
    text = _LONG_DIGITS_RE.sub(lambda m: digit_by_digit(m.group()), text)
    text = _MENU_PATH_RE.sub(", puis", text)
    text = _GENDER_MARK_RE.sub("", text)
    text = text.replace(" / ", " ou ").replace("…", ".").replace("*", "")
    text = re.sub(r"[«»“”\"<>\[\]{}|#_\\^]", "", text)
    text = text.replace("(", ", ").replace(")", ",")
    sentences = []
    for raw in text.splitlines():
        line = _SPACES_RE.sub(" ", _clean_line(raw)).strip(" ,")
        if not line:
            continue
        if line[-1] not in ".!?:;":
            line += "."
        sentences.append(line)
    spoken = " ".join(sentences)
    spoken = re.sub(r"\s+([,.;:!?])", r"\1", spoken)
    spoken = re.sub(r",\s*([,.;:!?])", r"\1", spoken)
    spoken = re.sub(r":\s*\.", ".", spoken)
    spoken = re.sub(r"CARPIMKO", "Carpimko", spoken)
    return _SPACES_RE.sub(" ", spoken).strip()


@dataclass(frozen=True)
class KeypadMenu:
    """What to say for a set of buttons, and the payload each key sends on the next turn."""

    prompt: str
    keys: dict[str, str]
    titles: dict[str, str]


def keypad_menu(
    buttons: Iterable[Mapping[str, Any]], template: str = CHOICE_TEMPLATE
) -> KeypadMenu:
    """Buttons → « « Affilié », tapez 1. … » and ``{"1": payload, …}``.

    The title is spoken as the caller may say it back: the speech goes through NLU, the key
    sends the button's payload as if clicked.
    """
    lines = []
    keys: dict[str, str] = {}
    titles: dict[str, str] = {}
    for index, button in enumerate(buttons, start=1):
        if index > MAX_CHOICES:
            break
        title = speak(str(button.get("title", ""))).rstrip(".")
        payload = str(button.get("payload") or button.get("title") or "")
        if not title or not payload:
            continue
        digit = str(index)
        keys[digit] = payload
        titles[digit] = title
        lines.append(template.format(title=title, digit=digit))
    return KeypadMenu(" ".join(lines), keys, titles)

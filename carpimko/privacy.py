"""Personal data in what the assistant echoes and stores.

- ``mask_dossier``, ``mask_email``, ``mask_iban``: the only forms in which the assistant may
  repeat a numéro de dossier, an e-mail address or an IBAN.
- ``redact_passwords``: replaces what looks like a password by « [mot de passe masqué] »; used
  by the NLU component ``carpimko.nlu.privacy.PasswordRedactor`` and by anything that stores
  user text (channels, transcripts, handoff summaries).
- ``mask_personal_data``: all of the above in free text (IBAN, e-mail, phone number, password);
  the tracker stores apply it to what users wrote before it is written.
"""

from __future__ import annotations

import re

import phonenumbers

from carpimko.normalize import find_dossier_numbers, find_emails, find_ibans, fold

PASSWORD_PLACEHOLDER = "[mot de passe masqué]"


def mask_dossier(number: str) -> str:
    """« 1234567 » → « *****67 »: only the last two digits stay."""
    digits = "".join(ch for ch in number if ch.isdigit()) or number
    if len(digits) <= 2:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]


def mask_email(email: str) -> str:
    """« jeanne.dupont@example.fr » → « j****t@e******.fr » (same shape as the portal)."""
    email = email.strip()
    if "@" not in email:
        return "*" * len(email)
    local, _, domain = email.rpartition("@")
    name, dot, tld = domain.rpartition(".")
    if not dot:
        name, tld = domain, ""

    def hide(part: str) -> str:
        if len(part) <= 2:
            return part[:1] + "*" * max(len(part) - 1, 0)
        return part[0] + "*" * (len(part) - 2) + part[-1]

    masked_domain = (name[:1] + "*" * max(len(name) - 1, 0)) + (f".{tld}" if tld else "")
    return f"{hide(local)}@{masked_domain}"


def mask_iban(iban: str) -> str:
    """« FR7630006000011234567890189 » → « FR76 **** **** **** **** ***0 189 » style: country,
    check digits and the last 4 characters only."""
    compact = re.sub(r"\s+", "", iban).upper()
    if len(compact) <= 8:
        return "*" * len(compact)
    return compact[:4] + "*" * (len(compact) - 8) + compact[-4:]


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


def _is_password_like(token: str) -> bool:
    """Mixed classes (letters + digits, or letters/digits + symbols), at least 8 characters."""
    word = token.strip(_TRAILING + "«(")
    if len(word) < 8 or _DATE_RE.match(word) or "@" in word or word.startswith("http"):
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


def find_passwords(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that look like a password."""
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


# --- free text ---------------------------------------------------------------------
def mask_phone_digits(raw: str) -> str:
    """« 06 12 34 56 78 » → « ********78 »: only the last two digits stay."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def _replace_spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Replace non-overlapping spans (the first of overlapping ones wins)."""
    pieces, cursor = [], 0
    for start, end, replacement in sorted(spans):
        if start < cursor:
            continue
        pieces += [text[cursor:start], replacement]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def mask_personal_data(text: str, passwords: bool = True) -> str:
    """``text`` with IBANs, e-mail addresses, phone numbers and (unless ``passwords`` is
    False: values the bot made, such as ids, are not passwords) passwords masked.

    Dossier numbers stay: the fund's staff need them to find the file, and they are not
    secrets (the portal asks a password with them).
    """
    spans = [(f.start, f.end, mask_iban(f.value)) for f in find_ibans(text)]
    spans += [(f.start, f.end, mask_email(f.value)) for f in find_emails(text)]
    for match in phonenumbers.PhoneNumberMatcher(text, "FR"):
        # People write phone numbers with 0 or +; a bare « 123456789 » is a dossier number.
        if match.raw_string.lstrip("(").startswith(("0", "+")):
            spans.append((match.start, match.end, mask_phone_digits(match.raw_string)))
    # Idempotent: what is already masked (placeholder, « FR76****0189 ») is left alone.
    done = [(m.start(), m.end()) for m in re.finditer(re.escape(PASSWORD_PLACEHOLDER), text)]
    for start, end in find_passwords(text) if passwords else []:
        overlaps_done = any(start < d_end and d_start < end for d_start, d_end in done)
        if overlaps_done or "**" in text[start:end]:
            continue
        spans.append((start, end, PASSWORD_PLACEHOLDER))
    return _replace_spans(text, spans)

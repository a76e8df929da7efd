"""A strict TwiML checker for the phone channel's answers.

Well-formed XML; only the verbs and attributes of Twilio's voice TwiML reference that the
channel may use, with valid values; every spoken sentence in French, with nothing a voice would
read as noise (URL, markdown, bullets, masked values, emoji, raw identifiers).
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

ATTRIBUTES = {
    "Response": set(),
    "Say": {"voice", "language", "loop"},
    "Gather": {
        "input",
        "action",
        "method",
        "timeout",
        "speechTimeout",
        "finishOnKey",
        "numDigits",
        "language",
        "hints",
        "actionOnEmptyResult",
        "speechModel",
        "profanityFilter",
        "enhanced",
    },
    "Dial": {"action", "method", "timeout", "callerId", "timeLimit", "answerOnBridge"},
    "Hangup": set(),
    "Redirect": {"method"},
    "Pause": {"length"},
}
CHILDREN = {
    "Response": {"Say", "Gather", "Dial", "Hangup", "Redirect", "Pause"},
    "Gather": {"Say", "Pause"},
    "Say": set(),
    "Dial": set(),
    "Hangup": set(),
    "Redirect": set(),
    "Pause": set(),
}
FRENCH_WORDS = {
    "je", "vous", "votre", "vos", "le", "la", "les", "de", "des", "du", "un", "une", "et",
    "pour", "est", "au", "à", "ou", "merci", "bonjour", "bonsoir", "revoir", "oui", "non",
}  # fmt: skip
ENGLISH_WORDS = {"the", "please", "your", "you", "press", "hello", "goodbye", "sorry", "and"}
NOISE = re.compile(
    r"https?://|www\.|\.com\b|\.fr\b|[*#_\[\]{}<>|•`~^\\]|\b\d{7}\b|\b\d{9}\b|@|/\w|»\s*>"
)


@dataclass
class Answer:
    """What one TwiML answer does."""

    says: list[str] = field(default_factory=list)
    gather: dict[str, str] | None = None
    dial: str | None = None
    dial_attributes: dict[str, str] = field(default_factory=dict)
    hangup: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.says)


def _check_say(element: ET.Element) -> str:
    assert element.get("language") == "fr-FR", "every <Say> speaks fr-FR"
    text = (element.text or "").strip()
    assert text, "empty <Say>"
    assert not NOISE.search(text), f"noise read aloud: {NOISE.search(text)!r} in {text!r}"
    assert not any(unicodedata.category(ch) == "So" for ch in text), f"emoji in {text!r}"
    words = set(re.findall(r"[a-zà-ÿ]+", text.lower()))
    assert not words & ENGLISH_WORDS, f"English in {text!r}"
    return text


def check_twiml(xml: str) -> Answer:
    """Parse and validate one answer; return what it says and does."""
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "Response"
    answer = Answer()
    ended = False

    def visit(element: ET.Element, parent: str) -> None:
        nonlocal ended
        tag = element.tag
        assert tag in ATTRIBUTES, f"unknown verb <{tag}>"
        assert tag in CHILDREN[parent], f"<{tag}> not allowed in <{parent}>"
        unknown = set(element.attrib) - ATTRIBUTES[tag]
        assert not unknown, f"<{tag}> has unknown attributes {unknown}"
        assert not ended, f"<{tag}> after <Hangup/> is never executed"
        if tag == "Say":
            answer.says.append(_check_say(element))
        elif tag == "Gather":
            attributes = dict(element.attrib)
            assert set(attributes["input"].split()) <= {"speech", "dtmf"}
            assert attributes["language"] == "fr-FR"
            assert attributes.get("finishOnKey", "#") in {"", "#", "*"} | set("0123456789")
            assert int(attributes.get("timeout", "5")) >= 1
            if "numDigits" in attributes:
                assert int(attributes["numDigits"]) >= 1
            assert attributes.get("actionOnEmptyResult", "true") in ("true", "false")
            assert answer.gather is None, "one <Gather> per answer"
            answer.gather = attributes
        elif tag == "Dial":
            number = (element.text or "").strip()
            assert re.fullmatch(r"\+\d{8,15}", number), f"<Dial> to {number!r}"
            answer.dial, answer.dial_attributes = number, dict(element.attrib)
        elif tag == "Hangup":
            answer.hangup = True
            ended = True
        for child in element:
            visit(child, tag)
        if tag in ("Say", "Dial"):
            assert len(element) == 0

    for child in root:
        visit(child, "Response")
    assert answer.says or answer.hangup, "an answer says something or hangs up"
    if answer.says:
        words = set(re.findall(r"[a-zà-ÿ]+", answer.text.lower()))
        assert words & FRENCH_WORDS, f"not French: {answer.text!r}"
    assert answer.gather is not None or answer.dial or answer.hangup, (
        "the call must not fall off the end of the document"
    )
    return answer

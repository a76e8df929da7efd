"""Replay each main procedure through the REST channel of a running stack → docs/transcripts.md.

Starts scripts/run.sh on free ports (temporary portal and tracker databases, like
tests/integration), or uses ``--rasa URL --portal URL`` of a stack already running. Logged-in
scenarios first log in to the portal as a demo member and pass the session token as message
metadata, exactly as the web widget does. The output shows what a user sees: the text they
typed (or the title of the button they chose), the answers, buttons and download cards.
Personal data typed by the user (IBAN, e-mail, numéro de dossier) is masked in the file.

    .venv/bin/python scripts/replay_transcripts.py            # make transcripts
    .venv/bin/python scripts/replay_transcripts.py --set trust  # docs/transcripts_trust.md
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.devstack import StackError, running_stack  # noqa: E402
from carpimko.text.privacy import mask_dossier, mask_email, mask_iban  # noqa: E402

OUTPUT = ROOT / "docs" / "transcripts.md"
DEMO_PASSWORD = "Carpimko2024"


@dataclass
class Button:
    """The user chooses the button with this title in the last answer."""

    title: str


@dataclass
class File:
    """The user picks this file in the widget's picker: it is uploaded to the portal with the
    member's session, and the bot receives only its id (as the web widget does)."""

    name: str
    content: bytes


SAMPLE_PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n" + b"0" * 180_000


def in_two_weeks() -> str:
    return (date.today() + timedelta(days=14)).strftime("%d/%m/%Y")


@dataclass
class Scenario:
    title: str
    turns: list[str | Button | File]
    login_as: str | None = None  # numéro de dossier of a demo member
    note: str = ""
    forged_token: bool = False


SCENARIOS = [
    Scenario(
        "Mot de passe oublié (visiteur, lien par e-mail)",
        [
            "Bonjour",
            "j'ai oublié mon mot de passe",
            Button("Affilié"),
            "1234567",
            Button("Par e-mail"),
        ],
    ),
    Scenario(
        "Première connexion sans e-mail connu (courrier)",
        ["c'est ma première connexion", Button("Affilié"), "23 45 678"],
    ),
    Scenario(
        "Attestation, visiteur non connecté",
        ["je voudrais une attestation de paiement"],
    ),
    Scenario(
        "Attestation pour une période, connectée (Sophie Bernard)",
        [
            "je voudrais une attestation de paiement",
            Button("Justificatif de paiement invalidité-décès"),
            "de janvier à mars 2025",
            "merci",
        ],
        login_as="7654321",
    ),
    Scenario(
        "Attestation fiscale d'une année, connectée, avec une question en chemin",
        ["où trouver mon attestation fiscale ?", "quel est votre numéro de téléphone ?", "2024"],
        login_as="7654321",
    ),
    Scenario(
        "Changement de RIB, connectée : IBAN erroné, puis résumé masqué et confirmation",
        [
            "je veux changer de RIB",
            "FR76 3000 6000 0112 3456 7890 188",
            "FR76 3000 6000 0112 3456 7890 189",
            Button("Oui, je confirme"),
        ],
        login_as="7654321",
    ),
    Scenario(
        "Changement d'adresse, connectée, puis arrêt",
        ["j'ai déménagé", "12 rue des Lilas", "arrêter"],
        login_as="7654321",
    ),
    Scenario(
        "Changement d'adresse e-mail, connecté (Jeanne Dupont)",
        ["je veux changer mon adresse mail", "jeanne.dupont.perso@exemple.fr"],
        login_as="1234567",
    ),
    Scenario(
        "Majoration « enfant majeur », connectée : prénom, situation, naissance, confirmation",
        [
            "je voudrais demander la majoration enfant majeur",
            "Lucas",
            Button("Études"),
            "12/03/2005",
            Button("Oui, j'envoie"),
        ],
        login_as="7654321",
    ),
    Scenario(
        "Majoration « enfant majeur », connecté sans prestation versée (Jeanne Dupont)",
        ["je voudrais demander la majoration enfant majeur"],
        login_as="1234567",
    ),
    Scenario(
        "Reprise d'activité à des fins thérapeutiques, connectée, avec une date invalide",
        [
            "je reprends le travail",
            Button("À des fins thérapeutiques"),
            "bientôt",
            "le 1er décembre",
            Button("Oui, j'envoie"),
        ],
        login_as="7654321",
    ),
    Scenario(
        "Prolongation d'arrêt de travail, connectée : date, fichier choisi, confirmation",
        [
            "envoyer ma prolongation d'arrêt",
            in_two_weeks(),
            File("prolongation-arret.pdf", SAMPLE_PDF),
            Button("Oui, j'envoie"),
        ],
        login_as="7654321",
    ),
    Scenario(
        "Envoyer un document, connecté : un fichier refusé, puis le bon (Jeanne Dupont)",
        [
            "envoyer un document",
            Button("Cotisations"),
            "avis d'imposition 2024",
            File("avis.pdf", b"ceci n'est pas un PDF"),
            File("avis-imposition-2024.pdf", SAMPLE_PDF),
            Button("Oui, j'envoie"),
        ],
        login_as="1234567",
    ),
    Scenario(
        "Session invalide : jeton falsifié",
        ["je voudrais mon attestation fiscale"],
        login_as="7654321",
        forged_token=True,
        note="Le jeton de session a été modifié avant l'envoi : le portail le refuse.",
    ),
    Scenario(
        "Parler à un conseiller",
        ["je veux parler à un conseiller"],
    ),
]

# Issue 17: the four hardest cases of « What was seen » (docs/transcripts_trust.md).
TRUST_SCENARIOS = [
    Scenario(
        "Un mot de passe provisoire déjà reçu par courrier (Nadia Benali, dossier 4567890)",
        [
            "j'ai reçu un mot de passe provisoire par courrier, qu'est-ce que j'en fais ?",
            "mot de passe oublié",
            Button("Affilié"),
            "4567890",
            Button("Non, j'utilise mon courrier"),
        ],
        note="Aucun nouveau courrier ne part : le mot de passe provisoire reçu reste valable.",
    ),
    Scenario(
        "Un décès annoncé",
        [
            "ma mère est décédée, je voudrais savoir si j'ai droit à la pension de réversion",
            "mon mari est décédé, qu'est-ce que je dois faire ?",
        ],
    ),
    Scenario(
        "Lâcher prise dans la demande de mot de passe",
        [
            "j'ai oublié mon mot de passe",
            "laissez tomber, je vais utiliser FranceConnect",
            "non merci",
            "j'ai oublié mon mot de passe",
            "non c'est bon",
        ],
    ),
    Scenario(
        "La bonne porte : autres organismes, et ce qui reste l'affaire de la CARPIMKO",
        [
            "comment déclarer mes impôts sur le revenu en ligne",
            "quel est le montant du smic cette année",
            "je veux changer d'opérateur internet",
            "je suis en arrêt maladie, c'est l'assurance maladie ou la carpimko qui paie mes "
            "indemnités journalières ?",
            "ma banque a rejeté le prélèvement de la carpimko",
            "quelle est la capitale de l'Australie ?",
        ],
    ),
]
SETS = {
    "main": (SCENARIOS, OUTPUT, "# Transcriptions des démarches principales"),
    "trust": (
        TRUST_SCENARIOS,
        ROOT / "docs" / "transcripts_trust.md",
        "# Réponses dignes de confiance : les quatre cas les plus difficiles (issue 17)",
    ),
}

_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DOSSIER = re.compile(r"(?<![\d ])(?:\d[ .]?){6,8}\d(?![\d])")
_FILE_LINK = re.compile(r"https?://\S+/api/v1/files/\S+")


def mask_user_text(text: str) -> str:
    """What the transcript may show of a user's message."""
    text = _IBAN.sub(lambda m: mask_iban(m.group()), text)
    text = _EMAIL.sub(lambda m: mask_email(m.group()), text)
    return _DOSSIER.sub(lambda m: mask_dossier(m.group()), text)


@contextlib.contextmanager
def stack_urls() -> Iterator[tuple[str, str]]:
    """scripts/run.sh on free ports with throwaway databases: the Rasa and portal URLs."""
    with tempfile.TemporaryDirectory(prefix="transcripts-") as tmp:
        try:
            with running_stack(Path(tmp)) as stack:
                yield stack.rasa_url, stack.portal_url
        except StackError as error:
            raise SystemExit(str(error)) from None


@dataclass
class Transcript:
    scenario: Scenario
    lines: list[str] = field(default_factory=list)


def login(portal: str, dossier: str) -> str:
    answer = httpx.post(
        f"{portal}/api/v1/sessions",
        json={"profile": "affilie", "dossier_number": dossier, "password": DEMO_PASSWORD},
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["token"])


def render_bot(message: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if message.get("text"):
        text = _FILE_LINK.sub("(lien de téléchargement)", message["text"])
        lines.append("**Assistant** : " + text.replace("\n", "  \n"))
    buttons = message.get("buttons") or []
    if buttons:
        lines.append("  " + " ".join(f"`[{b.get('title', '')}]`" for b in buttons))
    custom = message.get("custom") or {}
    upload = (custom.get("data") or {}).get("upload") if isinstance(custom, dict) else None
    if isinstance(upload, dict):
        lines.append(f"  📎 *Sélecteur de fichier* : « {upload.get('label', '')} » "
                     "(PDF, JPG, JPEG, PNG)")  # fmt: skip
    attachment = message.get("attachment")
    if isinstance(attachment, dict):
        payload = attachment.get("payload") or {}
        lines.append(f"  📎 *Carte de téléchargement* : « {payload.get('title', 'Document PDF')} » "
                     "— bouton « Télécharger le PDF »")  # fmt: skip
    return lines


def upload(
    client: httpx.Client, portal: str, metadata: dict[str, Any], file: File
) -> tuple[str, str]:
    """What the widget does with a chosen file; returns the message to Rasa and what is shown."""
    answer = client.post(
        f"{portal}/api/v1/me/uploads",
        headers={"Authorization": f"Bearer {metadata.get('portal_token', '')}"},
        files={"file": (file.name, file.content, "application/octet-stream")},
    )
    if answer.status_code == 201:
        entity = {"upload_id": answer.json()["upload_id"]}
        return f"/inform{json.dumps(entity)}", f"*(fichier choisi)* {file.name} — joint"
    reason = {413: "taille", 415: "format"}.get(answer.status_code, "autre")
    return (
        f"/inform{json.dumps({'upload_error': reason})}",
        f"*(fichier choisi)* {file.name} — refusé",
    )


def play(rasa: str, portal: str, scenario: Scenario) -> Transcript:
    transcript = Transcript(scenario)
    sender = f"transcript-{uuid.uuid4().hex[:10]}"
    metadata: dict[str, Any] = {}
    if scenario.login_as:
        token = login(portal, scenario.login_as)
        if scenario.forged_token:
            token = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        metadata = {"portal_token": token}
    last: list[dict[str, Any]] = []
    with httpx.Client(timeout=30) as client:
        for turn in scenario.turns:
            if isinstance(turn, Button):
                choices = [b for m in last for b in (m.get("buttons") or [])]
                match = next((b for b in choices if b.get("title") == turn.title), None)
                if match is None:
                    raise SystemExit(f"{scenario.title}: no button « {turn.title} » in {last}")
                text, shown = str(match["payload"]), f"*(bouton)* {turn.title}"
            elif isinstance(turn, File):
                text, shown = upload(client, portal, metadata, turn)
            else:
                text, shown = turn, mask_user_text(turn)
            transcript.lines.append(f"**Vous** : {shown}")
            started = time.monotonic()
            answer = client.post(
                f"{rasa}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": metadata},
            )
            answer.raise_for_status()
            elapsed = time.monotonic() - started
            last = answer.json()
            for message in last:
                transcript.lines.extend(render_bot(message))
            transcript.lines.append(f"<sub>réponse en {elapsed:.1f} s</sub>")
            transcript.lines.append("")
    return transcript


def write(transcripts: list[Transcript], path: Path, title: str = SETS["main"][2]) -> None:
    out = [
        title,
        "",
        "Produites par `make transcripts` (`scripts/replay_transcripts.py`, `--set trust` pour",
        "les cas de l'issue 17) : chaque",
        "conversation est rejouée par le canal REST de Rasa sur une pile complète (portail de",
        "démonstration, serveur d'actions, Rasa) démarrée sur des ports libres. Les conversations",
        "« connectées » passent le jeton de session du portail en métadonnée, comme le widget de",
        "l'Espace Personnel. Les données personnelles saisies (IBAN, e-mail, numéro de dossier)",
        "sont masquées ; les liens de téléchargement (valables 10 minutes) sont remplacés par",
        "leur carte.",
        "",
    ]
    for index, transcript in enumerate(transcripts, 1):
        scenario = transcript.scenario
        out.append(f"## {index}. {scenario.title}")
        out.append("")
        if scenario.login_as:
            out.append(
                f"*Connecté à l'Espace Personnel (dossier {mask_dossier(scenario.login_as)}).*"
            )
            out.append("")
        if scenario.note:
            out.extend([f"*{scenario.note}*", ""])
        out.extend(transcript.lines)
    path.write_text(hard_breaks("\n".join(out)).rstrip() + "\n", encoding="utf-8")


def hard_breaks(markdown: str) -> str:
    """Each line of a conversation on its own line once rendered (Markdown hard breaks)."""
    lines = markdown.split("\n")
    for index, line in enumerate(lines[:-1]):
        following = lines[index + 1]
        if line and following and not line.startswith("#") and not line.endswith("  "):
            lines[index] = line + "  "
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rasa", help="URL of a running Rasa server (else a stack is started)")
    parser.add_argument("--portal", help="URL of its portal (with --rasa)")
    parser.add_argument("--set", choices=sorted(SETS), default="main", help="which scenarios")
    parser.add_argument("--out", type=Path, help="output file (default: the set's own)")
    args = parser.parse_args()
    scenarios, default_out, title = SETS[args.set]
    out = args.out or default_out
    if args.rasa:
        transcripts = [play(args.rasa, args.portal, s) for s in scenarios]
    else:
        with stack_urls() as (rasa, portal):
            transcripts = [play(rasa, portal, s) for s in scenarios]
    write(transcripts, out, title)
    print(f"{len(transcripts)} conversations → {out}")


if __name__ == "__main__":
    main()

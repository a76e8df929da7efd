"""The « Déclaration d'accessibilité » of the demo site (RGAA 4.1 model) and the facts it states.

What the page claims is what the browser tests check: the axe-core version comes from
web/package.json (the one the tests run), the rule tags and the evaluated pages are the ones
tests/web/test_accessibility.py scans. The text states only facts: no audit of the RGAA's
criteria has been made, so the site is « non conforme » in the RGAA's own terms (« aucun
résultat d'audit en cours de validité »), whatever the automatic tests find. The recourse text
and the Défenseur des droits' postal address are those of the RGAA model
(accessibilite.numerique.gouv.fr, « Exemple de déclaration d'accessibilité »).
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from html import escape
from pathlib import Path

PATH = "/accessibilite"
TITLE = "Déclaration d'accessibilité"
STATUS = "non conforme"
"""RGAA wording for a site with no valid audit result (see the module docstring)."""
ESTABLISHED = date(2026, 12, 6)
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
"""axe-core rule tags run by the browser tests: WCAG 2.0, 2.1 and 2.2, levels A and AA."""
AUDITED_PAGES = (
    ("Accueil (page publique), assistant fermé, ouvert, puis après des réponses à boutons", "/"),
    ("Connexion à l'Espace Personnel", "/espace-personnel"),
    (
        "Accueil de l'Espace Personnel (connecté), assistant fermé, ouvert, puis après des "
        "réponses à boutons",
        "/espace-personnel/accueil",
    ),
    ("Déclaration d'accessibilité", PATH),
)
REQUIRED_HEADINGS = (
    "État de conformité",
    "Résultats des tests",
    "Contenus non accessibles",
    "Non-conformités",
    "Dérogations pour charge disproportionnée",
    "Contenus non soumis à l'obligation d'accessibilité",
    "Établissement de cette déclaration d'accessibilité",
    "Technologies utilisées pour la réalisation de l'audit",
    "Environnement de test",
    "Outils pour évaluer l'accessibilité",
    "Pages du site ayant fait l'objet de la vérification de conformité",
    "Retour d'information et contact",
    "Voies de recours",
)
"""The sections of the RGAA 4.1 model, in its order (h2 and h3 of the page)."""
PACKAGE_JSON = Path(__file__).resolve().parents[1] / "web" / "package.json"
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


@cache
def axe_version() -> str:
    """The exact axe-core version pinned in web/package.json (the one the tests inject)."""
    package = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    return str(package["devDependencies"]["axe-core"])


def french_date(day: date) -> str:
    """« 6 décembre 2026 »."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _heading(level: int, text: str) -> str:
    return f"<h{level}>{escape(text)}</h{level}>"


def declaration_main() -> str:
    """The <main> content of the declaration page."""
    h2, h3 = (lambda text: _heading(2, text)), (lambda text: _heading(3, text))
    headings = iter(REQUIRED_HEADINGS)
    tags = ", ".join(f"<code>{escape(tag)}</code>" for tag in AXE_TAGS)
    pages = "\n".join(
        f'<li>{escape(label)} : <a href="{escape(path)}">{escape(path)}</a></li>'
        for label, path in AUDITED_PAGES
    )
    version = escape(axe_version())
    return f"""
<h1>{TITLE}</h1>
<p>Cette déclaration d'accessibilité s'applique au site de démonstration de l'assistant
CARPIMKO (ce site). Elle suit le modèle du référentiel général d'amélioration de
l'accessibilité (RGAA) version 4.1, pris en application de l'article 47 de la loi
n° 2005-102 du 11 février 2005.</p>

{h2(next(headings))}
<p>Le site de démonstration de l'assistant CARPIMKO est <strong>{STATUS}</strong> avec le
RGAA version 4.1 : aucun audit de conformité aux critères du RGAA n'a encore été réalisé.</p>

{h3(next(headings))}
<p>Aucun audit RGAA n'ayant été réalisé, aucun taux de conformité n'est publié.</p>
<p>Des tests automatiques sont exécutés à chaque vérification du projet avec axe-core
{version} (règles {tags} : WCAG 2.0, 2.1 et 2.2, niveaux A et AA). Ils ne relèvent
aucune erreur sur les pages et dans les états listés plus bas. Ces outils ne détectent
qu'une partie des défauts d'accessibilité : ils ne remplacent pas un audit.</p>

{h2(next(headings))}
{h3(next(headings))}
<p>Sans audit, la liste des non-conformités n'est pas établie. Points connus, non encore
vérifiés :</p>
<ul>
<li>la restitution par les lecteurs d'écran (NVDA, JAWS, VoiceOver) n'a pas été testée ;</li>
<li>les documents PDF préparés par l'assistant (attestations) n'ont pas été évalués ;</li>
<li>la boîte aux lettres de démonstration du portail n'a pas été évaluée.</li>
</ul>
{h3(next(headings))}
<p>Aucune.</p>
{h3(next(headings))}
<p>Aucun.</p>

{h2(next(headings))}
<p>Cette déclaration a été établie le {french_date(ESTABLISHED)}.</p>
{h3(next(headings))}
<ul><li>HTML5</li><li>CSS</li><li>JavaScript</li><li>WAI-ARIA</li></ul>
{h3(next(headings))}
<p>Navigateur Chromium (paquet Debian, version 156 à la date de la déclaration), sans
interface graphique, piloté par Playwright. Aucune combinaison de la base de référence du
RGAA (navigateur et lecteur d'écran) n'a encore été utilisée.</p>
{h3(next(headings))}
<ul>
<li>axe-core {version}, exécuté dans le navigateur pendant les tests du projet ;</li>
<li>tests automatiques de navigation au clavier seul et d'affichage sur un écran de
320 pixels de large.</li>
</ul>
{h3(next(headings))}
<ul>
{pages}
</ul>

{h2(next(headings))}
<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez la CARPIMKO pour
être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme :</p>
<ul>
<li>par écrit, à tout moment, avec la messagerie sécurisée de votre Espace Personnel
(« Nous écrire ») : votre message est conservé avec sa date d'envoi ;</li>
<li>par téléphone : le numéro et les horaires figurent sur vos courriers et sur
www.carpimko.com, rubrique Contact.</li>
</ul>

{h2(next(headings))}
<p>Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou une
fonctionnalité du site, que vous nous le signalez et que vous ne parvenez pas à obtenir une
réponse de notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de
saisine au Défenseur des droits. Plusieurs moyens sont à votre disposition :</p>
<ul>
<li>écrire un message au Défenseur des droits par son
<a href="https://formulaire.defenseurdesdroits.fr/">formulaire en ligne</a> ;</li>
<li>contacter le délégué du Défenseur des droits dans votre région
(<a href="https://www.defenseurdesdroits.fr/saisir/delegues">liste des délégués</a>) ;</li>
<li>envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) :
<address>Défenseur des droits<br>Libre réponse 71120<br>75342 Paris CEDEX 07</address></li>
</ul>
"""

"""HTML of the demo site, built with html.escape on every inserted value (no template engine)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from webdemo import accessibility


def e(value: object) -> str:
    """Escapes text and attribute values (quotes included)."""
    return escape(str(value), quote=True)


@dataclass(frozen=True)
class Widget:
    """What the chat widget needs: where Rasa is, and the portal token on the logged-in page."""

    server: str
    path: str
    scope: str
    token: str = ""
    upload_url: str = ""
    """Where the widget sends a chosen file (logged-in page only; see webdemo/app.py)."""


def widget_html(widget: Widget) -> str:
    """The mount point of the widget; the token (if any) is a data attribute of this page."""
    token = f' data-token="{e(widget.token)}"' if widget.token else ""
    if widget.upload_url:
        token += f' data-upload="{e(widget.upload_url)}"'
    return (
        f'<div id="carpimko-chat" data-server="{e(widget.server)}" data-path="{e(widget.path)}"'
        f' data-scope="{e(widget.scope)}" data-title="Assistant CARPIMKO"{token}></div>'
        '<script src="/static/widget.js" defer></script>'
    )


def layout(title: str, main: str, *, header_action: str, widget: Widget | None) -> str:
    """Page skeleton: skip link, header with the Espace Personnel action, main, footer."""
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<link rel="stylesheet" href="/static/site.css">
<link rel="stylesheet" href="/static/widget.css">
</head>
<body>
<a class="skip" href="#contenu">Aller au contenu</a>
<header class="site-header">
<div class="inner">
<a class="brand" href="/">CARPIMKO<small>Caisse de retraite et de prévoyance des
auxiliaires médicaux</small></a>
{header_action}
</div>
</header>
<main id="contenu" tabindex="-1">
{main}
</main>
<footer class="site-footer">
<p>Site de démonstration de l'assistant CARPIMKO — données fictives.</p>
<p><a href="{accessibility.PATH}">{accessibility.TITLE}</a> — accessibilité :
{accessibility.STATUS}</p>
</footer>
{widget_html(widget) if widget else ""}
</body>
</html>
"""


ESPACE_BUTTON = '<a class="button" href="/espace-personnel">Espace Personnel</a>'


def public_page(widget: Widget, mailbox_url: str) -> str:
    """Home page in the spirit of the fund's site, with information from the fund's guides."""
    main = f"""
<h1>Bienvenue sur le site de la CARPIMKO</h1>
<p>La CARPIMKO gère la retraite et la prévoyance des infirmiers, masseurs-kinésithérapeutes,
pédicures-podologues, orthophonistes et orthoptistes libéraux.</p>
<ul class="cards">
<li class="card"><h2>Mot de passe oublié ?</h2>
<p>Cliquez sur « Espace Personnel » en haut à droite, puis sur « Mot de passe oublié ».
Choisissez l'envoi par e-mail (immédiat, lien valable 24 heures) ou par courrier
(mot de passe provisoire). L'assistant peut le faire avec vous.</p></li>
<li class="card"><h2>Vos attestations</h2>
<p>Dans votre Espace Personnel, téléchargez vos attestations de paiement, vos bordereaux
mensuels et votre attestation fiscale, au format PDF.</p></li>
<li class="card"><h2>Nous contacter</h2>
<p>Par téléphone au <a href="tel:+33130481000">01 30 48 10 00</a>, du lundi au vendredi de
8 h 45 à 12 h 45.</p></li>
</ul>
<p class="notice">Démonstration : les e-mails et courriers « envoyés » par le portail sont
visibles dans la <a href="{e(mailbox_url)}">boîte aux lettres de démonstration</a>.
Comptes de test : 1234567 (Jeanne Dupont) et 7654321 (Sophie Bernard), affiliés, mot de passe
<code>Carpimko2024</code>.</p>
"""
    return layout("CARPIMKO — Accueil", main, header_action=ESPACE_BUTTON, widget=widget)


def login_page(mailbox_url: str, *, error: str = "", dossier: str = "", profile: str = "") -> str:
    """Login form of the Espace Personnel (profile, numéro de dossier, mot de passe)."""
    checked_ad = " checked" if profile == "ayant_droit" else ""
    checked_af = "" if checked_ad else " checked"
    alert = f'<p class="error" role="alert" id="erreur">{e(error)}</p>' if error else ""
    described = ' aria-describedby="erreur"' if error else ""
    main = f"""
<h1>Connexion à votre Espace Personnel</h1>
{alert}
<form class="login" method="post" action="/espace-personnel"{described}>
<fieldset class="radio"><legend>Vous êtes</legend>
<input type="radio" id="profil-affilie" name="profile" value="affilie"{checked_af}>
<label for="profil-affilie">Affilié</label>
<input type="radio" id="profil-ayant-droit" name="profile" value="ayant_droit"{checked_ad}>
<label for="profil-ayant-droit">Ayant droit</label>
</fieldset>
<label for="dossier">Numéro de dossier</label>
<input type="text" id="dossier" name="dossier_number" inputmode="numeric"
 autocomplete="username" required value="{e(dossier)}" aria-describedby="dossier-aide">
<p class="hint" id="dossier-aide">7 ou 9 chiffres, en haut à droite de vos courriers.</p>
<label for="mot-de-passe">Mot de passe</label>
<input type="password" id="mot-de-passe" name="password" autocomplete="current-password" required>
<button class="button primary" type="submit">Se connecter</button>
</form>
<p>Mot de passe oublié ? L'assistant (en bas à droite de la page d'accueil) vous guide, et la
<a href="{e(mailbox_url)}">boîte aux lettres de démonstration</a> montre l'e-mail reçu.</p>
"""
    return layout(
        "Connexion — Espace Personnel CARPIMKO",
        main,
        header_action='<a class="button" href="/">Accueil</a>',
        widget=None,
    )


def home_page(person: dict[str, object], widget: Widget, mailbox_url: str) -> str:
    """Logged-in Espace Personnel home; the widget carries the portal token."""
    name = f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()
    logout = (
        '<form method="post" action="/espace-personnel/deconnexion">'
        '<button class="button" type="submit">Se déconnecter</button></form>'
    )
    main = f"""
<h1>Bonjour {e(name)}</h1>
<p>Numéro de dossier : <strong>{e(person.get("dossier_number", ""))}</strong></p>
<ul class="cards">
<li class="card"><h2>Mes documents</h2><p>Attestations de paiement, bordereaux, attestations
fiscales : demandez-les à l'assistant, il les prépare au format PDF.</p></li>
<li class="card"><h2>Mes démarches</h2><p>Changement de RIB, d'adresse, d'e-mail, reprise
d'activité, prolongation d'arrêt de travail.</p></li>
<li class="card"><h2>Boîte aux lettres (démo)</h2><p>
<a href="{e(mailbox_url)}">Voir les e-mails et courriers envoyés</a></p></li>
</ul>
<p class="notice">Vous êtes connecté : l'assistant sait qui vous êtes, inutile de lui donner
votre numéro de dossier. Il ne vous demandera jamais votre mot de passe.</p>
"""
    return layout("Mon Espace Personnel — CARPIMKO", main, header_action=logout, widget=widget)


def accessibility_page(widget: Widget) -> str:
    """The « Déclaration d'accessibilité » (RGAA 4.1 model), linked from every footer."""
    main = accessibility.declaration_main()
    title = f"{accessibility.TITLE} — CARPIMKO"
    return layout(title, main, header_action=ESPACE_BUTTON, widget=widget)

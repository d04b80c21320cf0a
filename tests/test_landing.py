"""The landing page names who is behind the offer, shows the report, links the legal pages,
and gives search engines and link previews what they read."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import render_template
from PIL import Image

from tests.helpers.paths import OTHER_TOPIC, ROOT, SHIPPED
from tests.helpers.wizard_driver import start

CONSULTANT = {
    "CONSULTANT_NAME": "Hélène Martin",
    "CONSULTANT_CREDENTIALS": "20 ans de direction commerciale en PME industrielles",
    "CONSULTANT_CREDENTIALS_EN": "20 years leading sales teams in industrial SMEs",
    "LEGAL_NOTICE_URL": "https://www.cabinet-martin.fr/mentions-legales",
    "PRIVACY_POLICY_URL": "https://www.cabinet-martin.fr/confidentialite",
    "PUBLIC_URL": "https://diagnostic.cabinet-martin.fr/outil",
}


@pytest.fixture
def trusted_app(make_app):
    return make_app(SHIPPED, **CONSULTANT)


def meta(page: str, attribute: str, name: str) -> str:
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', page)
    assert found, name
    return unescape(found.group(1))


def test_the_consultant_card_names_who_is_behind_the_offer(trusted_app):
    client = trusted_app.test_client()
    page = client.get("/").get_data(as_text=True)
    card = page.split('<section class="card consultant-card"', 1)[1].split("</section>", 1)[0]
    assert "Qui est derrière ce diagnostic" in card
    assert "Hélène Martin" in card
    assert "20 ans de direction commerciale en PME industrielles" in card
    assert '<span class="consultant-photo consultant-initials" aria-hidden="true">HM</span>' in card
    client.get("/language/en")
    english = client.get("/").get_data(as_text=True)
    assert "20 years leading sales teams in industrial SMEs" in english
    assert "Who is behind this diagnostic" in english


def test_without_a_name_there_is_no_card(client):
    assert "consultant-card" not in client.get("/").get_data(as_text=True)


def test_the_card_shows_the_photo_and_any_page_may_include_it(make_app):
    app = make_app(SHIPPED, CONSULTANT_NAME="Hélène Martin", CONSULTANT_PHOTO="favicon.svg")
    with app.test_request_context("/"):
        card = render_template("_consultant_card.html")
    assert '<img class="consultant-photo" src="/static/favicon.svg" alt=""' in card
    assert "consultant-initials" not in card
    assert "Hélène Martin" in card


def test_the_landing_page_shows_a_picture_of_the_report_with_a_french_description(client):
    page = client.get("/").get_data(as_text=True)
    found = re.search(r'<img src="(/static/img/report-preview\.png)"[^>]* alt="([^"]+)"', page)
    assert found
    assert "rapport personnalisé" in unescape(found.group(2))
    picture = client.get(found.group(1))
    picture.close()
    assert picture.status_code == 200 and picture.mimetype == "image/png"
    for name in ("report-preview.png", "og-report.png"):
        assert (ROOT / "static" / "img" / name).stat().st_size < 150 * 1024, name


def test_favicon_description_and_open_graph_with_public_addresses(trusted_app):
    client = trusted_app.test_client()
    page = client.get("/?utm_source=linkedin").get_data(as_text=True)
    favicon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert favicon
    icon = client.get(favicon.group(1))
    icon.close()
    assert icon.mimetype == "image/svg+xml"
    description = meta(page, "name", "description")
    assert description.startswith("En une dizaine de minutes") and len(description) <= 165
    assert meta(page, "property", "og:description") == description
    assert (
        meta(page, "property", "og:title")
        == "Évaluez la performance commerciale de votre entreprise"
    )
    assert meta(page, "property", "og:url") == "https://diagnostic.cabinet-martin.fr/outil/"
    image = meta(page, "property", "og:image")
    assert image == "https://diagnostic.cabinet-martin.fr/outil/static/img/og-report.png"
    served = client.get(image.removeprefix("https://diagnostic.cabinet-martin.fr/outil"))
    served.close()
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert meta(page, "property", "og:locale") == "fr_FR"
    assert meta(page, "name", "twitter:card") == "summary_large_image"


def test_a_questionnaire_without_intro_gets_a_description_of_its_own(make_app, tmp_path):
    text = (ROOT / "tests" / "fixtures" / "valid_minimal.yaml").read_text(encoding="utf-8")
    path = tmp_path / "no_intro.yaml"
    path.write_text(text.replace('intro: "Quelques questions."\n', ""), encoding="utf-8")
    page = make_app(path).test_client().get("/").get_data(as_text=True)
    assert meta(page, "name", "description").startswith("Un autodiagnostic gratuit d'environ")


def test_the_legal_links_are_on_every_respondent_page_and_the_contact_step(make_app):
    # The other topic asks for the contact first: its first step is the contact form.
    client = make_app(OTHER_TOPIC, **CONSULTANT).test_client()
    landing = client.get("/").get_data(as_text=True)
    contact = client.get(start(client).location).get_data(as_text=True)
    assert "<h1>Vos coordonnées</h1>" in contact
    notice = '<a href="https://www.cabinet-martin.fr/mentions-legales">Mentions légales</a>'
    privacy = '<a href="https://www.cabinet-martin.fr/confidentialite">'
    for page in (landing, contact):
        footer = page.split('<footer class="site-footer">', 1)[1]
        assert notice in footer
        assert f"{privacy}Politique de confidentialité</a>" in footer
    form = contact.split("<form", 1)[1].split("</form>", 1)[0]
    assert f"{privacy}Lire notre politique de confidentialité</a>" in form
    assert f"{privacy}Lire notre politique de confidentialité</a>" in landing


def test_without_legal_addresses_no_empty_link_is_printed(client):
    page = client.get("/").get_data(as_text=True)
    assert "legal-links" not in page and 'href=""' not in page


def test_the_report_picture_sits_on_the_pages_own_background():
    css = (ROOT / "static" / "css" / "site.css").read_text(encoding="utf-8")
    wash = re.search(r"--wash: #([0-9a-f]{6});", css)
    assert wash
    expected = tuple(int(wash.group(1)[i : i + 2], 16) for i in (0, 2, 4))
    with Image.open(ROOT / "static" / "img" / "report-preview.png") as picture:
        rgb = picture.convert("RGB")
        corners = {rgb.getpixel((0, 0)), rgb.getpixel((rgb.width - 1, rgb.height - 1))}
    assert corners == {expected}

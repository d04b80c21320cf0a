"""French typography (assess/core/typography.py): where the rules put a no-break space, and
what they never touch."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.core.typography import NARROW_NBSP, french, french_html

N = NARROW_NBSP


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Before ; : ! ? a space becomes narrow and no-break; one is added after a word.
        ("Pourquoi ?", f"Pourquoi{N}?"),
        ("Pourquoi?", f"Pourquoi{N}?"),
        ("Pourquoi\u00a0?", f"Pourquoi{N}?"),
        ("Vraiment ?!", f"Vraiment{N}?!"),
        ("Vraiment?!", f"Vraiment{N}?!"),
        ("Attention !", f"Attention{N}!"),
        ("Relances : 3 sur 7", f"Relances{N}: 3 sur 7"),
        ("Entreprise: Acme", f"Entreprise{N}: Acme"),
        ("d'abord ; ensuite", f"d'abord{N}; ensuite"),
        ("« texte » ?", f"«{N}texte{N}»{N}?"),
        ("(voir)?", f"(voir){N}?"),
        # Guillemets.
        ("« texte »", f"«{N}texte{N}»"),
        ("«texte»", f"«{N}texte{N}»"),
        ("«\u00a0texte\u00a0»", f"«{N}texte{N}»"),
        # Numbers and units.
        ("70 %", f"70{N}%"),
        ("70%", f"70{N}%"),
        ("70\u00a0%", f"70{N}%"),
        ("(80 %) lâchent", f"(80{N}%) lâchent"),
        ("257 000 €", f"257{N}000{N}€"),
        ("1 000 000", f"1{N}000{N}000"),
        ("4 000,50 € HT", f"4{N}000,50{N}€{N}HT"),
        ("12 k€ par an", f"12{N}k€ par an"),
        ("5€/mois", f"5{N}€/mois"),
        ("de 9 h 30 à 14 h", f"de 9{N}h{N}30 à 14{N}h"),
        ("15 min", f"15{N}min"),
        ("(64,3 / 100)", f"(64,3{N}/{N}100)"),
        ("70 % ?", f"70{N}%{N}?"),
        # Numéro.
        ("n° 9", f"nᵒ{N}9"),
        ("N°9", f"Nᵒ{N}9"),
        ("nº 12", f"nᵒ{N}12"),
        ("n° 9, 16, 17", f"nᵒˢ{N}9, 16, 17"),
        ("n° 9 et 16", f"nᵒˢ{N}9 et 16"),
        ("n°s 3 et 4", f"nᵒˢ{N}3 et 4"),
        ("les questions nos 9, 16 et 17.", f"les questions nᵒˢ{N}9, 16 et 17."),
        ("questions nos 9, 16, 17 : voir", f"questions nᵒˢ{N}9, 16, 17{N}: voir"),
        ("Nos 4 et 5", f"Nᵒˢ{N}4 et 5"),
        ("nos. 4", f"nᵒˢ{N}4"),
    ],
)
def test_french_puts_the_no_break_spaces_french_uses(text: str, expected: str) -> None:
    assert french(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # "nos" is the word "our" unless a list of numbers ends the phrase.
        "nos 3 offres",
        "Nos équipes ont 3 ans",
        "nos 2, 3 et 4 offres",
        "nos 9 et 16 meilleurs clients",
        "nos clients",
        "N° de commande",
        # Times, URLs, e-mail addresses, references, words next to numbers.
        "à 14:30",
        "14:30:05",
        "https://exemple.fr/r/abc?x=1&y=2",
        "mailto:jean@exemple.fr",
        "jean.dupont+test@exemple.fr",
        "www.exemple.fr/a?b",
        "l&#39;équipe &amp; les autres&nbsp;?",
        "a;b et c:d",
        "fe80::1 et 64:ff9b::7f00:1",
        "Erreur:: rien",
        "en 2024 2025",
        "75008 Paris",
        "06 12 34 56 78",
        "Score 40/100 ou 3 /an",
        "Étape 2 sur 5",
        "3 heures",
        "le 12 mai",
        "",
        "Bonjour",
    ],
)
def test_french_leaves_alone_what_is_not_punctuation_or_a_number(text: str) -> None:
    assert french(text) == text


def test_french_keeps_urls_and_addresses_intact_beside_punctuation() -> None:
    text = "Voir https://exemple.fr/a?b=1 : ou écrire à jean@exemple.fr ?"
    assert french(text) == (f"Voir https://exemple.fr/a?b=1{N}: ou écrire à jean@exemple.fr{N}?")


def test_french_html_changes_text_never_tags_attributes_or_code() -> None:
    html = (
        '<p class="a:b" title="Quoi ?" data-x="70 %">Question ?</p>'
        "<strong>x</strong> ? "
        '<script>var a = "b ?"; x: 1</script>'
        "<style>p:hover { width: 70% }</style>"
        "<textarea name=t>Bof !</textarea>"
        '<a href="https://x.fr/?q=1">Lien</a> : '
        '<code>{"a" : 1}</code>'
        "<!-- note : rien ! -->"
    )
    assert french_html(html) == (
        f'<p class="a:b" title="Quoi ?" data-x="70 %">Question{N}?</p>'
        f"<strong>x</strong>{N}? "
        '<script>var a = "b ?"; x: 1</script>'
        "<style>p:hover { width: 70% }</style>"
        "<textarea name=t>Bof !</textarea>"
        f'<a href="https://x.fr/?q=1">Lien</a>{N}: '
        '<code>{"a" : 1}</code>'
        "<!-- note : rien ! -->"
    )


def test_french_html_reads_a_quoted_greater_than_sign_as_part_of_the_tag() -> None:
    html = '<img alt="a > b ?" src="x.png"> Fin !'
    assert french_html(html) == f'<img alt="a > b ?" src="x.png"> Fin{N}!'


TYPOGRAPHIC = st.text(
    alphabet=st.sampled_from(list("ab nos°ºᵒˢ0123456789,;:!?«»%€h.&#@/\u00a0\u202f\n<>\"'=")),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(TYPOGRAPHIC)
def test_french_applied_twice_changes_nothing_more(text: str) -> None:
    once = french(text)
    assert french(once) == once
    html = french_html(text)
    assert french_html(html) == html


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab 0123456789,;:!?«»%€h.@/\u00a0\n")), max_size=40))
def test_french_only_ever_changes_spaces(text: str) -> None:
    """Without "n", no rule rewrites a character: it only adds or replaces spaces."""

    def letters(value: str) -> str:
        return "".join(c for c in value if c not in " \u00a0\u2009\u202f")

    assert letters(french(text)) == letters(text)


def test_the_module_is_plain_python() -> None:
    code = (
        "import sys, assess.core.typography; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'flask', 'flask_babel', 'jinja2', 'markupsafe'}))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"

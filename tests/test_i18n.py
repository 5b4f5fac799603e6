import ast
import gettext
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation.template import templatize

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}


def template_msgids() -> set[str]:
    found = set()
    for path in (ROOT / "templates").rglob("*.html"):
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for literal in re.findall(r"n?gettext\((u'(?:[^'\\]|\\.)*')", code):
            found.add(ast.literal_eval(literal))
    return found


def python_msgids() -> set[str]:
    found = set()
    for app in ("initiatives", "taxonomy", "ccb_portal"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in GETTEXT_CALLS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found.add(node.args[0].value)
    return found


@pytest.fixture(scope="module", params=TRANSLATED)
def catalogue(request):
    path = ROOT / "locale" / request.param / "LC_MESSAGES" / "django.po"
    return request.param, polib.pofile(str(path))


def test_every_interface_string_is_in_the_catalogues(catalogue):
    language, po = catalogue
    msgids = {entry.msgid for entry in po}
    missing = (template_msgids() | python_msgids()) - msgids
    assert not missing, f"{language}: run makemessages and translate: {sorted(missing)}"
    assert len(msgids) > 100


def test_every_string_is_translated_and_none_is_fuzzy(catalogue):
    language, po = catalogue
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert po.percent_translated() == 100, language


def test_compiled_catalogues_match_the_sources(catalogue):
    language, po = catalogue
    with open(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po:
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 5) == entry.msgstr_plural[1], entry.msgid
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, f"{language}: compilemessages is stale"


@pytest.mark.parametrize(
    ("accept", "lang", "text"),
    [
        ("fr-FR,fr;q=0.9", "fr", "Qui fait quoi, où, pour qui"),
        ("es", "es", "Quién hace qué"),
        ("de", "en", "Who does what"),
    ],
)
def test_accept_language_picks_the_interface_language(client, accept, lang, text):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    body = response.content.decode()
    assert f'<html lang="{lang}">' in body
    assert text in body
    assert "Accept-Language" in response["Vary"]


def test_the_switcher_remembers_the_choice_and_keeps_urls(client):
    response = client.get("/language/es/", {"next": "/initiatives/?region=africa"})
    assert response.status_code == 302
    assert response["Location"] == "/initiatives/?region=africa"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get("/initiatives/?region=africa", HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="es">' in page.content.decode()
    assert "Aplicar filtros" in page.content.decode()


def test_every_page_links_to_each_language(client):
    body = client.get("/regions/").content.decode()
    for code, _ in settings.LANGUAGES:
        assert f'href="/language/{code}/?next=/regions/"' in body


def test_the_switcher_refuses_foreign_redirects_and_unknown_languages(client):
    response = client.get("/language/fr/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get("/language/xx/").status_code == 404


def test_errors_are_translated(client):
    body = client.get("/initiatives/?region=nowhere", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Valeur inconnue pour « région » : « nowhere »." in body


def test_pages_tell_caches_that_language_follows_the_cookie_too(client):
    vary = client.get("/initiatives/")["Vary"]
    assert "Accept-Language" in vary
    assert "Cookie" in vary

"""The catalogs: every interface string translated, nothing fuzzy, so one language never leaks into the other."""

import subprocess

from babel.messages.pofile import read_po

from .conftest import ROOT

CATALOG = ROOT / "guide" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def test_the_vietnamese_catalog_has_no_untranslated_or_fuzzy_entries():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [m.id for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_the_catalog_holds_every_string_in_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "pybabel"), "extract", "-F", "babel.cfg", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    with CATALOG.open("rb") as handle:
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert wanted - have == set(), "run `make update-translations` and translate the new strings"


def test_the_interface_is_vietnamese_by_default_and_english_under_en(fixture_client):
    vi = fixture_client.get("/").get_data(as_text=True)
    en = fixture_client.get("/en/").get_data(as_text=True)
    assert "Bạn ở xã nào?" in vi and "Which commune are you in?" not in vi
    assert "Which commune are you in?" in en and "Bạn ở xã nào?" not in en

"""Languages are content: a third language added in a temporary content tree (an entry in
languages.yaml, a folder of guides, wizard texts keyed by its code, a message catalogue) works end
to end with no Python change. What it lacks falls back to Vietnamese, with a notice."""

import shutil
import subprocess
from pathlib import Path

import pytest

from guide import create_app
from guide.content.checker import check_content

from .conftest import FIXTURE_CONTENT, ROOT, check_page

CODE = "rad"  # Ê Đê: not in Babel's CLDR data, so it also borrows Vietnamese date formats
# Stand-ins for Ê Đê words (marked as such, so no test passes on Vietnamese or English text).
GUIDE_TITLE = "[rad] Nộp hồ sơ qua bưu điện"
WIZARD_TITLE = "[rad] Thử nghiệm"
MENU_GUIDES = "[rad] Hướng dẫn"


@pytest.fixture
def content(tmp_path) -> Path:
    tree = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, tree)
    with (tree / "languages.yaml").open("a", encoding="utf-8") as languages:
        languages.write(f"- {{code: {CODE}, name: Ê Đê}}\n")
    guide = (tree / "vi" / "guides" / "nop-qua-buu-dien.md").read_text(encoding="utf-8")
    (tree / CODE / "guides").mkdir(parents=True)
    (tree / CODE / "guides" / "nop-qua-buu-dien.md").write_text(
        guide.replace("title: Nộp hồ sơ qua bưu điện", f"title: '{GUIDE_TITLE}'"), encoding="utf-8"
    )
    wizard = tree / "wizards" / "thu-nghiem.yaml"
    text = wizard.read_text(encoding="utf-8")
    wizard.write_text(text.replace("title: {vi: Thử nghiệm,", f"title: {{{CODE}: '{WIZARD_TITLE}', vi: Thử nghiệm,"))
    return tree


@pytest.fixture
def catalogue(tmp_path) -> Path:
    """guide/translations/<code>/ as a province would add it, with one interface string translated."""
    folder = tmp_path / "translations" / CODE / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "messages.po"
    po.write_text(
        f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Guides"\nmsgstr "{MENU_GUIDES}"\n',
        encoding="utf-8",
    )
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "pybabel"), "compile", "-i", str(po), "-o", str(po.with_suffix(".mo"))],
        check=True,
        capture_output=True,
    )
    return tmp_path / "translations"


@pytest.fixture
def client(content, catalogue, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": content,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'rad.sqlite3'}",
            "BABEL_TRANSLATION_DIRECTORIES": f"translations;{catalogue}",
        }
    )
    return app.test_client()


def page(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    soup = check_page(response.get_data(as_text=True), url)
    assert soup.html["lang"] == CODE, url
    own_links = [a["href"] for a in soup.select("main a[href^='/']") if not a["href"].startswith("/static/")]
    assert own_links and all(href.startswith(f"/{CODE}/") for href in own_links), (url, own_links)
    return soup


def test_home_in_the_new_language_uses_its_catalogue_and_falls_back_to_vietnamese(client):
    soup = page(client, f"/{CODE}/")
    menu = soup.select_one(".site-nav").get_text()
    assert MENU_GUIDES in menu  # translated in the new catalogue
    assert "Tìm kiếm" in menu and "Search" not in menu  # not translated there: Vietnamese, not English
    switch = {a["lang"]: a["href"] for a in soup.select("#lang-switch a")}
    assert switch == {"vi": "/", "en": "/en/"}


def test_a_guide_in_the_new_language_and_one_that_falls_back_with_a_notice(client):
    own = page(client, f"/{CODE}/huong-dan/nop-qua-buu-dien")
    assert own.h1.get_text(strip=True) == GUIDE_TITLE and own.select_one(".fell-back") is None
    assert own.select_one(".portal-language") is not None  # the portal is in Vietnamese for this reader too
    assert own.select_one(".meta").get_text(strip=True).endswith("20/11/2026")  # Vietnamese date format, borrowed
    missing = page(client, f"/{CODE}/huong-dan/dang-ky-khai-sinh")
    assert "Tiếng Việt" in missing.select_one(".fell-back").get_text()
    assert missing.select_one("article")["lang"] == "vi"


def test_a_wizard_in_the_new_language(client):
    start = page(client, f"/{CODE}/tu-van/thu-nghiem/")
    assert start.h1.get_text(strip=True) == WIZARD_TITLE
    assert "Tiếng Việt" in start.select_one(".notice").get_text()  # its questions are not translated yet
    step = client.get(f"/{CODE}/tu-van/thu-nghiem/thu-tuc?thu-tuc=khai-sinh&tiep=1")
    assert step.status_code == 303 and step.headers["Location"].startswith(f"/{CODE}/tu-van/thu-nghiem/vneid")
    question = page(client, step.headers["Location"])
    assert "Bạn có VNeID mức 2 không?" in question.h1.get_text()


def test_a_commune_page_in_the_new_language_and_an_old_commune_slug_that_lands_there(client):
    page(client, f"/{CODE}/xa/krong-ana/")
    moved = client.get(f"/{CODE}/xa/buon-trap/huong-dan/")
    assert moved.status_code == 301 and moved.headers["Location"] == f"/{CODE}/xa/krong-ana/huong-dan/?tu=buon-trap"


def test_the_checker_reports_what_is_untranslated_without_failing(content):
    problems = check_content(content)
    assert [p for p in problems if not p.warning] == []
    messages = [p.message for p in problems if CODE in p.message]
    assert any(f"not yet in {CODE}: dang-ky-khai-sinh" in m for m in messages)
    assert any(f"text(s) not yet in {CODE}" in m for m in messages)

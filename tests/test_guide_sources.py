"""A guide's sources leave the site through /ra/ like its body links: the sources join the allow-list."""

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from guide.content import ContentError, load_library
from guide.content.guides import source_key

from .conftest import FIXTURE_CONTENT, make_app

SOURCE_URL = "https://vanban.chinhphu.vn/?pageid=27160&docid=000000"
FRONT = (
    "title: Nguồn\nsummary: S\ntopic: thu-tuc\naudience: [nguoi-dan]\nupdated: 2026-01-02\n"
    f"sources:\n  - title: Luật\n  - title: Nghị định mẫu\n    url: {SOURCE_URL}\n"
)


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    (target / "vi" / "guides" / "co-nguon.md").write_text(f"---\n{FRONT}---\n\nText.\n", encoding="utf-8")
    return target


def test_a_source_url_is_on_the_allow_list_under_its_own_key(content):
    library = load_library(content)
    key = source_key(SOURCE_URL)
    assert key.startswith("nguon-") and key == source_key(SOURCE_URL)  # the same address, the same key
    assert library.links[key].url == SOURCE_URL
    assert library.links[key].label["vi"] == "Nghị định mẫu"
    assert source_key(SOURCE_URL + "x") != key


def test_the_source_link_goes_through_ra_and_arrives(content, tmp_path):
    client = make_app(tmp_path, CONTENT_DIR=content).test_client()
    soup = BeautifulSoup(client.get("/xa/ea-na/huong-dan/co-nguon").get_data(as_text=True), "html.parser")
    hrefs = [a["href"] for a in soup.select(".sources a")]
    assert hrefs == [f"/xa/ea-na/ra/{source_key(SOURCE_URL)}"]  # the source without an address has no link
    assert client.get(hrefs[0]).headers["Location"] == SOURCE_URL


def test_links_yaml_may_not_take_a_sources_key(content):
    links = content / "links.yaml"
    links.write_text(
        links.read_text(encoding="utf-8") + "nguon-tu-dat:\n  url: https://example.org\n", encoding="utf-8"
    )
    with pytest.raises(ContentError, match="nguon-"):
        load_library(content)

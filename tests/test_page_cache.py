"""The in-memory page cache: same URL, same page; never mixes languages, communes or own queries."""

import pytest

from guide import create_app, page_cache

from .conftest import FIXTURE_CONTENT


@pytest.fixture
def cached_client(tmp_path):
    page_cache._pages.clear()
    app = create_app(
        {"TESTING": False, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}"}
    )
    yield app.test_client()
    page_cache._pages.clear()


def test_a_page_is_rendered_once_and_served_from_memory(cached_client):
    first = cached_client.get("/huong-dan/nop-qua-buu-dien?src=qr&utm_source=zalo").get_data(as_text=True)
    assert len(page_cache._pages) == 1
    again = cached_client.get("/huong-dan/nop-qua-buu-dien").get_data(as_text=True)
    assert again == first and len(page_cache._pages) == 1  # chat tags and ?src= share the page


@pytest.mark.parametrize(
    "other", ["/en/huong-dan/nop-qua-buu-dien", "/xa/ea-na/huong-dan/nop-qua-buu-dien", "/huong-dan/dang-ky-khai-sinh"]
)
def test_language_commune_and_slug_each_get_their_own_page(cached_client, other):
    plain = cached_client.get("/huong-dan/nop-qua-buu-dien").get_data(as_text=True)
    assert cached_client.get(other).get_data(as_text=True) != plain
    assert len(page_cache._pages) == 2


def test_htmx_requests_and_errors_are_not_cached(cached_client):
    cached_client.get("/huong-dan/khong-co")
    cached_client.get("/huong-dan/", headers={"HX-Request": "true"})
    assert len(page_cache._pages) == 0

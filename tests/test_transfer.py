"""What goes over the wire: compressed text, hashed static names cached for a year, 304s."""

import gzip
import hashlib
import re


def asset_urls(client):
    html = client.get("/").get_data(as_text=True)
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_static_files_have_hashed_names_cached_for_a_year(fixture_client):
    urls = asset_urls(fixture_client)
    assert any(re.search(r"/static/css/site\.[0-9a-f]{10}\.css$", u) for u in urls)
    for url in urls:
        response = fixture_client.get(url)
        assert response.status_code == 200
        assert (
            "max-age=31536000" in response.headers["Cache-Control"] and "immutable" in response.headers["Cache-Control"]
        )


def test_our_css_and_js_go_out_without_their_comments_and_named_by_what_is_sent(fixture_client):
    from guide.assets import STATIC

    for url in asset_urls(fixture_client):
        if url.endswith((".css", ".js")) and ".min." not in url:
            served = fixture_client.get(url, headers={"Accept-Encoding": "identity"}).data
            original = (STATIC / re.sub(r"^/static/|\.[0-9a-f]{10}(?=\.\w+$)", "", url)).read_bytes()
            assert b"/*" in original or b"// " in original, url  # the file explains itself,
            assert b"/*" not in served and b"\n// " not in served and len(served) < len(original), url  # off the wire
            assert hashlib.sha256(served).hexdigest()[:10] in url  # and a new minifier means a new name


def test_a_stale_hash_is_not_served_as_if_current(fixture_client):
    assert fixture_client.get("/static/css/site.0000000000.css").status_code == 404
    assert "max-age=3600" in fixture_client.get("/static/css/site.css").headers["Cache-Control"]
    assert fixture_client.get("/static/../pyproject.toml").status_code == 404


def test_html_css_and_js_are_gzipped_for_browsers_that_ask(fixture_client):
    for url in ["/huong-dan/nop-qua-buu-dien", *(u for u in asset_urls(fixture_client) if u.endswith((".css", ".js")))]:
        response = fixture_client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.headers.get("Content-Encoding") == "gzip", url
        assert gzip.decompress(response.data)
        assert "Accept-Encoding" in response.headers["Vary"]


def test_a_guide_page_answers_304_when_unchanged(fixture_client):
    for encoding in ("gzip", "identity"):
        first = fixture_client.get("/huong-dan/nop-qua-buu-dien", headers={"Accept-Encoding": encoding})
        etag = first.headers["ETag"]
        again = fixture_client.get(
            "/huong-dan/nop-qua-buu-dien", headers={"Accept-Encoding": encoding, "If-None-Match": etag}
        )
        assert again.status_code == 304 and again.data == b""


def test_the_etag_of_a_compressed_page_stays_the_same_from_one_second_to_the_next(fixture_client, monkeypatch):
    # gzip writes the time into its header: an ETag of the compressed bytes would change every
    # second, and a reader coming back would never get a 304.
    import time

    etags = set()
    for now in (1_800_000_000.0, 1_800_000_007.0):
        monkeypatch.setattr(time, "time", lambda now=now: now)
        response = fixture_client.get("/", headers={"Accept-Encoding": "gzip"})  # no signed token in it
        assert response.headers["Content-Encoding"] == "gzip"
        etags.add(response.headers["ETag"])
    assert len(etags) == 1


def test_a_page_is_compressed_once_and_served_again_from_memory(fixture_app_per_test, monkeypatch):
    """The response cache keeps the compressed answer: three readers, one compression."""
    fixture_app = fixture_app_per_test  # an empty response cache
    from flask_compress import flask_compress

    compressed = []
    real = flask_compress._compress_data
    monkeypatch.setattr(flask_compress, "_compress_data", lambda *args: compressed.append(1) or real(*args))
    client = fixture_app.test_client()
    bodies = {client.get("/huong-dan/nop-qua-buu-dien", headers={"Accept-Encoding": "gzip"}).data for _ in range(3)}
    assert len(compressed) == 1 and len(bodies) == 1
    assert gzip.decompress(bodies.pop()).decode().count("<h1") == 1

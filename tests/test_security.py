"""Security headers on every response, HTML or not, found or not."""

import pytest


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/en/huong-dan/nop-qua-buu-dien",
        "/khong-co",
        "/healthz",
        "/ra/vnpost",
        "/static/css/site.css",
        "/tu-van/thu-nghiem/thu-tuc?tiep=1",
    ],
)
def test_every_response_carries_the_security_headers(fixture_client, url):
    headers = fixture_client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would be meaningless


def test_hsts_when_served_over_https(fixture_client):
    headers = fixture_client.get("/", base_url="https://localhost").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_inline_script_or_style_in_pages(fixture_client):
    from bs4 import BeautifulSoup

    for url in ["/", "/huong-dan/nop-qua-buu-dien", "/tu-van/thu-nghiem/thu-tuc", "/tim-kiem?q=a"]:
        soup = BeautifulSoup(fixture_client.get(url).get_data(as_text=True), "html5lib")
        assert all(script.get("src") for script in soup.find_all("script")), url
        assert not soup.find_all("style") and not soup.select("[style]"), url
        assert not [tag for tag in soup.find_all(True) if any(a.startswith(("on", "hx-on")) for a in tag.attrs)], url

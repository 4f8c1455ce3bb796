"""Security headers on every response, HTML or not, found or not; passwords hashed as they should be."""

import pytest
import sqlalchemy as sa

from guide import config, create_app, db
from guide.dashboard import users


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


def test_a_host_the_site_does_not_serve_is_refused_before_any_page_or_cache(client):
    assert client.get("/huong-dan/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/huong-dan", headers={"Host": "evil.example"}).status_code == 400  # no redirect to it
    page = client.get("/huong-dan/", headers={"Host": "localhost:8000"})
    assert page.status_code == 200 and b"evil.example" not in page.data
    assert client.get("/", headers={"Host": "[::1]:8000"}).status_code == 200


def test_production_answers_only_for_its_public_address(tmp_path):
    app = create_app({"TESTING": True, "GUIDE_ENV": "production", "PUBLIC_URL": "https://huongdan.example.gov.vn",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"})  # fmt: skip
    client = app.test_client()
    assert client.get("/", headers={"Host": "localhost"}).status_code == 400
    assert (
        client.get(
            "/", headers={"Host": "huongdan.example.gov.vn"}, base_url="https://huongdan.example.gov.vn"
        ).status_code
        == 200
    )


def test_a_client_sent_script_name_changes_no_page_anyone_gets(client):
    """gunicorn takes SCRIPT_NAME from a request header: a visitor could make every link point away."""
    poisoned = client.get("/huong-dan/", environ_overrides={"SCRIPT_NAME": "//evil.example"})
    assert b"//evil.example" not in poisoned.data
    clean = client.get("/huong-dan/")
    assert clean.status_code == 200 and b"//evil.example" not in clean.data
    assert 'href="/huong-dan/' in clean.get_data(as_text=True)


def test_passwords_are_hashed_with_scrypt_unless_a_test_says_otherwise(tmp_path):
    """The shipped setting hashes with scrypt; the cheap hash the other tests use is refused in production."""
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'users.sqlite3'}"})
    with app.app_context():
        db.create_schema()
        users.add("huyen", "mat-khau-du-dai", "district", None)
        with db.engine().connect() as connection:
            stored = connection.execute(sa.select(users.users.c.password_hash)).scalar_one()
        assert stored.startswith("scrypt:") and users.authenticate("huyen", "mat-khau-du-dai") is not None
    production = {"GUIDE_ENV": "production", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SECRET_KEY": "s" * 40}
    with pytest.raises(config.ConfigError, match="scrypt"):
        config.refuse_unsafe({**config.from_environment(str(tmp_path)), **production})

"""Malformed input on every route never gives a 500 or a stack trace."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROUTES = [
    "/",
    "/huong-dan/",
    "/huong-dan/{x}",
    "/tim-kiem",
    "/tu-van/{x}/",
    "/tu-van/thu-nghiem/{x}",
    "/tu-van/thu-nghiem/thu-tuc",
    "/tu-van/thu-nghiem/ket-qua",
    "/ra/{x}",
    "/xa/{x}/",
    "/en/xa/{x}/huong-dan/{x}",
    "/healthz",
]
NASTY = [
    "../",
    "..%2F..%2Fetc%2Fpasswd",
    "%00",
    "\x00",
    "a" * 5000,
    "%ff%fe",
    "đ",
    "<script>",
    "' OR 1=1 --",
    "%",
    "%%",
    "ea-na",
    "buon-trap",
]

segment = st.one_of(st.sampled_from(NASTY), st.text(min_size=0, max_size=60))
query = st.one_of(
    st.sampled_from(
        [
            "",
            "q=%ff",
            "q=%00",
            "thu-tuc=khai-sinh&tiep=1",
            "tiep=1&tiep=2",
            "q=" + "x" * 5000,
            "thu-tuc=%E0%A4&vneid=co",
            "a=b=c&&=",
            "src=qr&utm_source=zalo&fbclid=" + "y" * 300,
        ]
    ),
    st.text(max_size=200),
)


def header_text(max_size):
    """What can arrive in a header: latin-1, no line breaks or NUL (servers reject those before us)."""
    return st.text(max_size=max_size).map(
        lambda s: s.encode("utf-8", "ignore").decode("latin-1").translate({10: None, 13: None, 0: None})
    )


headers = st.fixed_dictionaries(
    {},
    optional={
        "HX-Request": st.sampled_from(["true", "false", "", "\x7f"]),
        "HX-History-Restore-Request": st.sampled_from(["true", "yes"]),
        "HX-Current-URL": header_text(100),
        "Accept-Language": st.sampled_from(["en", "vi", "*", "zz-ZZ;q=x"]),
        "User-Agent": header_text(200),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(ROUTES),
    part=segment,
    qs=query,
    extra=headers,
    method=st.sampled_from(["GET", "GET", "HEAD", "POST"]),
)
def test_no_route_answers_500_or_a_trace(fixture_client, route, part, qs, extra, method):
    path = route.replace("{x}", part)
    url = path + ("?" + qs if qs else "")
    response = fixture_client.open(url, method=method, headers=extra)
    body = response.get_data(as_text=True)
    assert response.status_code < 500, (url, response.status_code)
    assert "Traceback" not in body and 'File "' not in body


@pytest.mark.parametrize(
    "raw",
    [
        b"/huong-dan/%ff%fe",
        b"/tim-kiem?q=%ff%fe%00",
        b"/xa/%C0%AF/",
        b"/tu-van/thu-nghiem/thu-tuc?thu-tuc=%ff&tiep=1",
        b"/" + b"a" * 5000,
    ],
)
def test_non_utf8_paths_and_queries(fixture_client, raw):
    response = fixture_client.get(raw.decode("latin-1"))
    assert response.status_code in (200, 301, 303, 404)


form_value = st.one_of(st.text(max_size=300), st.sampled_from(["yes", "no", "", "\x00", "a" * 5000]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    url=st.sampled_from(
        [
            "/phan-hoi",
            "/en/xa/ea-na/phan-hoi",
            "/thong-ke/dang-nhap",
            "/thong-ke/dang-xuat",
            "/huong-dan/nop-qua-buu-dien",
            "/tu-van/thu-nghiem/thu-tuc",
        ]
    ),
    body=st.dictionaries(
        st.sampled_from(["token", "answer", "back", "csrf_token", "name", "password", "x"]), form_value, max_size=5
    ),
    extra=headers,
)
def test_no_form_post_answers_500_or_a_trace(fixture_client, url, body, extra):
    response = fixture_client.post(url, data=body, headers=extra)
    text = response.get_data(as_text=True)
    assert response.status_code < 500, (url, body, response.status_code)
    assert "Traceback" not in text and 'File "' not in text


@pytest.mark.parametrize("body", [b"\xff\xfe\x00garbage", b"answer=yes&token=" + b"%ff" * 100, b"a" * 70_000])
def test_malformed_bodies(fixture_client, body):
    for url in ("/phan-hoi", "/thong-ke/dang-nhap"):
        response = fixture_client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500


@pytest.fixture
def keeping_client(tmp_path):
    """The app with its response cache on (off in other tests), as gunicorn serves it."""
    from guide import create_app
    from tests.conftest import FIXTURE_CONTENT

    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": FIXTURE_CONTENT,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'kept.sqlite3'}",
            "RESPONSE_CACHE": True,
        }
    )
    return app.test_client()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), part=segment, qs=query, extra=headers)
def test_a_kept_answer_is_the_answer_flask_gave(keeping_client, route, part, qs, extra):
    url = route.replace("{x}", part) + ("?" + qs if qs else "")
    first, again = (keeping_client.get(url, headers=extra) for _ in range(2))
    assert first.status_code < 500 and again.status_code == first.status_code, url
    if first.status_code == 200 and first.headers.get("ETag"):
        assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert "Traceback" not in again.get_data(as_text=True)

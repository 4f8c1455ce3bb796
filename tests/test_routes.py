"""The route snapshot (in the spirit of GOV.UK Notify admin's): every URL rule the app serves, checked
against the committed list in tests/routes.txt. A URL that disappears (an old link, a printed QR code
that stops working) or a page that loses its language or commune forms fails here; a new page is
added to the list on purpose.

To accept a change: `.venv/bin/python -m tests.test_routes > tests/routes.txt`, then read the diff.
"""

from pathlib import Path

import pytest

from guide import create_app, db
from guide.dashboard import users

from .conftest import make_app
from .dashboard.conftest import sign_in

SNAPSHOT = Path(__file__).with_name("routes.txt")


def rules(app) -> list[str]:
    lines = []
    for rule in app.url_map.iter_rules():
        methods = ",".join(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        lines.append(f"{rule.rule} {rule.endpoint} {methods}")
    return sorted(lines)


def test_the_routes_are_the_committed_ones(app):
    committed = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    current = rules(app)
    lost, added = sorted(set(committed) - set(current)), sorted(set(current) - set(committed))
    assert (lost, added) == ([], []), f"routes lost: {lost}\nroutes added: {added}"


def test_every_page_of_a_blueprint_lives_in_every_language_and_commune_unless_it_says_not(app):
    """A view routed on guide.prefixes.Blueprint gets every form by default: a route written the
    plain way (`@bp.route` on a flask.Blueprint) would lose /en and /xa/<commune> silently."""
    forms = {}
    for rule in app.url_map.iter_rules():
        forms.setdefault(rule.endpoint, set()).add(rule.rule)
    not_localized = {"static", "service_worker", "health.healthz"}  # service_worker: /sw.js, whose scope is the site
    staff_only = {endpoint for endpoint in forms if endpoint.startswith("dashboard.")}
    for endpoint, found in forms.items():
        if endpoint in not_localized:
            assert not any(rule.startswith(("/en/", "/xa/")) for rule in found), endpoint
            continue
        bare = {rule for rule in found if not rule.startswith(("/en/", "/en", "/xa/"))}
        for rule in bare:
            expected = {rule, "/en" + rule}
            if endpoint not in staff_only:
                expected |= {"/xa/<commune>" + rule, "/en/xa/<commune>" + rule}
            assert expected <= found, f"{endpoint}: {sorted(expected - found)} missing"


# What a route answers other than its page, by design: a QR code is a commune's (404 without
# one); an outbound link sends the reader on.
NOT_A_PAGE = {
    "/chia-se/qr/<kind>.<fmt>": 404,
    "/chia-se/qr/<kind>/<slug>.<fmt>": 404,
    "/ra/<key>": 302,
    "/xa/<commune>/ra/<key>": 302,
}


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory):
    """The shipped content with a public address (for the QR codes), a province officer signed in."""
    app = make_app(tmp_path_factory.mktemp("routes"), PUBLIC_URL="https://huongdan.example.gov.vn")
    with app.app_context():
        db.create_schema()
        users.add("tinh", "mat-khau-du-dai", "district", None)
    client = app.test_client()
    assert sign_in(client, "tinh", "mat-khau-du-dai").status_code == 303
    return app, client


def example_url(app, rule: str) -> str:
    """The rule with a real value of the shipped content in each of its parts."""
    library, registry = app.extensions["guide.library"], app.extensions["guide.registry"]
    wizard = next(iter(app.extensions["guide.wizards"].values()))
    guide, commune = next(iter(library.originals)), registry.communes[0].slug
    values = {
        "<commune>": commune,
        "<kind>": "huong-dan" if "<slug>" in rule else "trang-chu",
        "<slug>": commune if rule.startswith(("/thong-ke/", "/en/thong-ke/")) else guide,
        "<fmt>": "svg",
        "<key>": next(iter(library.links)),
        "<wizard_slug>": wizard.slug,
        "<step>": next(iter(wizard.questions)),
        "<path:filename>": "css/site.css",
    }
    for part, value in values.items():
        rule = rule.replace(part, value)
    return rule


def test_every_page_in_the_snapshot_answers(signed_in):
    """Each GET rule of tests/routes.txt, with real values of the shipped content, answers with
    its page (the dashboard's to a province officer), or with what NOT_A_PAGE says it answers."""
    app, client = signed_in
    answers = {}
    for line in SNAPSHOT.read_text(encoding="utf-8").splitlines():
        rule, _endpoint, methods = line.split()
        if "GET" not in methods.split(","):
            continue
        url = example_url(app, rule)
        status = client.get(url).status_code
        if status != NOT_A_PAGE.get(rule.removeprefix("/en"), 200):
            answers[url] = status
    assert answers == {}


if __name__ == "__main__":
    print("\n".join(rules(create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}))))

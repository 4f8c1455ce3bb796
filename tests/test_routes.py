"""The route snapshot (in the spirit of GOV.UK Notify admin's): every URL rule the app serves, checked
against the committed list in tests/routes.txt. A URL that disappears (an old link, a printed QR code
that stops working) or a page that loses its language or commune forms fails here; a new page is
added to the list on purpose.

To accept a change: `.venv/bin/python -m tests.test_routes > tests/routes.txt`, then read the diff.
"""

from pathlib import Path

from guide import create_app

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


if __name__ == "__main__":
    print("\n".join(rules(create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}))))

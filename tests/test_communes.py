from pathlib import Path

import pytest

from guide.communes import load_registry as load_registry_in
from guide.content import ContentError, load_languages

CONTENT = Path(__file__).resolve().parent.parent / "content"
SHIPPED = CONTENT / "communes.yaml"
LANGUAGES = load_languages(CONTENT)


def load_registry(path: Path):
    return load_registry_in(path, LANGUAGES)


def test_shipped_registry_has_todays_three_communes_and_eight_former_units():
    registry = load_registry(SHIPPED)
    assert [c.slug for c in registry.communes] == ["krong-ana", "dur-kmal", "ea-na"]
    assert registry.aliases == {
        "buon-trap": "krong-ana",
        "binh-hoa": "krong-ana",
        "quang-dien": "krong-ana",
        "bang-a-drenh": "dur-kmal",
        "ea-bong": "ea-na",
        "dray-sap": "ea-na",
    }
    assert sum(len(c.former) for c in registry.communes) == 8


def test_shipped_registry_invents_no_contact_details_or_population():
    for commune in load_registry(SHIPPED).communes:
        assert commune.population is None
        assert not commune.service_centre.is_known() and not commune.post_office.is_known()


def test_find_resolves_a_former_slug_and_says_so():
    registry = load_registry(SHIPPED)
    assert registry.find("dray-sap")[0].slug == "ea-na" and registry.find("dray-sap")[1] is True
    assert registry.find("ea-na") == (registry.get("ea-na"), False)
    assert registry.find("nowhere") == (None, False)


@pytest.mark.parametrize(
    "body, complaint",
    [
        ("communes:\n  - {slug: a, name: A, kind: xa}\n  - {slug: a, name: B, kind: xa}\n", "appears more than once"),
        (
            "communes:\n  - {slug: a, name: A, kind: xa, former: [{slug: b}]}\n  - {slug: b, name: B, kind: xa}\n",
            "is another commune's slug",
        ),
        (
            "communes:\n  - {slug: a, name: A, kind: xa, former: [{slug: c}]}\n  - {slug: b, name: B, kind: xa, former: [{slug: c}]}\n",
            "already an alias",
        ),
        ("communes:\n  - {slug: Bad Slug, name: A, kind: xa}\n", "lowercase ASCII"),
        ("communes:\n  - {slug: a, name: A, kind: huyen}\n", "kind must be one of"),
        ("communes:\n  - {slug: a, name: A, kind: xa, population: -3}\n", "positive whole number"),
        ("communes:\n  - {slug: a, name: A, kind: xa, service_centre: {map: 'http://maps'}}\n", "https://"),
    ],
)
def test_broken_registry_is_refused_naming_the_file(tmp_path, body, complaint):
    path = tmp_path / "communes.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_registry(path)
    assert complaint in str(raised.value) and str(path) in str(raised.value)

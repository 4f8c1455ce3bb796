"""Any province makes the site its own: `flask province set` writes its map and settings into the
instance folder (never a tracked file), and guides fill `{province}` and the portal link from them."""

import shutil

import pytest
from bs4 import BeautifulSoup

from guide.content import ContentError, load_library
from guide.province import files_in_use, province_name

from .conftest import FIXTURE_CONTENT, ROOT, make_app


def province_set(app, *args):
    return app.test_cli_runner().invoke(args=["province", "set", *args])


@pytest.fixture(scope="module")
def thanh_hoa(tmp_path_factory):
    """An app whose instance folder `flask province set "Thanh Hóa"` has set up."""
    folder = tmp_path_factory.mktemp("thanh-hoa")
    shipped = {path: path.read_bytes() for path in (ROOT / "content").rglob("*") if path.is_file()}
    result = province_set(make_app(folder), "Thanh Hoa")
    assert result.exit_code == 0, result.output
    assert {path: path.read_bytes() for path in (ROOT / "content").rglob("*") if path.is_file()} == shipped
    return make_app(folder), folder, result.output


def test_set_up_says_what_it_did_and_writes_only_the_instance_folder_not_content(thanh_hoa):
    _app, folder, output = thanh_hoa
    assert "Tỉnh Thanh Hóa: 166 communes, 547 former units" in output
    assert "split between communes" in output and "reload" in output
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".yaml") == ["communes.yaml", "province.yaml"]


def test_the_site_serves_the_province_it_was_set_up_for(thanh_hoa):
    app, _folder, _output = thanh_hoa
    registry = app.extensions["guide.registry"]
    assert registry.province.name == "Tỉnh Thanh Hóa" and len(registry.communes) == 166
    commune = registry.communes[0]
    client = app.test_client()
    page = client.get(f"/xa/{commune.slug}/")
    assert page.status_code == 200 and commune.name in page.get_data(as_text=True)
    assert client.get("/xa/krong-ana/").status_code == 404  # Đắk Lắk's commune is not this site's
    # No portal of its own in the settings: the province's portal link is the national portal.
    assert client.get("/ra/cong-dvc-tinh").headers["Location"] == "https://dichvucong.gov.vn"


def test_the_finders_example_is_a_place_of_this_province_that_the_finder_finds(thanh_hoa):
    app, _folder, _output = thanh_hoa
    client = app.test_client()
    hint = BeautifulSoup(client.get("/tim-xa").get_data(as_text=True), "html.parser").find(id="find-q-hint").text
    example = app.extensions["guide.registry"].example
    assert example.name in hint and "Buôn Trấp" not in hint and "Krông" not in hint
    found = app.extensions["guide.commune_finder"].find(example.name)
    assert not found.suggestions and found.answers
    went_to = app.extensions["guide.registry"].landing(example.slug).communes
    assert set(went_to) <= {commune for answer in found.answers for commune in answer.communes}


def test_no_page_of_another_provinces_site_names_the_shipped_example_or_links_its_sites(thanh_hoa):
    app, _folder, _output = thanh_hoa
    client = app.test_client()
    library = app.extensions["guide.library"]
    wizards = app.extensions["guide.wizards"]
    commune = app.extensions["guide.registry"].communes[0].slug
    pages = ["/", "/en/", "/tim-xa", "/huong-dan/", "/xa/"] + [f"/tu-van/{slug}/" for slug in wizards]
    pages += [f"/xa/{commune}/", f"/xa/{commune}/chia-se", f"/xa/{commune}/chia-se/ap-phich/trang-chu/"]
    pages += [f"/huong-dan/{slug}" for slug in library.guides["vi"]] + [
        f"/en/huong-dan/{slug}" for slug in library.guides["en"]
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.get_data(as_text=True)
        assert "Đắk Lắk" not in text and "daklak" not in text and "Krông" not in text, url
    for wizard in wizards.values():
        for outcome in wizard.outcomes.values():
            for language, source in outcome.source.items():
                assert "Đắk Lắk" not in source and "Đắk Lắk" not in outcome.title[language], outcome.id
    # No portal of its own: the national portal is offered once, not again as "the province's".
    online = client.get("/huong-dan/nop-ho-so-truc-tuyen").get_data(as_text=True)
    assert "/ra/cong-dvc-quoc-gia" in online and "/ra/cong-dvc-tinh" not in online


def test_a_province_with_its_own_portal_is_offered_it_beside_the_national_one(tmp_path):
    app = make_app(tmp_path)  # the shipped example names Đắk Lắk's portal
    online = BeautifulSoup(
        app.test_client().get("/huong-dan/nop-ho-so-truc-tuyen").get_data(as_text=True), "html.parser"
    )
    portal = online.find("a", href="/ra/cong-dvc-tinh")
    assert portal is not None and portal.text == "Cổng Dịch vụ công tỉnh Đắk Lắk"


def test_every_former_name_of_the_province_lands(thanh_hoa):
    app, _folder, _output = thanh_hoa
    registry = app.extensions["guide.registry"]
    client = app.test_client()
    for landing in registry.landings:
        found = registry.resolve(landing.unit.slug)
        assert found.commune is not None or found.choices, landing.unit.slug
    moved = next(landing for landing in registry.landings if len(landing.communes) == 1 and landing.unit.slug not in
                 {c.slug for c in registry.communes})  # fmt: skip
    answer = client.get(f"/xa/{moved.unit.slug}/")
    assert answer.status_code == 301 and answer.headers["Location"].startswith(f"/xa/{moved.communes[0].slug}/")


def test_running_it_again_changes_nothing(thanh_hoa):
    app, folder, _output = thanh_hoa
    before = {p.name: p.read_bytes() for p in folder.glob("*.yaml")}
    assert province_set(app, "38").exit_code == 0  # by its code this time
    assert {p.name: p.read_bytes() for p in folder.glob("*.yaml")} == before


def test_another_province_is_refused_without_yes_and_nothing_changes(tmp_path):
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    app = make_app(tmp_path)
    assert province_set(app, "Đắk Lắk").exit_code == 0
    before = (tmp_path / "communes.yaml").read_bytes()
    refused = province_set(app, "Thanh Hóa")
    assert refused.exit_code != 0 and "Tỉnh Đắk Lắk (102 communes)" in refused.output and "--yes" in refused.output
    assert (tmp_path / "communes.yaml").read_bytes() == before
    replaced = province_set(app, "Thanh Hóa", "--yes", "--portal", "https://dichvucong.example.gov.vn")
    assert replaced.exit_code == 0 and "replaced Tỉnh Đắk Lắk" in replaced.output
    app = make_app(tmp_path)
    assert app.extensions["guide.library"].links["cong-dvc-tinh"].url == "https://dichvucong.example.gov.vn"
    assert app.extensions["guide.library"].links["cong-dvc-tinh"].label["vi"] == "Cổng Dịch vụ công tỉnh Thanh Hóa"


@pytest.mark.parametrize("left", ["provinces: [\n", "\xff\xfe not text", "just words"])
def test_a_folder_whose_files_cannot_be_read_is_written_afresh(tmp_path, left):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    for name in ("communes.yaml", "province.yaml"):
        (folder / name).write_bytes(left.encode("latin-1"))
    result = province_set(make_app(tmp_path), "Thanh Hóa", "--into", str(folder))
    assert result.exit_code == 0 and "replaced" not in result.output, result.output
    assert make_app(folder).extensions["guide.registry"].province.name == "Tỉnh Thanh Hóa"


@pytest.mark.parametrize("name", ["communes.yaml", "province.yaml"])
def test_a_broken_file_of_the_province_says_how_to_get_going_again(thanh_hoa, tmp_path, name):
    folder = tmp_path / "instance"
    shutil.copytree(thanh_hoa[1], folder, ignore=shutil.ignore_patterns("*.sqlite3*", "tallies-*"))
    (folder / name).write_text("just words\n", encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        make_app(folder)
    said = str(refused.value)
    assert f"{folder / name}:" in said and "must be a mapping" in said  # which file, what is wrong
    assert "move it out of the folder and run `flask --app wsgi province set` again" in said
    (folder / name).rename(tmp_path / name)  # as the message says: the site starts, the command runs
    assert province_set(make_app(folder), "Thanh Hóa").exit_code == 0
    assert make_app(folder).extensions["guide.registry"].province.name == "Tỉnh Thanh Hóa"


@pytest.mark.parametrize(
    "args, says",
    [
        (["Thanh Hao"], "did you mean Thanh Hóa"),
        (["Atlantis"], "no province is called"),
        (["Thanh Hóa", "--portal", "http://dichvucong.example.gov.vn"], "is not an https:// address"),
    ],
)
def test_a_wrong_name_or_portal_changes_nothing(tmp_path, args, says):
    result = province_set(make_app(tmp_path), *args)
    assert result.exit_code != 0 and says in result.output
    assert not (tmp_path / "communes.yaml").exists() and not (tmp_path / "province.yaml").exists()


def test_without_a_province_set_up_the_shipped_example_is_used(tmp_path):
    assert files_in_use(tmp_path, ROOT / "content") == (
        ROOT / "content" / "communes.yaml",
        ROOT / "content" / "province.yaml",
    )
    app = make_app(tmp_path)
    assert app.extensions["guide.registry"].province.name == "Tỉnh Đắk Lắk"
    assert app.extensions["guide.library"].links["cong-dvc-tinh"].url == "https://dichvucong.daklak.gov.vn"


def test_placeholders_are_filled_in_each_language(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    guide = next((content / "vi" / "guides").glob("*.md"))
    guide.write_text(guide.read_text(encoding="utf-8") + "\nỞ {province}: {online_fee}\n", encoding="utf-8")
    library = load_library(content, lambda language: {"province": "tỉnh Thanh Hóa", "online_fee": "Miễn phí."})
    assert "Ở tỉnh Thanh Hóa: Miễn phí." in library.guides["vi"][guide.stem].html
    assert province_name(None, "vi") == "tỉnh" and province_name(None, "en") == "your province"


def test_an_unknown_placeholder_stops_the_app_with_file_and_line(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    guide = next((content / "vi" / "guides").glob("*.md"))
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text + "\nGọi {province_phone}.\n", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_library(content)
    problem = error.value.problems[0]
    assert problem.path == guide and "{province_phone} is not a placeholder" in problem.message
    assert problem.line == text.count("\n") + 2

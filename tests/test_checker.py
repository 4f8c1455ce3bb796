"""`flask content check` catches each kind of broken content and names the file."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from guide.content.checker import check_content, content_cli

from .conftest import FIXTURE_CONTENT, ROOT


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def errors(problems):
    return [problem for problem in problems if not problem.warning]


def test_fixture_content_is_clean():
    assert errors(check_content(FIXTURE_CONTENT)) == []


def test_shipped_content_is_clean():
    problems = check_content(ROOT / "content")
    assert errors(problems) == [], "\n".join(map(str, problems))


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


GUIDE = Path("vi/guides/nop-qua-buu-dien.md")
BIRTH = Path("vi/guides/dang-ky-khai-sinh.md")


@pytest.mark.parametrize(
    "file, old, new, complaint",
    [
        (GUIDE, "title: Nộp hồ sơ qua bưu điện\n", "", "missing `title`"),
        (GUIDE, "(/huong-dan/dang-ky-khai-sinh#giay-to)", "(/huong-dan/khong-co)", "there is no guide 'khong-co'"),
        (
            GUIDE,
            "(/huong-dan/dang-ky-khai-sinh#giay-to)",
            "(/huong-dan/dang-ky-khai-sinh#khong-co)",
            "has no anchor #khong-co",
        ),
        (GUIDE, "topic: buu-dien", "topic: linh-tinh", "unknown topic"),
        (GUIDE, "updated: 2026-11-20", "updated: 20/11/2026", "`updated` must be a date"),
        (GUIDE, "(/ra/cong-dvc-quoc-gia)", "(/ra/khong-co)", "/ra/ key 'khong-co' is not in links.yaml"),
        (GUIDE, "(/ra/cong-dvc-quoc-gia)", "(https://example.org)", "goes straight out"),
        (GUIDE, "Cước là một khoản riêng.", "![](/static/css/site.css)", "has no alt text"),
        (GUIDE, "(/ra/cong-dvc-quoc-gia)", "(/xa/huyen-cu/huong-dan/)", "not in communes.yaml"),
        (GUIDE, "(/ra/cong-dvc-quoc-gia)", "(/tu-van/khong-co/)", "there is no wizard"),
        (GUIDE, "related: [dang-ky-khai-sinh]", "related: [khong-co]", "related guide 'khong-co'"),
        (Path("links.yaml"), "https://dichvucong.gov.vn", "http://dichvucong.gov.vn", "must be an https:// address"),
        # Content names no province, in any spelling, and links none of their own sites.
        (GUIDE, "Cước là một khoản riêng.", "Ở Thanh Hóa cước riêng.", "names the province 'Thanh Hóa'"),
        (Path("en/guides/nop-qua-buu-dien.md"), "\n\n", "\n\nIn Dak Lak it is free.\n\n", "'Đắk Lắk'"),
        (Path("wizards/thu-nghiem.yaml"), "Bạn có VNeID mức 2 không?", "Ở Daklak có VNeID?", "'Đắk Lắk'"),
        (GUIDE, "Cước là một khoản riêng.", "Gọi {phone}.", "{phone} is not a placeholder"),
        (Path("links.yaml"), "https://dichvucong.gov.vn", "https://dichvucong.thanhhoa.gov.vn", "Thanh Hóa's own site"),
        # A source says whose page it is: a state body's, or a listed publisher's named in its title.
        (
            BIRTH,
            "https://vanban.chinhphu.vn/",
            "https://blog.example.org/a",
            "'blog.example.org' is not in source-hosts",
        ),
        (
            BIRTH,
            "https://vanban.chinhphu.vn/",
            "https://cafef.vn/a.chn",
            "must name its publisher in its title ('CafeF')",
        ),
        (Path("source-hosts.yaml"), "cafef.vn:", "cafef:", "'cafef' is not a host name"),
    ],
)
def test_each_kind_of_broken_content_is_caught_with_its_file(content, file, old, new, complaint):
    replace_in(content / file, old, new)
    problems = check_content(content)
    assert any(complaint in p.message and p.path == content / file for p in problems), "\n".join(map(str, problems))


@pytest.mark.parametrize(
    "url, title",
    [
        ("https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html", "Thủ tục"),  # any *.gov.vn
        ("https://news.laodong.vn/a.ldo", "Báo Lao Động — trợ cấp"),  # a subdomain of a listed publisher
        ("https://www.cafef.vn/a.chn", "Bài của cafef về VNeID"),  # www. and the name in any case
    ],
)
def test_a_source_of_a_state_body_or_of_a_publisher_it_names_passes(content, url, title):
    replace_in(
        content / BIRTH,
        "  - title: Luật Hộ tịch 2014\n    url: https://vanban.chinhphu.vn/",
        f"  - title: {title}\n    url: {url}",
    )
    assert errors(check_content(content)) == []


def test_a_dead_link_is_reported_with_its_line(content):
    replace_in(content / GUIDE, "(/ra/cong-dvc-quoc-gia)", "(/ra/khong-co)")
    [problem] = errors(check_content(content))
    assert (
        problem.line
        == (content / GUIDE)
        .read_text(encoding="utf-8")
        .splitlines()
        .index("Mở [Cổng Dịch vụ công quốc gia](/ra/khong-co).")
        + 1
    )


def test_what_is_not_yet_translated_is_a_warning_naming_each_guide_and_text(content):
    replace_in(content / "wizards" / "thu-nghiem.yaml", ", en: The post office comes to you.}", "}")
    problems = check_content(content)
    assert errors(problems) == []
    assert [(p.path, p.message) for p in problems] == [
        (content / "en" / "guides", "1 guide(s) not yet in en: dang-ky-khai-sinh"),
        (content / "wizards" / "thu-nghiem.yaml", "1 text(s) not yet in en: buu-dien: body"),
    ]


def test_a_link_is_checked_against_the_routes_of_the_app(content):
    """Every page the app routes is linkable, and only those: a link's path is matched against the
    app's own URL map, not a list kept by hand."""
    for href, complaint in [
        ("(/thong-ke-an-danh)", None),
        ("(/xa/krong-ana/chia-se)", None),
        ("(/tu-van/thu-nghiem/kiem-tra)", None),
        ("(/tu-van/thu-nghiem/khong-co)", "has no step 'khong-co'"),
        ("(/huong-dan)", "write it as '/huong-dan/'"),
        ("(/en/huong-dan/)", "without a language prefix"),
        ("(/phan-hoi)", "does not lead to a page"),
        ("(/khong-co-trang-nay)", "does not lead to a page"),
    ]:
        target = content / GUIDE
        original = target.read_text(encoding="utf-8")
        replace_in(target, "(/ra/cong-dvc-quoc-gia)", href)
        messages = [p.message for p in errors(check_content(content))]
        target.write_text(original, encoding="utf-8")
        if complaint is None:
            assert messages == [], href
        else:
            assert len(messages) == 1 and complaint in messages[0], (href, messages)


def test_a_problem_in_yaml_names_its_line_however_it_is_indented(content):
    wizard = content / "wizards" / "thu-nghiem.yaml"
    text = wizard.read_text(encoding="utf-8")
    indented = "\n".join(("  " + line if line.startswith("  ") else line) for line in text.splitlines()) + "\n"
    indented = indented.replace("guides: [nop-qua-buu-dien]", "guides: [khong-co]")
    wizard.write_text(indented, encoding="utf-8")
    [problem] = errors(check_content(content))
    assert "guide 'khong-co' does not exist" in problem.message
    lines = indented.splitlines()
    outcome_line = next(i for i, line in enumerate(lines, 1) if line.strip() == f"{problem.message.split(':')[0]}:")
    assert problem.line == outcome_line


def test_the_command_exits_non_zero_and_prints_file_and_line(content):
    replace_in(content / GUIDE, "(/ra/cong-dvc-quoc-gia)", "(/ra/khong-co)")
    result = CliRunner().invoke(content_cli, ["check", "--content-dir", str(content)])
    assert result.exit_code == 1
    assert f"{content / GUIDE}:" in result.stderr and "khong-co" in result.stderr


# The one test of a real `flask` process: the command is found as installed, and runs without an app.
def test_the_command_works_even_when_the_app_cannot_start(content):
    replace_in(content / GUIDE, "topic: buu-dien", "topic: linh-tinh")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "content", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"GUIDE_CONTENT_DIR": str(content), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1 and "unknown topic 'linh-tinh'" in result.stderr


def test_a_phone_link_is_digits_only(content):
    target = content / GUIDE
    for href, complaint in [
        ("(tel:1900545481)", None),
        ("(tel:+842623123456)", None),
        ("(tel:1900 54 54)", "write tel:"),
    ]:
        original = target.read_text(encoding="utf-8")
        replace_in(target, "(/ra/cong-dvc-quoc-gia)", href)
        messages = [p.message for p in errors(check_content(content))]
        target.write_text(original, encoding="utf-8")
        assert (messages == []) if complaint is None else (len(messages) == 1 and complaint in messages[0]), messages

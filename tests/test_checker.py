"""`flask content check` catches each kind of broken content and names the file."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from guide.checker import check_content

from .conftest import FIXTURE_CONTENT, ROOT


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def test_fixture_content_is_clean():
    assert check_content(FIXTURE_CONTENT) == []


def test_shipped_content_is_clean():
    problems = check_content(ROOT / "content")
    assert problems == [], "\n".join(map(str, problems))


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


GUIDE = Path("vi/guides/nop-qua-buu-dien.md")


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
    ],
)
def test_each_kind_of_broken_content_is_caught_with_its_file(content, file, old, new, complaint):
    replace_in(content / file, old, new)
    problems = check_content(content)
    assert any(complaint in p.message and p.path == content / file for p in problems), "\n".join(map(str, problems))


def test_a_dead_link_is_reported_with_its_line(content):
    replace_in(content / GUIDE, "(/ra/cong-dvc-quoc-gia)", "(/ra/khong-co)")
    [problem] = check_content(content)
    assert (
        problem.line
        == (content / GUIDE)
        .read_text(encoding="utf-8")
        .splitlines()
        .index("Mở [Cổng Dịch vụ công quốc gia](/ra/khong-co).")
        + 1
    )


def test_a_missing_translation_must_be_listed_as_pending(content):
    (content / "pending-translations.yaml").write_text("[]\n", encoding="utf-8")
    problems = check_content(content)
    assert [p.message for p in problems] == [
        "has no English version (content/en/guides/) and is not listed in pending-translations.yaml"
    ]


def test_the_command_exits_non_zero_and_prints_file_and_line(content):
    replace_in(content / GUIDE, "(/ra/cong-dvc-quoc-gia)", "(/ra/khong-co)")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "content", "check", "--content-dir", str(content)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert f"{content / GUIDE}:" in result.stderr and "khong-co" in result.stderr


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

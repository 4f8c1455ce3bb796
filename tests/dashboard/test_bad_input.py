"""Issue 33's bad input, retried: numbers in ASCII digits only, one formula guard for every CSV,
a production secret with too little variety refused."""

import csv
import io

import pytest

from guide import config, create_app, spreadsheet
from guide.dashboard import targets
from guide.text import whole_number

from .conftest import TODAY, add_tallies
from .test_judgement import csrf_token

NOT_ASCII_NUMBERS = ["³", "①", "²5", "٣", "３０", "৩", "5²", "1_000", "+5", "-5", "5.0", "", " ", "٠" * 300, "9" * 19]


@pytest.mark.parametrize("text", NOT_ASCII_NUMBERS)
def test_whole_number_takes_ascii_digits_only(text):
    assert whole_number(text) is None


def test_whole_number_reads_what_a_person_types():
    assert whole_number("30") == 30 and whole_number(" 007 ") == 7 and whole_number("0") == 0


@pytest.mark.parametrize("text", ["³", "①", "²5", "３０ %", "٣٠%", "0", "101", "30.5"])
def test_a_target_that_is_not_a_whole_per_cent_is_none(text):
    assert targets.parse_percent(text) is None


@pytest.mark.parametrize("text", ["³", "①", "²5", "３０"])
def test_the_target_form_says_what_is_wrong_not_a_500(district_client, text):
    token = csrf_token(district_client, "/thong-ke/")
    response = district_client.post("/thong-ke/muc-tieu", data={"csrf_token": token, "commune": "", "percent": text})
    assert response.status_code == 303
    page = district_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mục tiêu là một số phần trăm nguyên từ 1 đến 100" in page


FORMULAS = [
    "=HYPERLINK(1)",
    "+1+1",
    "-1+A1",
    "@SUM(A1)",
    " =1+1",
    "\u00a0=1+1",
    "\n=1+1",
    "\t=1",
    "\r=1",
    "\u200b=1+1",  # zero-width space
    "\ufeff=1",
    "\u2060=1",
    "\u202e=1",  # right-to-left override
    "＝1+1",  # fullwidth
    "＋1",
    "－1",
    "＠x",
    "﹦1",
    " \u200b\u3000＝cmd",
    "\x00=1",
    "\tplain",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_starts_with_a_quote(text):
    assert spreadsheet.cell(text) == "'" + text


@pytest.mark.parametrize("value", [5, -5, 2.5, "-5", "5", "-2.5", "2026-01-31", "Ea Na", "", "a=b", "12,5 %"])
def test_real_numbers_and_plain_text_are_left_as_they_are(value):
    assert spreadsheet.cell(value) == value


def test_the_dashboard_csv_guards_every_cell_and_keeps_numbers(district_client, dashboard_app):
    add_tallies(dashboard_app, [(TODAY, "ea-na", "visitors", "", "", 3)])
    text = district_client.get("/thong-ke/?ky=7&format=csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))  # as Excel with Vietnamese settings reads it
    assert not any(spreadsheet.runs_as_formula(value) for row in rows for value in row)
    ea_na = next(row for row in rows if "Ea Na" in row)
    assert "3" in ea_na  # a number, not "'3"


def test_tallies_export_guards_its_cells(dashboard_app):
    add_tallies(dashboard_app, [(TODAY, "ea-na", "view", '\u200b=HYPERLINK("x")', "", 2)])
    output = dashboard_app.test_cli_runner().invoke(args=["tallies", "export"]).output
    row = next(row for row in csv.reader(io.StringIO(output)) if "ea-na" in row)
    assert row[3] == '\'\u200b=HYPERLINK("x")' and row[-1] == "2"


@pytest.mark.parametrize("secret", [" " * 32, "a" * 32, "ab" * 40, "0123456789abcde" * 3])
def test_production_refuses_a_secret_with_too_little_variety(tmp_path, monkeypatch, secret):
    monkeypatch.setenv("GUIDE_ENV", "production")
    monkeypatch.setenv("GUIDE_SECRET_KEY", secret)
    with pytest.raises(config.ConfigError, match="different characters"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"})


def test_the_instance_secret_has_the_variety_production_asks(tmp_path):
    assert len(set(config.instance_secret(tmp_path / "instance" / "secret_key"))) >= config.MIN_SECRET_VARIETY

"""`flask dossiers import FILE` (guide/dossiers/): each commune's dossiers per month, checked
line by line, all or nothing, a month imported again replacing it; the shares the dashboard reads;
the demo months `flask tallies demo` makes. The command on SQLite and PostgreSQL. The reader
(CSV or .xlsx, Vietnamese columns and names, bounded) is the dashboard upload's too
(tests/dashboard/test_dossier_upload.py)."""

import datetime as dt

import openpyxl
import pytest
import sqlalchemy as sa

from guide import create_app, db, dossiers
from guide.communes import Commune, Registry
from guide.dashboard import demo
from guide.dossiers import cells
from tests.conftest import FIXTURE_CONTENT
from tests.tallies.conftest import database_url, postgres_cluster, postgres_url  # noqa: F401 (fixtures)

HEADER = "commune,month,received,online,postal\n"
TODAY = dt.date(2026, 3, 15)
JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)


@pytest.fixture
def app(database_url):  # noqa: F811
    return create_app({"TESTING": True, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": database_url})


@pytest.fixture
def sqlite_app(tmp_path):
    return create_app(
        {"TESTING": True, "CONTENT_DIR": FIXTURE_CONTENT, "DATABASE_URL": f"sqlite:///{tmp_path / 'd.sqlite3'}"}
    )


def a_file(tmp_path, text: str, name: str = "thang.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run_import(app, path):
    return app.test_cli_runner().invoke(args=["dossiers", "import", str(path)])


def table(app) -> set[tuple]:
    with app.app_context():
        db.create_schema()
        with db.engine().connect() as connection:
            c = dossiers.dossier_month.c
            rows = connection.execute(sa.select(c.commune, c.month, c.received, c.online, c.postal, c.demo))
            return {(row.commune, f"{row.month:%Y-%m}", row.received, row.online, row.postal, row.demo) for row in rows}


def refused(app, text: str, tmp_path) -> list[str]:
    """The problems a file is refused with, as `FILE:LINE: message` (via the plain function)."""
    path = a_file(tmp_path, text)
    with pytest.raises(dossiers.ImportRefused) as raised, app.test_request_context("/en/"), path.open("rb") as stream:
        dossiers.read(path, stream, app.extensions["guide.registry"], TODAY)  # the messages' own language
    return [str(problem) for problem in raised.value.problems]


def test_a_good_file_is_imported_and_read_back_as_shares(app, tmp_path):
    path = a_file(tmp_path, HEADER + "ea-na,2026-01,400,100,20\nea-na,2026-02,500,150,25\nkrong-ana,2026-02,0,0,0\n")
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    assert "imported 3 month(s) for 2 commune(s), 2026-01 to 2026-02" in result.output
    assert table(app) == {
        ("ea-na", "2026-01", 400, 100, 20, False),
        ("ea-na", "2026-02", 500, 150, 25, False),
        ("krong-ana", "2026-02", 0, 0, 0, False),
    }
    with app.app_context(), db.engine().connect() as connection:
        months = dossiers.monthly(connection, "ea-na", JAN, dt.date(2026, 12, 1))
        assert [(m.month, m.online_share, m.postal_share) for m in months] == [(JAN, 0.25, 0.05), (FEB, 0.3, 0.05)]
        assert dossiers.monthly(connection, "ea-na", FEB, dt.date(2026, 2, 28)) == months[1:]  # any day of a month
        totals = dossiers.by_commune(connection, JAN, FEB)
        assert totals["ea-na"] == dossiers.Totals(900, 250, 45) and totals["ea-na"].online_share == 250 / 900
        assert totals["krong-ana"].online_share is None and totals["krong-ana"].postal_share is None  # none received
        assert dossiers.by_commune(connection, FEB, FEB)["ea-na"].received == 500
        assert dossiers.last_month(connection) == FEB


def test_a_bad_file_reports_each_problem_with_its_line_and_imports_nothing(app, tmp_path):
    good = a_file(tmp_path, HEADER + "ea-na,2026-01,400,100,20\n", name="good.csv")
    assert run_import(app, good).exit_code == 0
    path = a_file(
        tmp_path,
        HEADER
        + "ea-na,2026-02,500,150,25\n"  # good, but not written: the file is refused whole
        + "xa-khong-co,2026-02,10,1,1\n"
        + "ea-na,2026-13,10,1,1\n"
        + "krong-ana,2026-02,ten,1,1\n"
        + "krong-ana,2026-01,10,8,5\n"
        + "ea-na,2026-02,10,1\n",
        name="bad.csv",
    )
    result = run_import(app, path)
    assert result.exit_code != 0
    lines = result.stderr.splitlines()
    assert [line.split(": ")[0] for line in lines[:-1]] == [f"{path}:{n}" for n in (3, 4, 5, 6, 7)]
    assert "xa-khong-co" in lines[0] and "2026-13" in lines[1] and "ten" in lines[2]
    assert "online (8) plus postal (5) is more than received (10)" in lines[3] and "4 values" in lines[4]
    assert lines[-1] == "nothing imported: 5 problem(s) to fix first"
    assert table(app) == {("ea-na", "2026-01", 400, 100, 20, False)}  # as before


def test_importing_a_month_again_replaces_it_and_the_same_file_twice_leaves_the_same_table(app, tmp_path):
    first = a_file(tmp_path, HEADER + "ea-na,2026-01,400,100,20\nkrong-ana,2026-01,300,30,3\n", name="1.csv")
    again = a_file(tmp_path, HEADER + "ea-na,2026-01,410,120,20\nea-na,2026-02,500,150,25\n", name="2.csv")
    assert run_import(app, first).exit_code == 0
    assert run_import(app, again).exit_code == 0
    after = table(app)
    assert after == {
        ("ea-na", "2026-01", 410, 120, 20, False),
        ("ea-na", "2026-02", 500, 150, 25, False),
        ("krong-ana", "2026-01", 300, 30, 3, False),  # not in the second file: kept
    }
    assert run_import(app, again).exit_code == 0
    assert table(app) == after


def test_excels_csv_with_a_byte_order_mark_and_semicolons_is_accepted(sqlite_app, tmp_path):
    bom = a_file(tmp_path, "\ufeff" + HEADER + "ea-na,2026-01,400,100,20\r\n", name="bom.csv")
    assert run_import(sqlite_app, bom).exit_code == 0
    semicolons = a_file(tmp_path, HEADER.replace(",", ";") + "ea-na;2026-02;500;150;25\r\n", name="vi.csv")
    assert run_import(sqlite_app, semicolons).exit_code == 0
    assert {row[:2] for row in table(sqlite_app)} == {("ea-na", "2026-01"), ("ea-na", "2026-02")}


def test_a_commune_by_slug_or_by_nso_code_is_the_same_commune(sqlite_app, tmp_path):
    path = a_file(tmp_path, HEADER + "24559,2026-01,400,100,20\n krong-ana ,2026-01,300,30,3\n")
    assert dossiers.import_file(path, sqlite_app.extensions["guide.registry"], _engine(sqlite_app), TODAY).months == 2
    assert {row[0] for row in table(sqlite_app)} == {"ea-na", "krong-ana"}
    twice = a_file(tmp_path, HEADER + "24559,2026-01,400,100,20\nea-na,2026-01,400,100,20\n", name="twice.csv")
    assert refused(sqlite_app, twice.read_text(), tmp_path) == [
        f"{tmp_path / 'thang.csv'}:3: ea-na 01/2026 is given twice, here and on line 2: give it once"
    ]


def _engine(app):
    with app.app_context():
        db.create_schema()
        return db.engine()


def test_an_unknown_or_former_commune_is_refused(sqlite_app, tmp_path):
    problems = refused(
        sqlite_app, HEADER + "xa-khong-co,2026-01,1,0,0\nbuon-trap,2026-01,1,0,0\n,2026-01,1,0,0\n", tmp_path
    )
    assert len(problems) == 3
    assert problems[0].endswith(":2: no commune “xa-khong-co” in the province: give its name, its slug or its NSO code")
    assert ":3: “buon-trap” is a former commune, now part of " in problems[1] and "“krong-ana”" in problems[1]
    assert ":4: no commune:" in problems[2]


def test_online_and_postal_together_cannot_be_more_than_received(sqlite_app, tmp_path):
    assert refused(sqlite_app, HEADER + "ea-na,2026-01,10,6,5\n", tmp_path) == [
        f"{tmp_path / 'thang.csv'}:2: online (6) plus postal (5) is more than received (10): "
        "online and postal dossiers are among those received"
    ]


@pytest.mark.parametrize("value", ["12.5", "-3", "ten", "", "1.200", "1e3", "99999999"])
def test_counts_must_be_whole_numbers(sqlite_app, tmp_path, value):
    (problem,) = refused(sqlite_app, HEADER + f"ea-na,2026-01,{value},0,0\n", tmp_path)
    assert ":2: received " in problem


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-00", "2026/01", "13/2026", "2026-1", "Tháng 1", "1999-12", "T１/2026"]
)
def test_a_month_must_be_a_month(sqlite_app, tmp_path, month):
    (problem,) = refused(sqlite_app, HEADER + f"ea-na,{month},10,1,1\n", tmp_path)
    assert problem.endswith(f":2: month “{month}” is not a month: write it like 11/2026 or 2026-11")


def test_a_month_not_begun_is_refused(sqlite_app, tmp_path):
    (problem,) = refused(sqlite_app, HEADER + "ea-na,4/2026,10,1,1\n", tmp_path)
    assert problem.endswith(":2: month 04/2026 has not begun yet")


@pytest.mark.parametrize(
    "text, says",
    [
        (
            "xa,thang,tong,truc_tuyen,buu_dien\nea-na,2026-01,10,1,1\n",
            ":1: the header does not name the columns received, online, postal:",
        ),
        ("", ":1: the file is empty"),
        (HEADER, ": no figures after the header"),
        ("commune,xã,month,received,online,postal\n", ":1: two columns for commune: keep one"),
        (
            "Báo cáo\n" * 10 + HEADER,
            ":10: the header does not name the columns commune, month, received, online, postal:",
        ),
    ],
)
def test_a_wrong_header_or_no_figures_is_one_problem(sqlite_app, tmp_path, text, says):
    (problem,) = refused(sqlite_app, text, tmp_path)
    assert says in problem


def test_a_file_not_in_utf8_is_refused_with_a_way_to_save_it(sqlite_app, tmp_path):
    path = a_file(tmp_path, HEADER + "ea-na,2026-01,10,1,1\nKrông A Na,2026-02,10,1,1\n", encoding="cp1258")
    result = run_import(sqlite_app, path)
    assert result.exit_code != 0 and f"{path}:3: this is not UTF-8 text" in result.stderr
    assert table(sqlite_app) == set()


def test_blank_lines_are_skipped_and_lines_are_counted_in_the_file(sqlite_app, tmp_path):
    problems = refused(sqlite_app, HEADER + "\n,,,,\nea-na,2026-01,10,11,0\n", tmp_path)
    assert [problem.split(": ")[0] for problem in problems] == [f"{tmp_path / 'thang.csv'}:4"]


def test_demo_months_are_plausible_marked_and_never_mixed_with_imported_ones(sqlite_app, tmp_path):
    with sqlite_app.app_context():
        db.create_schema()
        demo.fill(365, dt.date(2026, 3, 15))
        with db.engine().connect() as connection:
            registry = sqlite_app.extensions["guide.registry"]
            months = {
                c.slug: dossiers.monthly(connection, c.slug, dt.date(2025, 1, 1), TODAY) for c in registry.communes
            }
    for commune, shares in months.items():
        assert len(shares) == 12 and shares[-1].month == FEB and shares[0].month == dt.date(2025, 3, 1), commune
        assert all(m.demo and 0.05 <= m.online_share <= 0.60 and m.online + m.postal <= m.received for m in shares)
        assert shares[-1].online_share > shares[0].online_share  # the slow rise outreach is for
    # Real figures replace the demo ones, all of them.
    path = a_file(tmp_path, HEADER + "ea-na,2026-01,400,100,20\n")
    result = run_import(sqlite_app, path)
    assert result.exit_code == 0 and "demo month(s) are gone" in result.output
    assert table(sqlite_app) == {("ea-na", "2026-01", 400, 100, 20, False)}
    # …and demo data never sits beside them.
    with sqlite_app.app_context(), pytest.raises(ValueError, match="imported dossier figures"):
        demo.fill(90, TODAY)
    assert table(sqlite_app) == {("ea-na", "2026-01", 400, 100, 20, False)}


VIETNAMESE = "Xã/Phường;Tháng;Tổng số hồ sơ tiếp nhận;Trực tuyến;Bưu chính công ích\n"


def test_an_export_with_vietnamese_columns_names_and_months_is_read(sqlite_app, tmp_path):
    text = (
        "\ufeffBÁO CÁO TÌNH HÌNH TIẾP NHẬN HỒ SƠ;;;;\n"  # an export's title, then a blank line, then the header
        ";;;;\n"
        "STT;Tên đơn vị;Kỳ;Tổng tiếp nhận;Ghi chú;TRỰC TUYẾN;Bưu chính\n"  # in any order, other columns ignored
        "1;Xã Ea Na;11/2026;412;;88;14\n"
        "2;Krông Ana;T11/2026;300;;30;3\n"
        "3;24568;11-2026;10;;1;0\n"
        "4;  ea   na ;2026-10;5;;0;0\n"
        "Tổng cộng;;;727;;119;17\n"  # the total line is skipped
    )
    result = run_import(sqlite_app, a_file(tmp_path, text))
    assert result.exit_code == 0, result.output
    assert table(sqlite_app) == {
        ("ea-na", "2026-11", 412, 88, 14, False),
        ("krong-ana", "2026-11", 300, 30, 3, False),
        ("dur-kmal", "2026-11", 10, 1, 0, False),
        ("ea-na", "2026-10", 5, 0, 0, False),
    }


def test_a_name_of_another_kind_or_a_former_one_is_not_todays_commune(sqlite_app, tmp_path):
    problems = refused(
        sqlite_app, VIETNAMESE + "Phường Ea Na;11/2025;1;0;0\nThị trấn Buôn Trấp;11/2025;1;0;0\n", tmp_path
    )
    assert problems[0].endswith(
        ":2: no commune “Phường Ea Na” in the province: give its name, its slug or its NSO code"
    )
    assert problems[1].endswith(
        ":3: “Thị trấn Buôn Trấp” is a former commune, now part of Krông Ana: give today's commune, “krong-ana”"
    )


def test_an_xlsx_export_is_read_with_its_numbers_and_dates(sqlite_app, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Báo cáo tháng 11/2026"])
    sheet.append(["Xã", "Tháng", "Tiếp nhận", "Trực tuyến", "Bưu chính"])
    sheet.append(["Xã Ea Na", "11/2026", 412, 88, 14])
    sheet.append([24538, dt.datetime(2026, 11, 1), 300.0, 30, 3])  # a code and a date as Excel keeps them
    path = tmp_path / "bao-cao.xlsx"
    book.save(path)
    result = run_import(sqlite_app, path)
    assert result.exit_code == 0, result.output
    assert table(sqlite_app) == {("ea-na", "2026-11", 412, 88, 14, False), ("krong-ana", "2026-11", 300, 30, 3, False)}
    sheet.append(["Dur Kmăl", "11/2026", "１２", True, 0])  # row 5
    book.save(path)
    result = run_import(sqlite_app, path)
    assert (
        result.exit_code == 1 and [line.split(": ")[0] for line in result.stderr.splitlines()[:2]] == [f"{path}:5"] * 2
    )


@pytest.mark.parametrize("digits", ["１２", "١٢", "۱۲", "²5", "৫", "12\u200b"])
def test_digits_of_other_scripts_are_not_counts(sqlite_app, tmp_path, digits):
    (problem,) = refused(sqlite_app, HEADER + f"ea-na,2026-01,{digits},0,0\n", tmp_path)
    assert problem.endswith(f":2: received “{digits}” is not a whole number: write digits only, like 120")


@pytest.mark.parametrize("size", [300, 200_000])
def test_an_overlong_value_is_a_problem_at_its_line_not_a_traceback(sqlite_app, tmp_path, size):
    path = a_file(tmp_path, HEADER + "ea-na,2026-01,10,1,1\n" + "x" * size + ",2026-01,10,1,1\nea-na,2026-02,10,1,1\n")
    result = run_import(sqlite_app, path)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert result.stderr.splitlines()[0].startswith(f"{path}:3: ")
    assert table(sqlite_app) == set()


def test_a_file_over_2_mb_is_refused_before_it_is_read(sqlite_app, tmp_path):
    line = "ea-na,2026-01,10,1,1\n"
    path = a_file(tmp_path, HEADER + line * (dossiers.MAX_BYTES // len(line)))
    assert path.stat().st_size > dossiers.MAX_BYTES
    result = run_import(sqlite_app, path)
    assert (
        result.exit_code == 1
        and result.stderr.splitlines()[0] == f"{path}: the file is larger than 2 MB: import fewer months at once"
    )


@pytest.mark.parametrize(
    "data, says",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "this is an old Excel file (.xls)"),
        (b"PK\x03\x04not really a zip", "this is not a file Excel can open"),
        (HEADER.encode() + b"ea-na,2026-01,1\x00,0,0\n", ":2: this is not UTF-8 text"),
    ],
)
def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(sqlite_app, tmp_path, data, says):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    result = run_import(sqlite_app, path)
    assert result.exit_code == 1 and says in result.stderr


def test_a_file_wrong_on_every_line_reports_the_first_fifty_problems(sqlite_app, tmp_path):
    problems = refused(sqlite_app, HEADER + "xa-khong-co,2026-01,1,0,0\n" * 500, tmp_path)
    assert len(problems) == 51 and problems[-1].endswith(
        ":51: more than 50 problems: the rest of the file was not checked"
    )


def test_a_name_two_communes_share_needs_its_kind(sqlite_app):
    communes = (Commune("tan-lap-xa", "Tân Lập", "xa"), Commune("tan-lap", "Tân Lập", "phuong"))
    names = cells.CommuneNames(Registry(communes, ()))
    with sqlite_app.test_request_context("/en/"):
        assert names.find("Phường Tân Lập") == ("tan-lap", None)
        assert names.find("xã  tân lập") == ("tan-lap-xa", None)  # as the reader gives it: spaces folded
        assert names.find("Tân Lập") == (
            None,
            "several communes are called “Tân Lập”: write “Xã Tân Lập” or “Phường Tân Lập”",
        )

"""cach-nop-ho-so ("Which way should I submit?"), node by node; expected nodes typed from the YAML."""

import pytest

from .helpers import assert_next_node, shape, wizard

W = wizard("cach-nop-ho-so")
PROCEDURES = ["khai-sinh", "khai-tu", "ket-hon", "cu-tru", "chung-thuc", "khac"]


def test_the_nodes_are_the_ones_these_tests_know():
    assert shape(W) == (
        {
            "thu-tuc": PROCEDURES,
            "vneid": ["muc-2", "muc-1", "chua-co"],
            "thiet-bi": ["co", "khong"],
            "nguoi-giup": ["co", "khong"],
            "di-lai": ["duoc", "kho"],
            "thoi-gian": ["gap", "khong-gap"],
        },
        {
            "toan-trinh",
            "lien-thong",
            "ban-sao-dien-tu",
            "mot-phan",
            "buu-dien",
            "mot-cua-co-ho-tro",
            "vneid-truoc",
            "cu-tru-truc-tuyen",
            "cong-an-xa",
        },
    )


def test_starts_with_the_procedure():
    assert W.start == "thu-tuc"


# thu-tuc


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_every_procedure_asks_about_vneid_next(procedure):
    assert_next_node(W, "vneid", for_response=procedure, at="thu-tuc")


# vneid: level 2 goes on to the device; otherwise the procedure decides


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_level_2_asks_about_a_device_whatever_the_procedure(procedure):
    assert_next_node(W, "thiet-bi", for_response="muc-2", at="vneid", after={"thu-tuc": procedure})


@pytest.mark.parametrize(
    "procedure, expected",
    [
        ("cu-tru", "cong-an-xa"),
        ("ket-hon", "mot-cua-co-ho-tro"),
        ("khai-sinh", "di-lai"),
        ("khai-tu", "di-lai"),
        ("chung-thuc", "di-lai"),
        ("khac", "di-lai"),
    ],
)
@pytest.mark.parametrize("level", ["muc-1", "chua-co"])
def test_without_level_2_the_procedure_decides(level, procedure, expected):
    assert_next_node(W, expected, for_response=level, at="vneid", after={"thu-tuc": procedure})


# thiet-bi: with a device, the outcome depends on the procedure answered two steps back

ONLINE_OUTCOME = [
    ("cu-tru", "cu-tru-truc-tuyen"),
    ("ket-hon", "mot-phan"),
    ("khai-sinh", "lien-thong"),
    ("khai-tu", "lien-thong"),
    ("chung-thuc", "ban-sao-dien-tu"),
    ("khac", "toan-trinh"),
]


@pytest.mark.parametrize("procedure, expected", ONLINE_OUTCOME)
def test_a_device_leads_to_the_procedures_online_outcome(procedure, expected):
    assert_next_node(W, expected, for_response="co", at="thiet-bi", after={"thu-tuc": procedure, "vneid": "muc-2"})


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_no_device_asks_whether_someone_can_help(procedure):
    assert_next_node(
        W, "nguoi-giup", for_response="khong", at="thiet-bi", after={"thu-tuc": procedure, "vneid": "muc-2"}
    )


# nguoi-giup: a helper counts as a device; without one, the same split as vneid without level 2


@pytest.mark.parametrize("procedure, expected", ONLINE_OUTCOME)
def test_a_helper_leads_to_the_procedures_online_outcome(procedure, expected):
    after = {"thu-tuc": procedure, "vneid": "muc-2", "thiet-bi": "khong"}
    assert_next_node(W, expected, for_response="co", at="nguoi-giup", after=after)


@pytest.mark.parametrize(
    "procedure, expected",
    [
        ("cu-tru", "cong-an-xa"),
        ("ket-hon", "mot-cua-co-ho-tro"),
        ("khai-sinh", "di-lai"),
        ("khai-tu", "di-lai"),
        ("chung-thuc", "di-lai"),
        ("khac", "di-lai"),
    ],
)
def test_no_helper_the_procedure_decides(procedure, expected):
    after = {"thu-tuc": procedure, "vneid": "muc-2", "thiet-bi": "khong"}
    assert_next_node(W, expected, for_response="khong", at="nguoi-giup", after=after)


# di-lai: reached with level 2 (no device, no helper) or without it; the VNeID answer changes "duoc"

WITH_LEVEL_2 = {"thu-tuc": "khac", "vneid": "muc-2", "thiet-bi": "khong", "nguoi-giup": "khong"}
WITHOUT_LEVEL_2 = {"thu-tuc": "khac", "vneid": "chua-co"}


@pytest.mark.parametrize("after", [WITH_LEVEL_2, WITHOUT_LEVEL_2, {"thu-tuc": "khai-sinh", "vneid": "muc-1"}])
def test_hard_to_travel_leads_to_the_post(after):
    assert_next_node(W, "buu-dien", for_response="kho", at="di-lai", after=after)


def test_able_to_travel_with_level_2_goes_to_the_centre():
    assert_next_node(W, "mot-cua-co-ho-tro", for_response="duoc", at="di-lai", after=WITH_LEVEL_2)


@pytest.mark.parametrize("level", ["muc-1", "chua-co"])
def test_able_to_travel_without_level_2_asks_about_time(level):
    assert_next_node(W, "thoi-gian", for_response="duoc", at="di-lai", after={"thu-tuc": "khai-tu", "vneid": level})


# thoi-gian

BEFORE_TIME = {"thu-tuc": "khai-sinh", "vneid": "chua-co", "di-lai": "duoc"}


def test_in_a_hurry_goes_to_the_centre():
    assert_next_node(W, "mot-cua-co-ho-tro", for_response="gap", at="thoi-gian", after=BEFORE_TIME)


def test_with_time_gets_vneid_level_2_first():
    assert_next_node(W, "vneid-truoc", for_response="khong-gap", at="thoi-gian", after=BEFORE_TIME)


def test_an_answer_off_the_path_is_ignored():
    # di-lai is never asked on the level-2-and-device path: answering it changes nothing
    assert_next_node(
        W,
        "lien-thong",
        for_response="co",
        at="thiet-bi",
        after={"thu-tuc": "khai-sinh", "vneid": "muc-2", "di-lai": "kho"},
    )

"""cach-nop-ho-so ("Which way should I submit?"), node by node; expected nodes typed from the YAML."""

import pytest

from .helpers import assert_next_node, shape, wizard

W = wizard("cach-nop-ho-so")
PROCEDURES = ["khai-sinh", "khai-tu", "ket-hon", "cu-tru", "chung-thuc", "khac"]


def begun(procedure):
    """The procedure chosen; a birth also in the usual case (in Vietnam, within 60 days, parents married)."""
    return {"thu-tuc": procedure, **({"khai-sinh-thuong": "dung"} if procedure == "khai-sinh" else {})}


def test_the_nodes_are_the_ones_these_tests_know():
    assert shape(W) == (
        {
            "thu-tuc": PROCEDURES,
            "khai-sinh-thuong": ["dung", "khac"],
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
            "ket-hon-tai-xa",
            "khai-sinh-tai-xa",
            "khai-tu-tai-xa",
            "khai-sinh-buu-dien",
            "khai-sinh-hoi-trung-tam",
        },
    )


def test_starts_with_the_procedure():
    assert W.start == "thu-tuc"


# thu-tuc


@pytest.mark.parametrize("procedure", [p for p in PROCEDURES if p != "khai-sinh"])
def test_every_other_procedure_asks_about_vneid_next(procedure):
    assert_next_node(W, "vneid", for_response=procedure, at="thu-tuc")


def test_a_birth_first_asks_whether_it_is_the_usual_case():
    assert_next_node(W, "khai-sinh-thuong", for_response="khai-sinh", at="thu-tuc")


def test_a_usual_birth_goes_on_to_vneid():
    assert_next_node(W, "vneid", for_response="dung", at="khai-sinh-thuong", after={"thu-tuc": "khai-sinh"})


def test_any_other_birth_asks_the_centre_never_the_online_bundle():
    assert_next_node(
        W, "khai-sinh-hoi-trung-tam", for_response="khac", at="khai-sinh-thuong", after={"thu-tuc": "khai-sinh"}
    )


# vneid: level 2 goes on to the device; otherwise the procedure decides


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_level_2_asks_about_a_device_whatever_the_procedure(procedure):
    assert_next_node(W, "thiet-bi", for_response="muc-2", at="vneid", after=begun(procedure))


@pytest.mark.parametrize(
    "procedure, expected",
    [
        ("cu-tru", "cong-an-xa"),
        ("ket-hon", "ket-hon-tai-xa"),
        ("khai-sinh", "di-lai"),
        ("khai-tu", "di-lai"),
        ("chung-thuc", "di-lai"),
        ("khac", "di-lai"),
    ],
)
@pytest.mark.parametrize("level", ["muc-1", "chua-co"])
def test_without_level_2_the_procedure_decides(level, procedure, expected):
    assert_next_node(W, expected, for_response=level, at="vneid", after=begun(procedure))


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
    assert_next_node(W, expected, for_response="co", at="thiet-bi", after={**begun(procedure), "vneid": "muc-2"})


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_no_device_asks_whether_someone_can_help(procedure):
    assert_next_node(W, "nguoi-giup", for_response="khong", at="thiet-bi", after={**begun(procedure), "vneid": "muc-2"})


# nguoi-giup: a helper counts as a device; without one, the same split as vneid without level 2


@pytest.mark.parametrize("procedure, expected", ONLINE_OUTCOME)
def test_a_helper_leads_to_the_procedures_online_outcome(procedure, expected):
    after = {**begun(procedure), "vneid": "muc-2", "thiet-bi": "khong"}
    assert_next_node(W, expected, for_response="co", at="nguoi-giup", after=after)


@pytest.mark.parametrize(
    "procedure, expected",
    [
        ("cu-tru", "cong-an-xa"),
        ("ket-hon", "ket-hon-tai-xa"),
        ("khai-sinh", "di-lai"),
        ("khai-tu", "di-lai"),
        ("chung-thuc", "di-lai"),
        ("khac", "di-lai"),
    ],
)
def test_no_helper_the_procedure_decides(procedure, expected):
    after = {**begun(procedure), "vneid": "muc-2", "thiet-bi": "khong"}
    assert_next_node(W, expected, for_response="khong", at="nguoi-giup", after=after)


# di-lai: reached with level 2 (no device, no helper) or without it. Hard to travel: the post (a birth's
# own postal plan). Able to travel: birth and death go to the centre with their deadline; otherwise the
# VNeID answer decides.


def with_level_2(procedure):
    return {**begun(procedure), "vneid": "muc-2", "thiet-bi": "khong", "nguoi-giup": "khong"}


def without_level_2(procedure, level="chua-co"):
    return {**begun(procedure), "vneid": level}


DI_LAI_PROCEDURES = ["khai-sinh", "khai-tu", "chung-thuc", "khac"]  # cu-tru and ket-hon never reach it


@pytest.mark.parametrize("procedure", DI_LAI_PROCEDURES)
@pytest.mark.parametrize("level", ["muc-2", "muc-1", "chua-co"])
def test_hard_to_travel_leads_to_the_post(level, procedure):
    after = with_level_2(procedure) if level == "muc-2" else without_level_2(procedure, level)
    expected = "khai-sinh-buu-dien" if procedure == "khai-sinh" else "buu-dien"
    assert_next_node(W, expected, for_response="kho", at="di-lai", after=after)


@pytest.mark.parametrize(
    "procedure, level, expected",
    [
        ("khai-sinh", "muc-2", "khai-sinh-tai-xa"),
        ("khai-sinh", "muc-1", "khai-sinh-tai-xa"),
        ("khai-sinh", "chua-co", "khai-sinh-tai-xa"),
        ("khai-tu", "muc-2", "khai-tu-tai-xa"),
        ("khai-tu", "muc-1", "khai-tu-tai-xa"),
        ("khai-tu", "chua-co", "khai-tu-tai-xa"),
        ("chung-thuc", "muc-2", "mot-cua-co-ho-tro"),
        ("chung-thuc", "muc-1", "thoi-gian"),
        ("chung-thuc", "chua-co", "thoi-gian"),
        ("khac", "muc-2", "mot-cua-co-ho-tro"),
        ("khac", "muc-1", "thoi-gian"),
        ("khac", "chua-co", "thoi-gian"),
    ],
)
def test_able_to_travel_the_procedure_then_the_vneid_level_decide(procedure, level, expected):
    after = with_level_2(procedure) if level == "muc-2" else without_level_2(procedure, level)
    assert_next_node(W, expected, for_response="duoc", at="di-lai", after=after)


# thoi-gian: only for procedures without a deadline in the fact sheet (chung-thuc, khac)


@pytest.mark.parametrize("procedure", ["chung-thuc", "khac"])
def test_needing_to_submit_now_goes_to_the_centre(procedure):
    after = {**without_level_2(procedure), "di-lai": "duoc"}
    assert_next_node(W, "mot-cua-co-ho-tro", for_response="gap", at="thoi-gian", after=after)


@pytest.mark.parametrize("procedure", ["chung-thuc", "khac"])
def test_able_to_wait_is_asked_about_a_device_before_any_vneid_advice(procedure):
    after = {**without_level_2(procedure, "muc-1"), "di-lai": "duoc"}
    assert_next_node(W, "thiet-bi", for_response="khong-gap", at="thoi-gian", after=after)


@pytest.mark.parametrize("procedure", ["chung-thuc", "khac"])
@pytest.mark.parametrize("level", ["muc-1", "chua-co"])
def test_with_a_device_get_vneid_level_2_first(procedure, level):
    after = {**without_level_2(procedure, level), "di-lai": "duoc", "thoi-gian": "khong-gap"}
    assert_next_node(W, "vneid-truoc", for_response="co", at="thiet-bi", after=after)


@pytest.mark.parametrize("procedure", ["chung-thuc", "khac"])
@pytest.mark.parametrize("level", ["muc-1", "chua-co"])
def test_without_a_device_the_centre_not_get_vneid(procedure, level):
    after = {**without_level_2(procedure, level), "di-lai": "duoc", "thoi-gian": "khong-gap"}
    assert_next_node(W, "mot-cua-co-ho-tro", for_response="khong", at="thiet-bi", after=after)


def test_birth_and_death_are_never_asked_whether_they_are_in_a_hurry():
    # a thoi-gian answer carried in the link does not turn a birth into a question about time
    after = {**without_level_2("khai-sinh"), "thoi-gian": "khong-gap"}
    assert_next_node(W, "khai-sinh-tai-xa", for_response="duoc", at="di-lai", after=after)


def test_marriage_without_level_2_is_never_asked_about_travel():
    after = {"thu-tuc": "ket-hon", "di-lai": "kho"}
    assert_next_node(W, "ket-hon-tai-xa", for_response="muc-1", at="vneid", after=after)


def test_an_answer_off_the_path_is_ignored():
    # di-lai is never asked on the level-2-and-device path: answering it changes nothing
    after = {**begun("khai-sinh"), "vneid": "muc-2", "di-lai": "kho"}
    assert_next_node(W, "lien-thong", for_response="co", at="thiet-bi", after=after)

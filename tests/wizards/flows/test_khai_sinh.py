"""khai-sinh ("Birth registration"), node by node; expected nodes typed from the YAML."""

import pytest

from .helpers import assert_next_node, shape, wizard

W = wizard("khai-sinh")


def test_the_nodes_are_the_ones_these_tests_know():
    assert shape(W) == (
        {
            "dung-han": ["trong-60-ngay", "qua-60-ngay"],
            "noi-sinh": ["viet-nam", "nuoc-ngoai"],
            "cha-me": ["da-ket-hon", "chua-ket-hon"],
            "nguoi-khai": ["cha-me", "nguoi-than"],
            "vneid": ["muc-2", "muc-1", "chua-co"],
            "thiet-bi": ["co", "khong"],
            "nguoi-giup": ["co", "khong"],
            "di-lai": ["duoc", "kho"],
        },
        {
            "lien-thong-truc-tuyen",
            "tai-trung-tam",
            "nguoi-than-tai-trung-tam",
            "qua-buu-dien",
            "nguoi-than-qua-buu-dien",
            "cha-me-chua-ket-hon",
            "dang-ky-muon",
            "sinh-o-nuoc-ngoai",
        },
    )


def test_starts_with_how_long_ago_the_baby_was_born():
    assert W.start == "dung-han"


@pytest.mark.parametrize("age", ["trong-60-ngay", "qua-60-ngay"])
def test_both_ages_ask_where_the_baby_was_born(age):
    assert_next_node(W, "noi-sinh", for_response=age, at="dung-han")


# noi-sinh: abroad wins over late; in Vietnam the 60 days decide


@pytest.mark.parametrize("age", ["trong-60-ngay", "qua-60-ngay"])
def test_born_abroad_asks_the_centre_whatever_the_age(age):
    assert_next_node(W, "sinh-o-nuoc-ngoai", for_response="nuoc-ngoai", at="noi-sinh", after={"dung-han": age})


def test_born_in_vietnam_on_time_asks_about_the_parents():
    assert_next_node(W, "cha-me", for_response="viet-nam", at="noi-sinh", after={"dung-han": "trong-60-ngay"})


def test_born_in_vietnam_late_says_register_late():
    assert_next_node(W, "dang-ky-muon", for_response="viet-nam", at="noi-sinh", after={"dung-han": "qua-60-ngay"})


# cha-me

ON_TIME_IN_VIETNAM = {"dung-han": "trong-60-ngay", "noi-sinh": "viet-nam"}


def test_married_parents_ask_who_registers():
    assert_next_node(W, "nguoi-khai", for_response="da-ket-hon", at="cha-me", after=ON_TIME_IN_VIETNAM)


def test_unmarried_parents_check_the_documents_with_the_centre():
    assert_next_node(W, "cha-me-chua-ket-hon", for_response="chua-ket-hon", at="cha-me", after=ON_TIME_IN_VIETNAM)


# nguoi-khai: the parents, or a relative in their own right; both go on to VNeID

MARRIED = {**ON_TIME_IN_VIETNAM, "cha-me": "da-ket-hon"}


@pytest.mark.parametrize("who", ["cha-me", "nguoi-than"])
def test_whoever_registers_is_asked_about_vneid(who):
    assert_next_node(W, "vneid", for_response=who, at="nguoi-khai", after=MARRIED)


# vneid: level 2 asks about a device; without it, whether the person can travel


def test_level_2_asks_about_a_device():
    assert_next_node(W, "thiet-bi", for_response="muc-2", at="vneid", after={**MARRIED, "nguoi-khai": "cha-me"})


@pytest.mark.parametrize("level", ["muc-1", "chua-co"])
def test_without_level_2_asks_whether_the_person_can_travel(level):
    assert_next_node(W, "di-lai", for_response=level, at="vneid", after={**MARRIED, "nguoi-khai": "cha-me"})


# thiet-bi, nguoi-giup: a device or a helper means online


@pytest.mark.parametrize("who", ["cha-me", "nguoi-than"])
def test_a_device_means_the_bundle_online(who):
    after = {**MARRIED, "nguoi-khai": who, "vneid": "muc-2"}
    assert_next_node(W, "lien-thong-truc-tuyen", for_response="co", at="thiet-bi", after=after)
    assert_next_node(W, "nguoi-giup", for_response="khong", at="thiet-bi", after=after)


def test_a_helper_means_the_bundle_online_and_none_asks_about_travel():
    after = {**MARRIED, "nguoi-khai": "cha-me", "vneid": "muc-2", "thiet-bi": "khong"}
    assert_next_node(W, "lien-thong-truc-tuyen", for_response="co", at="nguoi-giup", after=after)
    assert_next_node(W, "di-lai", for_response="khong", at="nguoi-giup", after=after)


# di-lai: able to travel, the centre; not, the post; a relative gets the plan with no authorisation


@pytest.mark.parametrize(
    "who, travel, expected",
    [
        ("cha-me", "duoc", "tai-trung-tam"),
        ("cha-me", "kho", "qua-buu-dien"),
        ("nguoi-than", "duoc", "nguoi-than-tai-trung-tam"),
        ("nguoi-than", "kho", "nguoi-than-qua-buu-dien"),
    ],
)
@pytest.mark.parametrize("level", ["muc-2", "muc-1", "chua-co"])
def test_travel_and_who_register_pick_the_plan(level, who, travel, expected):
    after = {**MARRIED, "nguoi-khai": who, "vneid": level}
    if level == "muc-2":
        after |= {"thiet-bi": "khong", "nguoi-giup": "khong"}
    assert_next_node(W, expected, for_response=travel, at="di-lai", after=after)


def test_a_late_birth_never_asks_about_the_parents():
    after = {"dung-han": "qua-60-ngay", "cha-me": "da-ket-hon"}
    assert_next_node(W, "dang-ky-muon", for_response="viet-nam", at="noi-sinh", after=after)

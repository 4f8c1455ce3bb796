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
            "nguoi-khai": ["cha-me", "nguoi-khac"],
            "vneid": ["muc-2", "muc-1", "chua-co"],
        },
        {
            "lien-thong-truc-tuyen",
            "tai-trung-tam",
            "lam-thay",
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


# nguoi-khai: a parent goes on to VNeID; someone else gets the authorisation plan

MARRIED = {**ON_TIME_IN_VIETNAM, "cha-me": "da-ket-hon"}


def test_a_parent_registering_asks_about_vneid():
    assert_next_node(W, "vneid", for_response="cha-me", at="nguoi-khai", after=MARRIED)


def test_someone_else_registering_gets_the_authorisation_plan():
    assert_next_node(W, "lam-thay", for_response="nguoi-khac", at="nguoi-khai", after=MARRIED)


def test_someone_else_is_not_asked_about_vneid():
    # a VNeID answer in the link does not change the plan for someone acting for the parents
    after = {**MARRIED, "vneid": "muc-2"}
    assert_next_node(W, "lam-thay", for_response="nguoi-khac", at="nguoi-khai", after=after)


# vneid


@pytest.mark.parametrize(
    "level, expected",
    [("muc-2", "lien-thong-truc-tuyen"), ("muc-1", "tai-trung-tam"), ("chua-co", "tai-trung-tam")],
)
def test_the_vneid_level_picks_online_or_the_centre(level, expected):
    after = {**MARRIED, "nguoi-khai": "cha-me"}
    assert_next_node(W, expected, for_response=level, at="vneid", after=after)


def test_a_late_birth_never_asks_about_the_parents():
    after = {"dung-han": "qua-60-ngay", "cha-me": "da-ket-hon"}
    assert_next_node(W, "dang-ky-muon", for_response="viet-nam", at="noi-sinh", after=after)

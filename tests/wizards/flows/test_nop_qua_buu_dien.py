"""nop-qua-buu-dien ("Submit by post"), node by node; expected nodes typed from the YAML."""

import pytest

from .helpers import assert_next_node, shape, wizard

W = wizard("nop-qua-buu-dien")
SENDING = ["gui-ho-so", "ca-hai"]


def test_the_nodes_are_the_ones_these_tests_know():
    assert shape(W) == (
        {
            "hinh-thuc": ["gui-ho-so", "nhan-ket-qua", "ca-hai"],
            "thu-tuc-nhan": ["co", "khong", "chua-biet"],
            "danh-sach": ["co", "chua"],
            "noi-giao": ["tai-nha", "buu-cuc"],
            "da-nop": ["chua", "roi"],
        },
        {
            "gui-ho-so-tai-nha",
            "gui-ho-so-tai-buu-cuc",
            "ca-hai-tai-nha",
            "ca-hai-tai-buu-cuc",
            "nhan-ket-qua",
            "nhan-ket-qua-da-nop",
            "tim-danh-sach",
            "khong-qua-buu-dien",
            "xem-thu-tuc",
        },
    )


def test_starts_with_what_the_post_should_do():
    assert W.start == "hinh-thuc"


# hinh-thuc


@pytest.mark.parametrize("form", SENDING)
def test_sending_a_dossier_asks_whether_the_procedure_accepts_post(form):
    assert_next_node(W, "thu-tuc-nhan", for_response=form, at="hinh-thuc")


def test_only_the_result_asks_whether_already_submitted():
    assert_next_node(W, "da-nop", for_response="nhan-ket-qua", at="hinh-thuc")


# thu-tuc-nhan: only a "yes" goes on to plan the sending


@pytest.mark.parametrize("form", SENDING)
def test_a_procedure_open_to_post_asks_for_the_list_of_documents(form):
    assert_next_node(W, "danh-sach", for_response="co", at="thu-tuc-nhan", after={"hinh-thuc": form})


@pytest.mark.parametrize("form", SENDING)
def test_a_procedure_closed_to_post_says_submit_online_or_at_the_commune(form):
    assert_next_node(W, "khong-qua-buu-dien", for_response="khong", at="thu-tuc-nhan", after={"hinh-thuc": form})


@pytest.mark.parametrize("form", SENDING)
def test_not_knowing_says_check_the_procedure_first(form):
    assert_next_node(W, "xem-thu-tuc", for_response="chua-biet", at="thu-tuc-nhan", after={"hinh-thuc": form})


# danh-sach


@pytest.mark.parametrize("form", SENDING)
def test_with_the_list_asks_where_to_hand_over(form):
    after = {"hinh-thuc": form, "thu-tuc-nhan": "co"}
    assert_next_node(W, "noi-giao", for_response="co", at="danh-sach", after=after)


@pytest.mark.parametrize("form", SENDING)
def test_without_the_list_says_find_it_first(form):
    after = {"hinh-thuc": form, "thu-tuc-nhan": "co"}
    assert_next_node(W, "tim-danh-sach", for_response="chua", at="danh-sach", after=after)


# noi-giao: the form chosen at the first question picks the outcome


@pytest.mark.parametrize(
    "form, place, expected",
    [
        ("gui-ho-so", "tai-nha", "gui-ho-so-tai-nha"),
        ("gui-ho-so", "buu-cuc", "gui-ho-so-tai-buu-cuc"),
        ("ca-hai", "tai-nha", "ca-hai-tai-nha"),
        ("ca-hai", "buu-cuc", "ca-hai-tai-buu-cuc"),
    ],
)
def test_the_place_and_the_form_pick_the_outcome(form, place, expected):
    after = {"hinh-thuc": form, "thu-tuc-nhan": "co", "danh-sach": "co"}
    assert_next_node(W, expected, for_response=place, at="noi-giao", after=after)


def test_no_send_outcome_without_a_yes_to_post():
    # answers further on do not matter once the procedure is closed to post
    after = {"hinh-thuc": "gui-ho-so", "danh-sach": "co", "noi-giao": "tai-nha"}
    assert_next_node(W, "khong-qua-buu-dien", for_response="khong", at="thu-tuc-nhan", after=after)


# da-nop


def test_not_yet_submitted_says_choose_post_when_submitting():
    assert_next_node(W, "nhan-ket-qua", for_response="chua", at="da-nop", after={"hinh-thuc": "nhan-ket-qua"})


def test_already_submitted_says_ask_where_you_submitted():
    assert_next_node(W, "nhan-ket-qua-da-nop", for_response="roi", at="da-nop", after={"hinh-thuc": "nhan-ket-qua"})

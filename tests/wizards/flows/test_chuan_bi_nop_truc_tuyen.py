"""chuan-bi-nop-truc-tuyen ("Get ready to submit online"), node by node; expected nodes typed from
the YAML."""

import pytest

from .helpers import assert_next_node, shape, wizard

W = wizard("chuan-bi-nop-truc-tuyen")


def test_the_nodes_are_the_ones_these_tests_know():
    assert shape(W) == (
        {
            "vneid": ["muc-2", "muc-1", "chua-co"],
            "giay-to": ["da-co", "tu-lam", "can-giup"],
            "thanh-toan": ["co", "khong", "mien-phi"],
        },
        {"san-sang", "can-vneid-muc-2", "can-giup", "can-vneid-va-giup"},
    )


def test_starts_with_the_vneid_level():
    assert W.start == "vneid"


@pytest.mark.parametrize("level", ["muc-2", "muc-1", "chua-co"])
def test_every_level_asks_about_documents(level):
    assert_next_node(W, "giay-to", for_response=level, at="vneid")


@pytest.mark.parametrize("documents", ["da-co", "tu-lam", "can-giup"])
@pytest.mark.parametrize("level", ["muc-2", "muc-1", "chua-co"])
def test_every_documents_answer_asks_about_paying(level, documents):
    assert_next_node(W, "thanh-toan", for_response=documents, at="giay-to", after={"vneid": level})


# thanh-toan: the outcome rests on all three answers; every combination, typed out


@pytest.mark.parametrize(
    "level, documents, paying, expected",
    [
        ("muc-2", "da-co", "co", "san-sang"),
        ("muc-2", "da-co", "khong", "can-giup"),
        ("muc-2", "da-co", "mien-phi", "san-sang"),
        ("muc-2", "tu-lam", "co", "san-sang"),
        ("muc-2", "tu-lam", "khong", "can-giup"),
        ("muc-2", "tu-lam", "mien-phi", "san-sang"),
        ("muc-2", "can-giup", "co", "can-giup"),
        ("muc-2", "can-giup", "khong", "can-giup"),
        ("muc-2", "can-giup", "mien-phi", "can-giup"),
        ("muc-1", "da-co", "co", "can-vneid-muc-2"),
        ("muc-1", "da-co", "khong", "can-vneid-va-giup"),
        ("muc-1", "da-co", "mien-phi", "can-vneid-muc-2"),
        ("muc-1", "tu-lam", "co", "can-vneid-muc-2"),
        ("muc-1", "tu-lam", "khong", "can-vneid-va-giup"),
        ("muc-1", "tu-lam", "mien-phi", "can-vneid-muc-2"),
        ("muc-1", "can-giup", "co", "can-vneid-va-giup"),
        ("muc-1", "can-giup", "khong", "can-vneid-va-giup"),
        ("muc-1", "can-giup", "mien-phi", "can-vneid-va-giup"),
        ("chua-co", "da-co", "co", "can-vneid-muc-2"),
        ("chua-co", "da-co", "khong", "can-vneid-va-giup"),
        ("chua-co", "da-co", "mien-phi", "can-vneid-muc-2"),
        ("chua-co", "tu-lam", "co", "can-vneid-muc-2"),
        ("chua-co", "tu-lam", "khong", "can-vneid-va-giup"),
        ("chua-co", "tu-lam", "mien-phi", "can-vneid-muc-2"),
        ("chua-co", "can-giup", "co", "can-vneid-va-giup"),
        ("chua-co", "can-giup", "khong", "can-vneid-va-giup"),
        ("chua-co", "can-giup", "mien-phi", "can-vneid-va-giup"),
    ],
)
def test_paying_with_the_earlier_answers_picks_the_outcome(level, documents, paying, expected):
    assert_next_node(W, expected, for_response=paying, at="thanh-toan", after={"vneid": level, "giay-to": documents})

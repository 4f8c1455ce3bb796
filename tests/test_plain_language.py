"""The plain-language check on small examples, without Flask: what must warn and what must not."""

from guide.content.plain_language import (
    check,
    empty_sections,
    english_syllables,
    long_sentences,
    syllables,
    unexplained_acronyms,
)

FRONT = "---\ntitle: T\nsummary: S\n---\n"


def lines(findings):
    return [finding.line for finding in findings]


def test_vietnamese_syllables_are_space_separated_words():
    assert syllables("Bạn gửi hồ sơ qua bưu điện.", "vi") == 7
    assert syllables("Lệ phí là 10.000 đồng — hỏi xã.", "vi") == 7


def test_english_syllables_by_vowel_groups():
    assert english_syllables("the") == 1
    assert english_syllables("make") == 1
    assert english_syllables("people") == 2
    assert english_syllables("registration") == 4
    assert english_syllables("Trung") == english_syllables("tâm") == english_syllables("người") == 1
    assert english_syllables("2024") == 1
    assert syllables("It costs 10,000 dong.", "en") == 4


def test_a_long_sentence_warns_with_its_file_line():
    long_vi = " ".join(["chữ"] * 26) + "."
    source = FRONT + "\nMở đầu ngắn.\n\n" + long_vi + "\n"
    found = long_sentences(source, "vi")
    assert lines(found) == [8]
    assert "26 syllables" in found[0].message


def test_short_sentences_and_what_is_not_prose_do_not_warn():
    words = " ".join(["chữ"] * 20)
    source = (
        FRONT
        + f"## {' '.join(['tiêu'] * 30)}\n\n"  # a heading
        + f"{words}. {words}.\n\n"  # two sentences of 20, on one line
        + f"- {words} [liên kết](/huong-dan/a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p?q=r&s=t#u-v-w-x-y-z).\n"  # URL left out
        + f"![{' '.join(['mô tả'] * 30)}](/static/img/x.svg)\n\n"  # alt text is markup
        + "```\n"
        + " ".join(["code"] * 40)
        + "\n```\n"
        + f"Số 10.000 đồng và 1/7/2025 không cắt câu: {' '.join(['chữ'] * 10)}.\n"
    )
    assert long_sentences(source, "vi") == []


def test_a_paragraph_over_two_lines_is_one_sentence_and_a_list_item_its_own():
    half = " ".join(["word"] * 14)
    joined = FRONT + f"\n{half}\n{half}.\n"
    assert lines(long_sentences(joined, "en")) == [6]
    items = FRONT + f"\n- {half}\n- {half}.\n"
    assert long_sentences(items, "en") == []


def test_english_counts_syllables_not_words():
    sentence = "Registration certificates identify individuals electronically immediately."  # 6 words, 27 syllables
    assert syllables(sentence, "en") > 25
    assert lines(long_sentences(FRONT + sentence + "\n", "en")) == [5]


def test_an_acronym_used_before_it_is_spelled_out_warns_once():
    source = FRONT + "Hỏi UBND xã.\n\nUBND xã trả lời.\n"
    found = unexplained_acronyms(source, "vi")
    assert lines(found) == [5]
    assert "UBND" in found[0].message


def test_acronyms_spelled_out_do_not_warn():
    source = (
        FRONT
        + "Dịch vụ bưu chính công ích (BCCI) do bưu điện làm.\n\n"  # defined in a parenthesis
        + "Ủy ban nhân dân xã nhận hồ sơ. Sau đó UBND trả lời.\n\n"  # the full words earlier
        + "Thẻ BHYT (bảo hiểm y tế) cho trẻ.\n\n"  # followed by its expansion
        + "The citizen identity card (*căn cước công dân*, CCCD) is replaced.\n"  # inside a parenthesis
    )
    assert unexplained_acronyms(source, "vi") == []


def test_names_document_numbers_and_allowed_words_are_not_acronyms():
    source = FRONT + (
        "Đăng nhập VNeID, gửi qua VNPost, quét mã QR, tải PDF, nhận SMS. "
        "Theo Quyết định 45/2016/QĐ-TTg và Nghị định 69/2024/NĐ-CP.\n"
    )
    assert unexplained_acronyms(source, "vi") == []


def test_acronyms_in_front_matter_are_not_the_page():
    assert unexplained_acronyms("---\ntitle: UBND\n---\nỦy ban nhân dân (UBND).\n", "vi") == []


def test_an_empty_cost_or_time_section_warns():
    source = FRONT + "## Xem chi phí\n\n## Xem mất bao lâu {#thoi-gian}\n\n\n## Khác\n\nChữ.\n"
    assert lines(empty_sections(source, "vi")) == [5, 7]
    english = FRONT + "## Check the cost\n## How long it takes\n"
    assert lines(empty_sections(english, "en")) == [5, 6]


def test_a_cost_section_with_text_or_subsections_does_not_warn():
    source = FRONT + (
        "## Xem chi phí\n\nMiễn phí khi đúng hạn.\n\n"
        "## What it costs\n\n### Online\n\nFree in Đắk Lắk, maybe.\n\n"
        "## Chi tiết khác\n\n"  # not a cost or time heading: may be empty
    )
    assert empty_sections(source, "vi") == []


def test_check_gathers_everything_in_line_order():
    source = FRONT + "## Lệ phí\n\n## Hỏi\n\nHỏi TTHC.\n"
    found = check(source, "vi")
    assert lines(found) == [5, 9]

from guide.text import fold, fold_with_positions, slugify


def test_fold_removes_every_vietnamese_mark_and_d_stroke():
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert fold("HỘ KHẨU đường") == "ho khau duong"
    assert fold("Nguyễn Thị Ánh") == "nguyen thi anh"


def test_slugify_makes_stable_ascii_anchors():
    assert slugify("Bước 2: Chụp ảnh giấy tờ") == "buoc-2-chup-anh-giay-to"
    assert slugify("  Đắk Lắk —  Krông Ana ") == "dak-lak-krong-ana"


def test_folded_positions_point_back_into_the_original():
    original = "Đăng ký hộ khẩu"
    folded, origin = fold_with_positions(original)
    at = folded.index("khau")
    assert original[origin[at] : origin[at + 3] + 1] == "khẩu"

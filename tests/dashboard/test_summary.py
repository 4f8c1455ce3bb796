"""The province page says first what to do this month: the province's online share against the
target, the communes below it (farthest first), those with no figures, where to start and why."""

from ..conftest import check_page
from .conftest import LAST_MONTH
from .test_judgement import csrf_token


def import_dossiers(app, tmp_path, lines: str):
    path = tmp_path / "dossiers.csv"
    path.write_text("commune,month,received,online,postal\n" + lines, encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["dossiers", "import", str(path)]).exit_code == 0


def summary_of(client):
    soup = check_page(client.get("/thong-ke/").get_data(as_text=True), "province summary")
    return soup.select_one("section.summary")


def test_the_summary_names_the_communes_below_target_and_those_without_figures(
    district_client, dashboard_app, tmp_path
):
    import_dossiers(
        dashboard_app, tmp_path, f"ea-na,{LAST_MONTH:%Y-%m},100,10,5\ndur-kmal,{LAST_MONTH:%Y-%m},100,40,5\n"
    )
    before = summary_of(district_client)
    assert "Chưa đặt mục tiêu." in before.get_text(" ", strip=True)
    assert not before.find(string=lambda text: "dưới mục tiêu" in text)  # no target: no commune is below it

    token = csrf_token(district_client, "/thong-ke/")
    district_client.post("/thong-ke/muc-tieu", data={"csrf_token": token, "commune": "", "percent": "30"})
    said = summary_of(district_client)
    text = " ".join(said.get_text(" ").split())
    assert f"Tóm tắt tháng {LAST_MONTH:%m/%Y}" in text
    assert "Toàn tỉnh: 25% hồ sơ nộp trực tuyến. Thấp hơn mục tiêu 30% là 5 điểm." in text  # 50 of 200
    assert "2 / 3 xã có số liệu tháng này." in text
    assert said.find(role="status").get_text(strip=True) == "Đã lưu mục tiêu: 30% nộp trực tuyến cho mọi xã."
    assert said.select_one("#target-percent")["value"] == "30"  # the form beside it
    below, start_with = said.select("ol.summary-list")
    assert [li.get_text(" ", strip=True) for li in below.find_all("li")] == [
        "Ea Na : 10% trực tuyến, còn thiếu 20 điểm"
    ]
    assert below.a["href"] == "/thong-ke/xa/ea-na"
    assert said.find("a", string="Krông Ana")["href"] == "/thong-ke/xa/krong-ana"  # no figures this month
    assert "1 xã chưa có số liệu tháng này" in text
    assert start_with.a.get_text() == "Ea Na" and "thấp hơn mục tiêu" in start_with.get_text()
    assert not summary_of(district_client).find(role="status")  # the confirmation is said once

    report = check_page(district_client.get("/thong-ke/xa/ea-na/bao-cao").get_data(as_text=True), "report")
    assert report.find(string=lambda text: text.startswith("Dưới mục tiêu: tại quầy"))  # the advice follows the target


def test_saving_a_communes_own_target_is_confirmed_on_its_page(district_client):
    token = csrf_token(district_client, "/thong-ke/")
    answer = district_client.post("/thong-ke/muc-tieu", data={"csrf_token": token, "commune": "ea-na", "percent": "25"})
    page = check_page(district_client.get(answer.headers["Location"]).get_data(as_text=True), "commune target")
    assert page.find(role="status").get_text(strip=True) == "Đã lưu mục tiêu: 25% nộp trực tuyến cho Ea Na."
    answer = district_client.post("/thong-ke/muc-tieu", data={"csrf_token": token, "commune": "ea-na", "percent": ""})
    page = check_page(district_client.get(answer.headers["Location"]).get_data(as_text=True), "commune target")
    assert (
        page.find(role="status").get_text(strip=True) == "Đã bỏ mục tiêu riêng: Ea Na theo mục tiêu chung của mọi xã."
    )


def test_with_no_figures_uploaded_the_summary_says_so(district_client):
    text = " ".join(summary_of(district_client).get_text(" ").split())
    assert f"Chưa có số liệu hồ sơ tháng {LAST_MONTH:%m/%Y}." in text and "0 / 3 xã có số liệu tháng này." in text

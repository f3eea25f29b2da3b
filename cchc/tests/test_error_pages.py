def test_missing_pages_answer_in_vietnamese(personas):
    response = personas.client("secretariat").get("/units/999999/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_forbidden_pages_answer_in_vietnamese(personas):
    response = personas.client("focal_a").get("/audit/")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_oversized_form_posts_get_a_clear_message_not_a_crash(personas, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = personas.client("secretariat")
    response = client.post("/accounts/profile/tokens/", {f"f{i}": "x" for i in range(50)})
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_opening_an_address_that_only_takes_a_form_shows_a_vietnamese_page_with_a_way_back(personas):
    client = personas.client("secretariat")
    response = client.get("/accounts/profile/tokens/", HTTP_REFERER="http://testserver/accounts/profile/")
    assert response.status_code == 405
    page = response.content.decode()
    assert "Trang chỉ nhận biểu mẫu gửi lên" in page
    assert 'href="http://testserver/accounts/profile/"' in page
    assert "POST" in response["Allow"]


def test_a_foreign_referer_is_not_offered_as_the_way_back(personas):
    client = personas.client("secretariat")
    response = client.get("/accounts/profile/tokens/", HTTP_REFERER="https://example.org/phishing")
    assert response.status_code == 405
    assert "example.org" not in response.content.decode()


def test_the_api_keeps_its_own_answer_for_a_wrong_method(personas):
    response = personas.client("secretariat").delete("/api/units/")
    assert response.status_code in (401, 405)
    assert "Trang chỉ nhận biểu mẫu" not in response.content.decode()


def test_the_language_switch_on_a_page_answering_a_form_goes_back_by_referer_not_to_the_form_address(personas):
    client = personas.client("secretariat")
    shown = client.get("/accounts/password/").content.decode()
    assert 'name="next" type="hidden" value="/accounts/password/"' in shown
    failed = client.post("/accounts/password/", {"old_password": "sai", "new_password1": "a", "new_password2": "b"})
    assert failed.status_code == 200
    assert 'name="next"' not in failed.content.decode()


def test_the_profile_shows_the_api_header_with_its_placeholder_visible(personas):
    page = personas.client("secretariat").get("/accounts/profile/").content.decode()
    assert "Authorization: Bearer &lt;mã&gt;." in page


def test_the_server_error_page_speaks_only_vietnamese():
    from pathlib import Path

    import cchc

    page = (Path(cchc.__file__).parent / "templates" / "500.html").read_text(encoding="utf-8")
    assert "A server error" not in page and 'lang="en"' not in page


def test_pages_name_their_own_icon_so_browsers_do_not_ask_for_a_missing_one(personas):
    page = personas.client("secretariat").get("/").content.decode()
    assert 'rel="icon"' in page and "cchc/favicon" in page

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

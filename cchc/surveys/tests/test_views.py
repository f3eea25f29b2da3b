"""Questionnaire pages through HTTP: who sees and changes what, versioning, XLSForm uploads and downloads."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cchc.surveys.models import Questionnaire, QuestionnaireVersion, VersionState
from cchc.surveys.selectors import spec_of
from cchc.surveys.templates_catalogue import ensure_templates
from cchc.surveys.xlsform import export_xlsform
from cchc.testing.files import pdf_bytes, xlsx_bytes
from cchc.testing.personas import Personas

from .factories import make_questionnaire
from .test_xlsform import workbook

READERS = ("admin", "secretariat", "leader", "focal_a", "focal_b", "appraiser", "supervisor")
MANAGERS = ("admin", "secretariat")
READ_ONLY = ("leader", "focal_a", "focal_b", "appraiser", "supervisor")


def _detail(questionnaire: Questionnaire) -> str:
    return reverse("surveys:questionnaire_detail", args=[questionnaire.pk])


@pytest.fixture
def published(personas: Personas) -> Questionnaire:
    return make_questionnaire(personas.province, code="tinh-quay", publish=True)


@pytest.fixture
def draft(personas: Personas) -> Questionnaire:
    return make_questionnaire(personas.province, code="tinh-nhap")


@pytest.mark.parametrize("name", READERS)
def test_every_role_reads_the_list_and_a_published_questionnaire_as_a_form_preview(
    personas: Personas, published: Questionnaire, name: str
) -> None:
    client = personas.client(name)
    listing = client.get(reverse("surveys:questionnaire_list"))
    assert listing.status_code == 200 and published.title in listing.content.decode()
    assert f'href="{reverse("surveys:questionnaire_list")}"' in listing.content.decode()  # the menu entry "Khảo sát"
    page = client.get(_detail(published)).content.decode()
    assert "Ông/bà hài lòng không?" in page and "Rất không hài lòng" in page
    assert "Chỉ hiện khi câu 1 được trả lời “Rất không hài lòng”" in page
    assert ("Sửa nội dung (tạo phiên bản mới)" in page) == (name in MANAGERS)
    assert client.get(reverse("surveys:xlsform_export", args=[published.pk, 1])).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(personas: Personas, published: Questionnaire) -> None:
    for url in (reverse("surveys:questionnaire_list"), _detail(published)):
        response = personas.client("anonymous").get(url)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("name", READ_ONLY)
def test_drafts_are_hidden_from_readers(personas: Personas, draft: Questionnaire, name: str) -> None:
    client = personas.client(name)
    assert client.get(_detail(draft)).status_code == 404
    assert draft.title not in client.get(reverse("surveys:questionnaire_list")).content.decode()


@pytest.mark.parametrize("name", MANAGERS)
def test_managers_see_and_edit_their_drafts(personas: Personas, draft: Questionnaire, name: str) -> None:
    page = personas.client(name).get(_detail(draft)).content.decode()
    assert "+ Thêm phần" in page and "Ban hành" in page


@pytest.mark.parametrize("name", READ_ONLY)
def test_readers_cannot_reach_the_management_pages(personas: Personas, published: Questionnaire, name: str) -> None:
    client = personas.client(name)
    assert client.get(reverse("surveys:questionnaire_create")).status_code == 403
    assert client.get(reverse("surveys:xlsform_import")).status_code == 403
    assert client.get(reverse("surveys:questionnaire_edit", args=[published.pk])).status_code == 403
    assert client.post(reverse("surveys:version_new", args=[published.pk])).status_code == 403
    assert client.get(reverse("surveys:version_close", args=[published.pk, 1])).status_code == 403
    assert published.versions.count() == 1


def test_a_questionnaire_of_another_province_is_not_found(personas: Personas) -> None:
    elsewhere = make_questionnaire(personas.other_province, code="tinh-ben", publish=True)
    for name in ("secretariat", "leader", "focal_b", "supervisor"):
        assert personas.client(name).get(_detail(elsewhere)).status_code == 404
    assert personas.client("admin").get(_detail(elsewhere)).status_code == 200


def test_shared_templates_are_read_by_the_secretariat_but_only_copied(personas: Personas) -> None:
    ensure_templates()
    template = Questionnaire.objects.get(code="sipas-2640")
    client = personas.client("secretariat")
    page = client.get(_detail(template)).content.decode()
    assert "Nơi ngồi chờ có đủ chỗ ngồi" in page and "CHƯA đối chiếu" in page
    assert client.post(reverse("surveys:version_new", args=[template.pk])).status_code == 403
    response = client.post(
        reverse("surveys:questionnaire_copy", args=[template.pk]),
        {"code": "sipas-tinh", "title": "SIPAS của tỉnh", "owner": personas.province.pk},
    )
    copy = Questionnaire.objects.get(code="sipas-tinh")
    assert response.status_code == 302 and copy.owner == personas.province
    assert client.get(_detail(copy)).status_code == 200
    assert personas.client("admin").post(reverse("surveys:version_new", args=[template.pk])).status_code == 302


def test_editing_a_published_questionnaire_makes_a_new_draft_and_leaves_the_old_version(
    personas: Personas, published: Questionnaire
) -> None:
    client = personas.client("secretariat")
    first = published.versions.get()
    before = spec_of(first)
    # A published version has no draft to edit.
    assert client.get(reverse("surveys:section_add", args=[published.pk])).status_code == 404
    assert client.post(reverse("surveys:version_new", args=[published.pk])).status_code == 302
    draft = published.versions.get(state=VersionState.DRAFT)
    assert draft.number == 2
    response = client.post(reverse("surveys:section_add", args=[published.pk]), {"title": "Phần mới", "weight": "1"})
    assert response.status_code == 302
    section = draft.sections.get(title="Phần mới")
    response = client.post(
        reverse("surveys:question_add", args=[published.pk]) + f"?section={section.pk}",
        {"section": section.pk, "code": "moi", "text": "Câu hỏi mới", "kind": "yes_no", "required": "on"},
    )
    assert response.status_code == 302
    assert spec_of(first) == before
    reader = personas.client("focal_a").get(_detail(published)).content.decode()
    assert "Câu hỏi mới" not in reader
    confirm = client.get(reverse("surveys:version_publish", args=[published.pk, 2])).content.decode()
    assert "Phiên bản 1 đang ban hành sẽ được đóng." in confirm
    assert client.post(reverse("surveys:version_publish", args=[published.pk, 2])).status_code == 302
    first.refresh_from_db()
    assert first.state == VersionState.CLOSED
    assert "Câu hỏi mới" in personas.client("focal_a").get(_detail(published)).content.decode()
    old = personas.client("focal_a").get(_detail(published) + "?v=1").content.decode()
    assert "Câu hỏi mới" not in old and "Đã đóng" in old


def test_publishing_an_incomplete_draft_lists_the_problems_and_offers_no_button(personas: Personas) -> None:
    client = personas.client("secretariat")
    response = client.post(
        reverse("surveys:questionnaire_create"),
        {"code": "trong", "title": "Phiếu trống", "kind": "custom", "owner": personas.province.pk},
    )
    questionnaire = Questionnaire.objects.get(code="trong")
    assert response.status_code == 302
    page = client.get(reverse("surveys:version_publish", args=[questionnaire.pk, 1])).content.decode()
    assert "Phiếu chưa có câu hỏi nào cần trả lời." in page and ">Ban hành</button>" not in page
    response = client.post(reverse("surveys:version_publish", args=[questionnaire.pk, 1]))
    assert response.status_code == 200 and "Chưa ban hành được phiếu" in response.content.decode()
    assert questionnaire.versions.get().state == VersionState.DRAFT


def test_a_question_form_shows_service_errors_next_to_the_field(personas: Personas, draft: Questionnaire) -> None:
    client = personas.client("secretariat")
    section = draft.versions.get().sections.first()
    assert section is not None
    response = client.post(
        reverse("surveys:question_add", args=[draft.pk]),
        {"section": section.pk, "code": "hai_long", "text": "Trùng mã", "kind": "yes_no"},
    )
    assert response.status_code == 200
    assert "Mã câu hỏi “hai_long” đã có trong phiếu này." in response.content.decode()


def test_moving_a_question_with_htmx_answers_with_the_editor(personas: Personas, draft: Questionnaire) -> None:
    version = draft.versions.get()
    question = version.questions.get(code="kenh")
    response = personas.client("secretariat").post(
        reverse("surveys:question_move", args=[draft.pk, question.pk]), {"direction": "up"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="editor"' in page and "<html" not in page
    question.refresh_from_db()
    assert question.order == 1


def test_the_list_the_preview_and_the_editor_fit_a_phone(personas: Personas, draft: Questionnaire) -> None:
    """No table on these pages: nothing wider than the screen to scroll sideways."""
    client = personas.client("secretariat")
    for url in (reverse("surveys:questionnaire_list"), _detail(draft)):
        page = client.get(url).content.decode()
        assert "<table" not in page


# ---------------------------------------------------------------------------
# XLSForm pages


def _upload(personas: Personas, name: str, data: bytes, **extra: str) -> tuple[int, str]:
    response = personas.client("secretariat").post(
        reverse("surveys:xlsform_import"),
        {"file": SimpleUploadedFile(name, data), "owner": personas.province.pk, **extra},
    )
    return response.status_code, response.content.decode()


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for index in range(8):
            archive.writestr(f"xl/worksheets/sheet{index}.xml", b"\0" * (900 * 1024))
    return buffer.getvalue()


def test_an_xlsform_upload_creates_a_questionnaire(personas: Personas, published: Questionnaire) -> None:
    data = export_xlsform(published.versions.get())
    response = personas.client("secretariat").post(
        reverse("surveys:xlsform_import"),
        {
            "file": SimpleUploadedFile("phieu.xlsx", data),
            "owner": personas.province.pk,
            "code": "tu-tep",
            "publish": "on",
        },
    )
    assert response.status_code == 302
    imported = Questionnaire.objects.get(code="tu-tep")
    assert imported.owner == personas.province
    assert imported.versions.get().state == VersionState.PUBLISHED


def test_a_file_of_the_wrong_type_is_refused_in_vietnamese(personas: Personas) -> None:
    status, page = _upload(personas, "phieu.pdf", pdf_bytes())
    assert status == 400 and "Chỉ chấp nhận tệp Excel (.xlsx)." in page
    status, page = _upload(personas, "phieu.xlsx", b"day khong phai tep excel")
    assert status == 400 and "Excel" in page
    assert not Questionnaire.objects.exists()


def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_opened(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CCHC_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    status, page = _upload(personas, "phieu.xlsx", _bomb())
    assert status == 400 and "Tệp nén bất thường, có thể là tệp độc hại; hệ thống từ chối mở tệp này." in page
    assert not Questionnaire.objects.exists()


def test_a_workbook_without_the_xlsform_sheets_is_explained(personas: Personas) -> None:
    status, page = _upload(personas, "bang.xlsx", xlsx_bytes([["STT", "Nội dung"], [1, "A"]]))
    assert status == 400 and "Tệp không có trang “survey”" in page
    assert not Questionnaire.objects.exists()


def test_unsupported_types_are_listed_by_row(personas: Personas) -> None:
    data = workbook(
        [["type", "name", "label"], ["integer", "tuoi", "Tuổi"], ["calculate", "x", ""], ["begin_repeat", "r", "R"]],
        form_id="co-repeat",
    )
    status, page = _upload(personas, "repeat.xlsx", data)
    assert status == 400
    assert "Chưa hỗ trợ kiểu “calculate” (trang “survey”, dòng 3)." in page
    assert "Chưa hỗ trợ kiểu “begin_repeat” (trang “survey”, dòng 4)." in page
    assert not Questionnaire.objects.exists()


def test_an_existing_code_is_reported_on_its_field(personas: Personas, published: Questionnaire) -> None:
    status, page = _upload(personas, "phieu.xlsx", export_xlsform(published.versions.get()))
    assert status == 400 and "Đã có phiếu khảo sát mã “tinh-quay”." in page
    assert QuestionnaireVersion.objects.filter(questionnaire__code="tinh-quay").count() == 1


def test_the_download_is_an_xlsform(personas: Personas, published: Questionnaire) -> None:
    response = personas.client("focal_b").get(reverse("surveys:xlsform_export", args=[published.pk, 1]))
    assert response.status_code == 200 and 'filename="tinh-quay-v1.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["survey", "choices", "settings"]


def test_bad_ids_and_values_in_requests_are_answered_without_a_server_error(
    personas: Personas, draft: Questionnaire
) -> None:
    client = personas.client("secretariat")
    version = draft.versions.get()
    question = version.questions.get(code="kenh")
    assert client.get(reverse("surveys:questionnaire_detail", args=[999999])).status_code == 404
    assert client.get(_detail(draft) + "?v=abc").status_code == 404
    assert client.get(_detail(draft) + "?v=7").status_code == 404
    assert client.get(reverse("surveys:question_add", args=[draft.pk]) + "?section=999999").status_code == 404
    response = client.post(reverse("surveys:question_move", args=[draft.pk, question.pk]), {"direction": "sideways"})
    assert response.status_code == 302
    assert (
        client.post(reverse("surveys:section_add", args=[draft.pk]), {"title": "", "weight": "-1"}).status_code == 200
    )
    response = client.post(
        reverse("surveys:question_edit", args=[draft.pk, question.pk]),
        {"section": 999999, "code": "kenh", "text": "K", "kind": "không-có"},
    )
    assert response.status_code == 200
    fixed = version.questions.get(code="hai_long")
    choice = fixed.choices.first()
    assert choice is not None
    response = client.post(reverse("surveys:choice_delete", args=[draft.pk, choice.pk]), follow=True)
    assert "thang trả lời cố định" in response.content.decode()
    assert fixed.choices.count() == 5


def test_a_draft_started_by_mistake_is_discarded_after_a_confirmation(
    personas: Personas, published: Questionnaire
) -> None:
    client = personas.client("secretariat")
    client.post(reverse("surveys:version_new", args=[published.pk]))
    url = reverse("surveys:version_discard", args=[published.pk, 2])
    assert "Bỏ bản nháp 2 cùng mọi thay đổi" in client.get(url).content.decode()
    assert personas.client("focal_a").post(url).status_code == 403
    assert client.post(url).status_code == 302
    assert list(published.versions.values_list("number", "state")) == [(1, VersionState.PUBLISHED)]

"""The PAR INDEX workflow through HTTP: every page checked with allowed and forbidden personas."""

from __future__ import annotations

import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cchc.assessments.models import AssessmentStatus, Evidence, Round, Stage
from cchc.testing.files import pdf_bytes
from cchc.testing.personas import Personas

from .conftest import Workflow

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()
CONFIRM = {"confirm": "1"}


def _client(wf: Workflow, name: str) -> Client:
    if name == "council":
        client = Client()
        client.force_login(wf.council, backend="django.contrib.auth.backends.ModelBackend")
        return client
    return wf.personas.client(name)


def _pdf(name: str = "ke-hoach.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _self_score(client: Client, wf: Workflow, code: str, points: str, **extra: str):  # type: ignore[no-untyped-def]
    score = wf.score(wf.a, code)
    data = {"version": score.version, "points": points, "note": "", "no_evidence_reason": "", **extra}
    return client.post(reverse("assessments:score_self", args=[score.pk]), data)


def _appraise(client: Client, wf: Workflow, code: str, points: str, reason: str, version: int | None = None):  # type: ignore[no-untyped-def]
    score = wf.score(wf.a, code)
    data = {
        "version": score.version if version is None else version,
        "decision": "adjust",
        "points": points,
        "reason": reason,
    }
    return client.post(reverse("assessments:score_appraise", args=[score.pk]), data)


def _advance(wf: Workflow, stage: str) -> None:
    response = _client(wf, "secretariat").post(
        reverse("assessments:round_advance", args=[wf.round.pk]), {"to_stage": stage, "confirm": "on"}
    )
    assert response.status_code == 302
    wf.refresh()
    assert wf.round.stage == stage


def _fill_and_submit_a(wf: Workflow) -> None:
    focal = _client(wf, "focal_a")
    for code, points in (("1.1", "2"), ("1.2", "2,5"), ("2.1", "5")):
        assert _self_score(focal, wf, code, points, no_evidence_reason="Lưu bản giấy").status_code == 302
    assert focal.post(reverse("assessments:assessment_submit", args=[wf.a.pk]), CONFIRM).status_code == 302
    wf.refresh()
    assert wf.a.status == AssessmentStatus.SUBMITTED


def test_the_rounds_page_shows_the_round_to_every_role_and_sends_visitors_to_log_in(wf: Workflow) -> None:
    url = reverse("assessments:round_list")
    for name in ("admin", "secretariat", "leader", "focal_a", "focal_b", "appraiser", "supervisor"):
        response = _client(wf, name).get(url)
        assert response.status_code == 200 and wf.round.name in response.content.decode(), name
    assert _client(wf, "anonymous").get(url).status_code == 302


def test_the_secretariat_creates_a_round_and_a_focal_point_may_not(personas: Personas, wf: Workflow) -> None:
    url = reverse("assessments:round_create")
    assert _client(wf, "focal_a").get(url).status_code == 403
    assert _client(wf, "leader").post(url, {}).status_code == 403
    response = _client(wf, "secretariat").post(
        url,
        {
            "name": "Chỉ số CCHC năm 2026",
            "year": 2026,
            "organiser": personas.province.pk,
            "frameworks": [wf.a.framework_id, wf.b.framework_id],
            "self_assessment_deadline": "2026-12-15",
            "appraisal_deadline": "2026-12-01",
        },
    )
    assert response.status_code == 200
    assert "theo thứ tự" in response.content.decode()
    response = _client(wf, "secretariat").post(
        url,
        {
            "name": "Chỉ số CCHC năm 2026",
            "year": 2026,
            "organiser": personas.province.pk,
            "frameworks": [wf.a.framework_id, wf.b.framework_id],
        },
    )
    created = Round.objects.get(name="Chỉ số CCHC năm 2026")
    assert response.status_code == 302
    assert set(created.assessments.values_list("unit__name", flat=True)) == {"Sở Nội vụ", "Sở Tư pháp", "Xã Hòa Bình"}


def test_a_focal_point_opens_its_own_sheet_but_never_another_units(wf: Workflow) -> None:
    own = reverse("assessments:assessment_detail", args=[wf.a.pk])
    other = reverse("assessments:assessment_detail", args=[wf.b.pk])
    assert _client(wf, "focal_a").get(own).status_code == 200
    assert _client(wf, "focal_a").get(other).status_code == 404
    assert _client(wf, "focal_b").get(own).status_code == 404
    for name in ("leader", "appraiser", "supervisor"):
        assert _client(wf, name).get(own).status_code == 404, name
    score = wf.score(wf.b, "1.1")
    assert _client(wf, "focal_a").get(reverse("assessments:score_detail", args=[score.pk])).status_code == 404
    assert _client(wf, "focal_a").post(reverse("assessments:score_self", args=[score.pk]), {}).status_code == 404


def test_off_step_or_out_of_range_scores_are_refused_in_vietnamese_and_nothing_changes(wf: Workflow) -> None:
    focal = _client(wf, "focal_a")
    response = _self_score(focal, wf, "1.2", "1,25")
    assert response.status_code == 400 and "bước 0,5" in response.content.decode()
    response = _self_score(focal, wf, "1.1", "7")
    assert response.status_code == 400 and "từ 0 đến 2" in response.content.decode()
    response = _self_score(focal, wf, "1.1", "hai")
    assert response.status_code == 400 and "phải là một số" in response.content.decode()
    assert not wf.a.scores.exclude(self_score=None).exclude(criterion__code="2.2").exists()


def test_only_the_units_focal_point_may_write_its_scores(wf: Workflow) -> None:
    for name in ("secretariat", "leader", "appraiser", "supervisor", "focal_b"):
        response = _self_score(_client(wf, name), wf, "1.1", "2")
        assert response.status_code in (403, 404), name
    assert wf.score(wf.a, "1.1").self_score is None


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BAD_UPLOADS = [
    ("virus.exe", b"MZ\x90\x00", "Chỉ chấp nhận tệp"),
    ("bao-cao.pdf", b"khong phai pdf", "không đúng định dạng PDF"),
    ("bang-diem.xlsx", b"PK\x03\x04hong", "không đúng định dạng Excel"),
    ("quyet-dinh.docx", b"%PDF-1.4 doi ten", "không đúng định dạng Word"),
    (
        "bom.xlsx",
        _zip(
            {
                "[Content_Types].xml": b"<Types/>",
                "xl/workbook.xml": b"<workbook/>",
                "xl/worksheets/sheet1.xml": b"\0" * (8 * 1024 * 1024),
            }
        ),
        "có thể là tệp độc hại",
    ),
    (
        "bom.docx",
        _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * (8 * 1024 * 1024)}),
        "có thể là tệp độc hại",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_UPLOADS, ids=[row[0] for row in BAD_UPLOADS])
def test_bad_evidence_files_are_refused_with_a_clear_message_and_nothing_stored(
    wf: Workflow, name: str, content: bytes, message: str
) -> None:
    score = wf.score(wf.a, "1.1")
    response = _client(wf, "focal_a").post(
        reverse("assessments:evidence_upload", args=[wf.a.pk]),
        {"file": SimpleUploadedFile(name, content), "scores": [score.pk]},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_file_over_the_size_limit_is_refused(wf: Workflow, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CCHC_MAX_UPLOAD_BYTES = 20
    response = _client(wf, "focal_a").post(
        reverse("assessments:evidence_upload", args=[wf.a.pk]),
        {"file": _pdf(), "scores": [wf.score(wf.a, "1.1").pk]},
    )
    assert response.status_code == 400 and "Tệp quá lớn" in response.content.decode()
    assert not Evidence.objects.exists()


def test_one_evidence_file_supports_several_leaves_and_is_immutable_after_submission(wf: Workflow) -> None:
    focal = _client(wf, "focal_a")
    leaves = [wf.score(wf.a, "1.1").pk, wf.score(wf.a, "1.2").pk]
    response = focal.post(
        reverse("assessments:evidence_upload", args=[wf.a.pk]), {"file": _pdf(), "title": "", "scores": leaves}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest() and evidence.file_name == "ke-hoach.pdf"
    assert sorted(evidence.scores.values_list("pk", flat=True)) == sorted(leaves)
    _self_score(focal, wf, "1.1", "2")
    _self_score(focal, wf, "1.2", "3")
    _self_score(focal, wf, "2.1", "4", no_evidence_reason="Văn bản mật, chỉ xem tại đơn vị")
    assert focal.post(reverse("assessments:assessment_submit", args=[wf.a.pk]), CONFIRM).status_code == 302
    response = focal.post(reverse("assessments:evidence_delete", args=[wf.a.pk, evidence.pk]), follow=True)
    assert "không được sửa hoặc xóa" in response.content.decode()
    evidence.refresh_from_db()
    assert evidence.locked_at is not None
    with evidence.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == evidence.sha256
    download = focal.get(reverse("assessments:evidence_download", args=[wf.a.pk, evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert (
        _client(wf, "focal_b").get(reverse("assessments:evidence_download", args=[wf.a.pk, evidence.pk])).status_code
        == 404
    )


def test_edits_after_submission_are_refused_with_a_message(wf: Workflow) -> None:
    _fill_and_submit_a(wf)
    response = _self_score(_client(wf, "focal_a"), wf, "1.1", "1")
    assert response.status_code == 400 and "đã nộp và bị khóa" in response.content.decode()
    assert wf.score(wf.a, "1.1").self_score == Decimal(2)


def test_the_secretariat_reopens_a_sheet_only_with_a_reason(wf: Workflow) -> None:
    _fill_and_submit_a(wf)
    url = reverse("assessments:assessment_reopen", args=[wf.a.pk])
    assert _client(wf, "focal_a").post(url, {"reason": "Tự mở"}).status_code == 403
    response = _client(wf, "secretariat").post(url, {"reason": ""})
    assert response.status_code == 400
    wf.refresh()
    assert wf.a.status == AssessmentStatus.SUBMITTED
    assert _client(wf, "secretariat").post(url, {"reason": "Bổ sung tài liệu"}).status_code == 302
    wf.refresh()
    assert wf.a.status == AssessmentStatus.REOPENED


def test_two_appraisers_saving_the_same_leaf_the_second_is_told_to_reload(wf: Workflow) -> None:
    _fill_and_submit_a(wf)
    _advance(wf, Stage.APPRAISAL)
    first, second = _client(wf, "appraiser"), _client(wf, "appraiser")
    url = reverse("assessments:score_detail", args=[wf.score(wf.a, "1.2").pk])
    assert first.get(url).status_code == 200 and second.get(url).status_code == 200
    version = wf.score(wf.a, "1.2").version
    assert _appraise(first, wf, "1.2", "2", "Thiếu báo cáo quý IV", version=version).status_code == 302
    response = _appraise(second, wf, "1.2", "1", "Thiếu nhiều báo cáo", version=version)
    assert response.status_code == 409
    assert "vừa được người khác cập nhật lúc" in response.content.decode()
    assert wf.score(wf.a, "1.2").appraised_score == Decimal(2)


def test_an_appraiser_cannot_appraise_a_leaf_another_unit_leads(wf: Workflow) -> None:
    _fill_and_submit_a(wf)
    _advance(wf, Stage.APPRAISAL)
    assert _appraise(_client(wf, "appraiser"), wf, "2.1", "3", "Không đủ").status_code == 403
    assert _appraise(_client(wf, "focal_a"), wf, "1.1", "0", "Tự hạ").status_code == 403
    assert wf.score(wf.a, "2.1").appraised_score is None


def test_the_whole_cycle_through_http_from_self_assessment_to_publication(wf: Workflow) -> None:
    focal = _client(wf, "focal_a")
    response = focal.post(
        reverse("assessments:evidence_upload", args=[wf.a.pk]),
        {"file": _pdf(), "title": "Kế hoạch CCHC năm 2025", "scores": [wf.score(wf.a, "1.1").pk]},
    )
    assert response.status_code == 302
    response = focal.post(
        reverse("assessments:evidence_reference", args=[wf.a.pk]),
        {
            "title": "Báo cáo CCHC 6 tháng",
            "document_number": "125/BC-STP",
            "document_date": "2025-06-20",
            "issuer": "Sở Tư pháp",
            "scores": [wf.score(wf.a, "1.2").pk, wf.score(wf.a, "2.1").pk],
        },
    )
    assert response.status_code == 302
    for code, points in (("1.1", "2"), ("1.2", "3"), ("2.1", "4,5")):
        assert _self_score(focal, wf, code, points).status_code == 302
    sheet = focal.get(reverse("assessments:assessment_detail", args=[wf.a.pk])).content.decode()
    assert "4/4 tiêu chí đã hoàn thành" in sheet
    assert focal.post(reverse("assessments:assessment_submit", args=[wf.a.pk]), CONFIRM).status_code == 302

    _advance(wf, Stage.APPRAISAL)
    appraiser = _client(wf, "appraiser")
    worklist = appraiser.get(reverse("assessments:appraisal_list", args=[wf.round.pk])).content.decode()
    assert "1.2" in worklist and "2.1" not in worklist
    assert _appraise(appraiser, wf, "1.2", "2", "").status_code == 400  # the reason is mandatory
    assert _appraise(appraiser, wf, "1.2", "2", "Báo cáo quý IV nộp muộn").status_code == 302
    decide = reverse("assessments:sheet_decide", args=[wf.round.pk, wf.b.pk])
    data = {f"sheet{wf.b.pk}-decision": "close", f"sheet{wf.b.pk}-reason": "Hết hạn gia hạn"}
    assert _client(wf, "secretariat").post(decide, data).status_code == 302

    _advance(wf, Stage.EXPLANATION)
    score = wf.score(wf.a, "1.2")
    response = focal.post(
        reverse("assessments:score_explain", args=[score.pk]),
        {"text": "Báo cáo quý IV đã gửi đúng hạn qua hệ thống", "proposed_score": "3", "file": _pdf("bien-nhan.pdf")},
    )
    assert response.status_code == 302
    assert Evidence.objects.filter(file_name="bien-nhan.pdf", scores=score).exists()
    assert _appraise(appraiser, wf, "1.2", "2,5", "Chấp nhận một phần giải trình").status_code == 302

    _advance(wf, Stage.COUNCIL)
    table = _client(wf, "council").get(reverse("assessments:round_table", args=[wf.round.pk]))
    assert table.status_code == 200 and "Sở Tư pháp" in table.content.decode()
    assert _client(wf, "focal_a").get(reverse("assessments:round_table", args=[wf.round.pk])).status_code == 403
    approve = reverse("assessments:round_approve", args=[wf.round.pk])
    assert _client(wf, "secretariat").post(approve).status_code == 403
    data = {"reason": "Biên bản họp ngày 10/01/2026", "confirm": "on"}
    refused = _client(wf, "council").post(approve, data)
    assert refused.status_code == 400 and "Sở Tư pháp" in refused.content.decode()
    data |= {f"override_{wf.a.pk}": "Tiêu chí 2.1 do Sở Tư pháp tự thẩm định", f"override_{wf.b.pk}": "Không nộp"}
    assert _client(wf, "council").post(approve, data).status_code == 302
    wf.refresh()
    assert wf.round.approved_at is not None and wf.a.status == AssessmentStatus.APPROVED
    assert wf.score(wf.a, "1.2").final_score == Decimal("2.5")

    _advance(wf, Stage.PUBLISHED)
    page = focal.get(reverse("assessments:score_detail", args=[score.pk])).content.decode()
    for text in ("Điểm thẩm định", "2 → 2,5", "Chấp nhận một phần giải trình", "Báo cáo quý IV đã gửi đúng hạn"):
        assert text in page, text
    assert _client(wf, "supervisor").get(reverse("assessments:assessment_detail", args=[wf.a.pk])).status_code == 200


def test_the_round_page_and_a_sheet_take_a_fixed_number_of_queries(wf: Workflow, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = _client(wf, "secretariat")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("assessments:round_detail", args=[wf.round.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("assessments:assessment_detail", args=[wf.a.pk])).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("assessments:score_detail", args=[wf.score(wf.a, "1.1").pk])).status_code == 200

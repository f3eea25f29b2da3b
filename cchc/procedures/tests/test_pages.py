"""The procedures pages through HTTP: uploads in both modes, the column-mapping screen, runs in the background,
bad files, the import history, and who sees which dossiers."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from cchc.imports.models import ImportRun, ImportStatus
from cchc.testing.files import xlsx_bytes
from cchc.testing.personas import Personas

from ..jobs import run_execute
from ..models import DataImport, Dossier, DossierAggregate, DossierStatus, ImportPreset, Procedure
from . import samples
from .test_aggregates import sample_06a

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
DOSSIERS_URL = "/procedures/imports/dossiers/"
CATALOGUE_URL = "/procedures/imports/catalogue/"
AGGREGATES_URL = "/procedures/imports/aggregates/"


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE


@pytest.fixture
def procedures(personas: Personas):
    return samples.make_procedures()


def post_dossiers(client: Any, data: bytes, name: str = "so.csv", **fields: Any) -> Any:
    values = {"source": "iGate", "preset": "mau-07-so-theo-doi", "mode": "all", "token": "", **fields}
    return client.post(DOSSIERS_URL, {"file": SimpleUploadedFile(name, data), **values})


def book_csv(personas: Personas, extra: list[list[object]] | None = None) -> bytes:
    return samples.utf8_bom_csv([*samples.book_csv_rows(personas.unit_b), *(extra or [])])


BAD_ROW: list[object] = ["4", "HS-004", "Thủ tục không có", "Lê Văn Dũng", "", "", "08/01/2025", "", "", "", ""]


def test_the_secretariat_imports_a_tracking_book_csv_and_sees_the_counts(personas, procedures):
    client = personas.client("secretariat")
    response = post_dossiers(client, book_csv(personas))
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("procedures:import_run", args=[run.pk])
    assert Dossier.objects.count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "Đã đọc 3 dòng: thêm mới 3, cập nhật 0, không đổi 0." in page
    assert 'data-testid="count-created">3<' in page
    assert not run.__class__.objects.get().file  # the upload is not kept


def test_all_or_nothing_mode_imports_nothing_and_offers_the_error_workbook(personas, procedures):
    client = personas.client("secretariat")
    response = post_dossiers(client, book_csv(personas, [BAD_ROW]))
    assert Dossier.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "Không nhập gì: 1/4 dòng có lỗi." in page
    assert "không tìm thấy thủ tục" in page
    run = ImportRun.objects.get()
    download = client.get(reverse("procedures:import_errors", args=[run.pk]))
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Dòng" and rows[0][-1] == "Lỗi" and rows[1][2] == "HS-004"


def test_valid_rows_mode_imports_the_good_rows_and_lists_the_bad_one_in_the_history(personas, procedures):
    client = personas.client("secretariat")
    response = post_dossiers(client, book_csv(personas, [BAD_ROW]), mode="valid")
    assert Dossier.objects.count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "Bỏ qua 1 dòng có lỗi" in page and 'data-testid="count-rejected">1<' in page
    history = client.get("/procedures/imports/").content.decode()
    run = ImportRun.objects.get()
    assert "so.csv" in history and "Chỉ nhập các dòng hợp lệ" in history
    assert reverse("procedures:import_errors", args=[run.pk]) in history
    log = DataImport.objects.get()
    assert (log.created, log.rejected, log.valid_rows_only) == (3, 1, True)


def test_a_double_submit_of_the_same_form_makes_one_import(personas, procedures):
    client = personas.client("secretariat")
    first = post_dossiers(client, book_csv(personas), token="form-1")
    second = post_dossiers(client, book_csv(personas), token="form-1")
    assert first["Location"] == second["Location"]
    assert ImportRun.objects.count() == 1 and DataImport.objects.count() == 1


def test_an_empty_submit_shows_the_form_with_vietnamese_errors(personas):
    response = personas.client("secretariat").post(DOSSIERS_URL, {})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Hãy chọn tệp để tải lên." in page and "Hãy ghi tên nguồn dữ liệu." in page
    assert not ImportRun.objects.exists()


BAD_FILES = {
    "wrong type": ("bao-cao.pdf", b"%PDF-1.4 nothing", "Chỉ chấp nhận tệp Excel (.xlsx) hoặc CSV (.csv)."),
    "empty csv": ("rong.csv", b"", "Tệp tải lên rỗng."),
    "binary named csv": ("so.csv", b"PK\x03\x04" + b"\x00" * 100, "không phải tệp CSV"),
    "corrupt xlsx": ("so.xlsx", b"PK\x03\x04 not really a zip", "không đúng định dạng Excel"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_bad_files_are_refused_with_a_vietnamese_message(personas, case):
    name, data, message = BAD_FILES[case]
    response = post_dossiers(personas.client("secretariat"), data, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_zip_bomb_named_xlsx_is_refused(personas, settings):
    settings.CCHC_MAX_UNCOMPRESSED_BYTES = 1000
    data = xlsx_bytes([["Mã hồ sơ", "Ngày tiếp nhận"], *[[f"HS-{n}", "02/01/2025"] for n in range(200)]])
    response = post_dossiers(personas.client("secretariat"), data, name="bom.xlsx")
    assert response.status_code == 400
    assert "Tệp nén bất thường" in response.content.decode()


def test_a_file_without_the_required_columns_opens_the_mapping_screen_naming_them(personas, procedures):
    data = samples.utf8_bom_csv([["Số thứ tự", "Ghi chú"], ["1", "x"]])
    client = personas.client("secretariat")
    response = post_dossiers(client, data)
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("procedures:import_columns", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Tiêu đề của tệp không khớp mẫu cột" in page and "Mã hồ sơ" in page and "Ngày tiếp nhận" in page
    refused = client.post(response["Location"], {"save": "1", "name": "thu", "date_format": "dmy"})
    assert refused.status_code == 400
    assert "Chưa chọn cột cho trường bắt buộc: Mã hồ sơ" in refused.content.decode()
    assert not ImportPreset.objects.exists()


ODD_HEADER: list[object] = ["Số HS", "Thủ tục", "Nơi nhận", "Ngày nộp", "Hạn", "Tình trạng", "Hình thức"]


def odd_csv(personas: Personas) -> bytes:
    unit = personas.unit_b.code
    return samples.utf8_bom_csv(
        [
            ODD_HEADER,
            ["A-1", samples.BIRTH, unit, "02/01/2025", "05/01/2025", "9", "Qua mạng"],
            ["A-2", samples.MARRIAGE, unit, "03/01/2025", "06/01/2025", "4", "Tại quầy"],
        ]
    )


def test_the_mapping_screen_saves_a_preset_and_the_import_goes_on_with_it(personas, procedures):
    client = personas.client("secretariat")
    response = post_dossiers(client, odd_csv(personas), name="la.csv")
    url = response["Location"]
    page = client.get(url).content.decode()
    assert "Số HS" in page and "Tình trạng" in page
    form = {
        "col_code": "0",
        "col_procedure_code": "1",
        "col_unit_code": "2",
        "col_received_on": "3",
        "col_due_on": "4",
        "col_status": "5",
        "col_channel": "6",
        "date_format": "dmy",
    }
    preview = client.post(url, {**form, "preview": "1"}).content.decode()
    assert "Qua mạng" in preview and "Tại quầy" in preview  # the channel's values, to be given a meaning
    codes = {"code_status_0": "finished", "code_status_1": "processing", "code_channel_0": "online"}
    codes["code_channel_1"] = "direct"
    saved = client.post(url, {**form, **codes, "name": "Một cửa huyện", "save": "1"})
    assert saved.status_code == 302
    preset = ImportPreset.objects.get(name="Một cửa huyện")
    assert preset.columns["code"] == ["Số HS"]
    assert preset.codes["channel"] == {"Qua mạng": "online", "Tại quầy": "direct"}
    first = Dossier.objects.get(code="A-1")
    assert (first.status, first.channel, first.unit) == (DossierStatus.FINISHED, "online", personas.unit_b)
    assert Dossier.objects.get(code="A-2").channel == "direct"
    # The saved preset is offered next time, and the same layout imports without the mapping screen.
    assert "Một cửa huyện" in client.get(DOSSIERS_URL).content.decode()
    again = post_dossiers(client, odd_csv(personas), name="la.csv", preset="Một cửa huyện")
    assert "/columns/" not in again["Location"]
    assert Dossier.objects.count() == 2


def test_a_large_file_runs_in_the_background_and_the_page_follows_its_progress(personas, procedures, settings):
    settings.CCHC_IMPORT_BACKGROUND_BYTES = 1
    settings.TASKS = DATABASE_QUEUE
    client = personas.client("secretariat")
    response = post_dossiers(client, book_csv(personas))
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.QUEUED and not Dossier.objects.exists()
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "Đang chờ xử lý" in fragment and "<html" not in fragment
    run_execute(run.pk)  # what the worker does
    assert Dossier.objects.count() == 3
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "every 2s" not in fragment and "thêm mới 3" in fragment
    run_execute(run.pk)  # a second delivery of the job changes nothing
    assert DataImport.objects.count() == 1


def test_a_background_run_that_fails_half_way_leaves_no_dossiers(personas, procedures, settings):
    settings.CCHC_IMPORT_BACKGROUND_BYTES = 1
    settings.TASKS = DATABASE_QUEUE
    unit = personas.unit_b
    rows = [
        [n, f"HS-{n:05}", "Đăng ký khai sinh", "", "", unit.name, "02/01/2025", "03/01/2025", "", "", ""]
        for n in range(1, 1500)
    ]
    text = samples.csv_text([samples.book_csv_rows(unit)[0], *rows]).encode()
    assert len(text) > 64 * 1024  # past the sample on which the encoding is decided
    data = text + b"1500,HS-01500,\xff\xfe,,,,,,,,\r\n"  # a byte that is not UTF-8, after three batches
    post_dossiers(personas.client("secretariat"), data)
    run = ImportRun.objects.get()
    run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and "ký tự không đọc được" in run.message
    assert not Dossier.objects.exists() and not DataImport.objects.exists()
    page = personas.client("secretariat").get(reverse("procedures:import_run", args=[run.pk])).content.decode()
    assert "ký tự không đọc được" in page


def test_the_catalogue_and_an_aggregate_report_are_imported_through_their_pages(personas):
    client = personas.client("secretariat")
    header = ["Mã thủ tục", "Tên thủ tục", "Mức độ DVC trực tuyến"]
    catalogue = xlsx_bytes([header, ["1.001", "Cấp phép", "toàn trình"]])
    response = client.post(CATALOGUE_URL, {"file": SimpleUploadedFile("dm.xlsx", catalogue)})
    assert response.status_code == 302 and Procedure.objects.get().online_level == "full"
    listing = client.get("/procedures/catalogue/?q=cap+phep").content.decode()
    assert "Cấp phép" in listing and "Toàn trình" in listing

    report = xlsx_bytes(
        [
            ["Đơn vị", "Lĩnh vực", "Số hồ sơ nhận giải quyết"],
            ["", "", "Tổng số"],
        ]
    )
    refused = client.post(
        AGGREGATES_URL,
        {
            "file": SimpleUploadedFile("07a.xlsx", report),
            "source": "iGate",
            "preset": "bieu-07a",
            "period_start": "2025-01-01",
            "period_end": "2024-12-31",
            "mode": "all",
        },
    )
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "“Đến ngày” phải sau hoặc bằng “Từ ngày”." in page and "cần chỉ rõ đơn vị báo cáo" in page


@pytest.mark.parametrize("url", [DOSSIERS_URL, CATALOGUE_URL, AGGREGATES_URL, "/procedures/imports/"])
def test_a_unit_focal_point_cannot_import_and_an_anonymous_visitor_is_sent_to_log_in(personas, client, url):
    assert personas.client("focal_a").get(url).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_the_author_follows_a_run(personas, procedures):
    post_dossiers(personas.client("secretariat"), book_csv(personas))
    run = ImportRun.objects.get()
    url = reverse("procedures:import_run", args=[run.pk])
    assert personas.client("admin").get(url).status_code == 404
    assert personas.client("focal_a").get(url).status_code == 403


@pytest.fixture
def dossiers(personas, procedures):
    birth, _marriage = procedures
    made = {}
    for name, unit, due, finished in (
        ("a", personas.unit_a, datetime.date(2025, 1, 5), datetime.date(2025, 1, 9)),
        ("office_a", personas.office_a, datetime.date(2025, 1, 5), datetime.date(2025, 1, 4)),
        ("b", personas.unit_b, None, None),
    ):
        made[name] = Dossier.objects.create(
            source="s",
            code=f"HS-{name}",
            procedure=birth,
            unit=unit,
            received_on=datetime.date(2025, 1, 2),
            due_on=due,
            finished_on=finished,
            status=DossierStatus.FINISHED if finished else DossierStatus.PROCESSING,
            channel="online",
        )
    return made


def test_a_unit_focal_point_sees_only_its_own_subtree_of_dossiers(personas, dossiers):
    client = personas.client("focal_a")
    page = client.get("/procedures/").content.decode()
    assert "HS-a" in page and "HS-office_a" in page and "HS-b" not in page
    assert client.get(reverse("procedures:dossier_detail", args=[dossiers["b"].pk])).status_code == 404
    detail = client.get(reverse("procedures:dossier_detail", args=[dossiers["a"].pk])).content.decode()
    assert "Trễ hạn" in detail and "Đăng ký khai sinh" in detail
    # Filtering by a unit outside the scope is refused, not widened.
    refused = client.get(f"/procedures/?unit={personas.unit_b.pk}")
    assert refused.status_code == 400 and "HS-b" not in refused.content.decode()


def test_the_dossier_list_filters_by_unit_status_late_and_code(personas, dossiers):
    client = personas.client("secretariat")
    assert "Thủ tục, hồ sơ" in client.get("/procedures/").content.decode()  # the menu link
    late = client.get("/procedures/?late=on").content.decode()
    assert "HS-a" in late and "HS-office_a" not in late and "HS-b" not in late
    unit = client.get(f"/procedures/?unit={personas.unit_a.pk}").content.decode()
    assert "HS-a" in unit and "HS-office_a" in unit and "HS-b" not in unit
    processing = client.get("/procedures/?status=processing").content.decode()
    assert "HS-b" in processing and "HS-a" not in processing
    assert "HS-office_a" in client.get("/procedures/?q=office").content.decode()
    dated = client.get("/procedures/?received_from=2025-01-03").content.decode()
    assert "Không có hồ sơ nào." in dated
    bad = client.get("/procedures/?received_from=không-phải-ngày")
    assert bad.status_code == 400 and "Ngày không hợp lệ" in bad.content.decode()


def test_a_06a_report_is_imported_for_the_period_chosen_on_the_page(personas):
    response = personas.client("secretariat").post(
        AGGREGATES_URL,
        {
            "file": SimpleUploadedFile("06a.xlsx", sample_06a(personas)),
            "source": "Báo cáo quý",
            "preset": "bieu-06a",
            "period_start": "01/01/2025",
            "period_end": "31/03/2025",
            "mode": "all",
        },
    )
    assert response.status_code == 302
    justice = DossierAggregate.objects.get(unit=personas.unit_a)
    assert (justice.received_total, justice.period_start) == (120, datetime.date(2025, 1, 1))
    page = personas.client("secretariat").get(response["Location"]).content.decode()
    assert "thêm mới 2" in page and "01/01/2025 – 31/03/2025" in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("secretariat", 200), ("leader", 403), ("supervisor", 403), ("focal_a", 403)],
)
def test_only_the_secretariat_and_administrators_reach_the_import_pages(personas, persona, status):
    assert personas.client(persona).get(DOSSIERS_URL).status_code == status
    assert personas.client(persona).get("/procedures/imports/").status_code == status


@pytest.mark.parametrize("persona", ["admin", "secretariat", "leader", "supervisor", "focal_a"])
def test_every_role_reads_the_dossier_list_and_the_catalogue(personas, persona):
    assert personas.client(persona).get("/procedures/").status_code == 200
    assert personas.client(persona).get("/procedures/catalogue/").status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in_from_the_lists(client):
    for url in ("/procedures/", "/procedures/catalogue/", "/procedures/dossiers/1/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_dossier_list_and_the_history_run_the_same_number_of_queries_for_more_rows(
    personas, procedures, django_assert_max_num_queries
):
    client = personas.client("secretariat")
    post_dossiers(client, book_csv(personas), token="one")
    urls = ["/procedures/", "/procedures/?late=on&channel=online", "/procedures/imports/"]
    counts = []
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(30) as few:
            client.get(url)
        counts.append(len(few))
    Dossier.objects.bulk_create(
        Dossier(
            source="s",
            code=f"X-{n}",
            procedure=procedures[0],
            unit=personas.unit_a,
            received_on=datetime.date(2025, 2, 1),
        )
        for n in range(40)
    )
    post_dossiers(client, book_csv(personas), token="two", source="Nguồn khác")
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            client.get(url)


def test_the_mapping_screen_reads_a_tracking_book_with_merged_headers_and_guesses_its_columns(personas, procedures):
    client = personas.client("secretariat")
    response = post_dossiers(client, samples.book_xlsx(personas.unit_b), name="so.xlsx", map_columns="on")
    page = client.get(response["Location"]).content.decode()
    assert "dòng tiêu đề là dòng 4" in page
    assert '<option value="1" selected>B · Mã hồ sơ</option>' in page
    assert '<option value="6" selected>G · Nhận hồ sơ</option>' in page
    assert '<option value="5" selected>F · Cơ quan chủ trì giải quyết</option>' in page  # merged down from row 3
    assert "Tiêu đề của tệp không khớp" not in page  # the preset matched: mapping was asked for


def test_a_form_sent_back_with_an_error_imports_the_corrected_file_when_sent_again(personas, procedures):
    client = personas.client("secretariat")
    refused = post_dossiers(client, b"", name="rong.csv", token="same-form")
    assert refused.status_code == 400
    token = refused.context["form"]["token"].value()
    assert token and token != "same-form"
    response = post_dossiers(client, book_csv(personas), token=token)
    assert response.status_code == 302 and Dossier.objects.count() == 3
    catalogue = client.post(
        CATALOGUE_URL, {"file": SimpleUploadedFile("dm.csv", "Tên\r\nx\r\n".encode()), "token": "c"}
    )
    assert catalogue.status_code == 400
    assert "Tệp không có cột bắt buộc “Mã thủ tục” và “Tên thủ tục”" in catalogue.content.decode()
    failed = ImportRun.objects.get(kind="procedures")
    assert failed.status == ImportStatus.FAILED and "Mã thủ tục" in failed.message and not failed.file


def test_uploads_left_at_the_mapping_screen_are_purged_after_the_hours_given(
    personas, procedures, settings, django_capture_on_commit_callbacks
):
    client = personas.client("secretariat")
    for name in ("old.csv", "new.csv"):
        post_dossiers(client, odd_csv(personas), name=name)
    post_dossiers(client, book_csv(personas), name="done.csv")  # imported at once: not touched
    old, new = ImportRun.objects.get(file_name="old.csv"), ImportRun.objects.get(file_name="new.csv")
    ImportRun.objects.filter(pk=old.pk).update(created_at=old.created_at - datetime.timedelta(hours=30))
    stored = old.file.path
    assert old.file.storage.exists(old.file.name)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the upload leaves storage once the run is committed
        call_command("purge_import_uploads", "--older-than", "24", stdout=out)
    assert "Đã hủy 1 lượt nhập bỏ dở" in out.getvalue()
    old.refresh_from_db()
    assert (old.status, old.file.name) == (ImportStatus.FAILED, "")
    assert "bỏ dở ở bước chọn cột" in old.message
    assert not Path(stored).exists()
    new.refresh_from_db()
    assert new.status == ImportStatus.QUEUED and new.file.storage.exists(new.file.name)
    # The run's page now shows the cancellation instead of the mapping screen; a second purge finds nothing.
    page = client.get(reverse("procedures:import_run", args=[old.pk]))
    assert page.status_code == 200 and "bỏ dở" in page.content.decode()
    call_command("purge_import_uploads", stdout=out)
    assert "Đã hủy 0 lượt" in out.getvalue()
    with pytest.raises(CommandError, match="từ 1 trở lên"):
        call_command("purge_import_uploads", "--older-than", "0")

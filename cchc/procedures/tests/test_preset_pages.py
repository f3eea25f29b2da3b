"""The column presets pages: the saved ones (viewed, deleted after a confirmation, audited) and the shipped ones
(read-only, with their source documents), for the secretariat and administrators only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cchc.audit.models import AuditEntry

from .. import services
from ..models import ImportPreset

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved(personas) -> ImportPreset:
    return services.preset_save(
        actor=personas.secretariat,
        name="Một cửa huyện",
        columns={"code": ["Số HS"], "received_on": ["Ngày nộp"], "channel": ["Kênh"]},
        codes={"channel": {"2": "online", "1": "direct"}},
        date_format="dmy",
        description="Lưu từ tệp mot-cua.csv",
    )


def test_the_list_shows_the_saved_presets_and_the_shipped_ones_with_their_source_documents(personas, saved):
    html = personas.client("secretariat").get(reverse("procedures:preset_list")).content.decode()
    assert reverse("procedures:preset_detail", args=[saved.pk]) in html
    assert "Một cửa huyện" in html
    for name in ("mau-07-so-theo-doi", "dvcqg-dong-bo", "bieu-06a", "bieu-07a"):
        assert reverse("procedures:shipped_preset_detail", args=[name]) in html
    assert "Thông tư 03/2025/TT-VPCP, Mẫu số 07" in html
    assert (
        "procedures/imports/presets/"
        in personas.client("secretariat").get(reverse("procedures:import_history")).content.decode()
    )


def test_a_saved_preset_shows_its_fields_headers_codes_and_date_format(personas, saved):
    html = personas.client("admin").get(reverse("procedures:preset_detail", args=[saved.pk])).content.decode()
    assert "Mã hồ sơ" in html and "Số HS" in html
    assert "Ngày tiếp nhận" in html and "Ngày nộp" in html
    assert "Trực tuyến" in html  # code 2 of the channel, with its meaning
    assert "dd/mm/yyyy" in html
    assert reverse("procedures:preset_delete", args=[saved.pk]) in html


def test_a_shipped_preset_is_read_only_and_an_aggregate_one_shows_its_header_paths(personas):
    client = personas.client("secretariat")
    portal = client.get(reverse("procedures:shipped_preset_detail", args=["dvcqg-dong-bo"])).content.decode()
    assert "MaHoSo" in portal and "Công dân yêu cầu rút hồ sơ" in portal and "yyyyMMddHHmmss" in portal
    assert "/delete/" not in portal
    report = client.get(reverse("procedures:shipped_preset_detail", args=["bieu-06a"])).content.decode()
    assert "Số lượng hồ sơ đã giải quyết › Quá hạn" in report
    assert client.get(reverse("procedures:shipped_preset_detail", args=["khong-co"])).status_code == 404


def test_deleting_a_saved_preset_asks_first_then_deletes_it_with_an_audit_entry(personas, saved):
    client = personas.client("secretariat")
    url = reverse("procedures:preset_delete", args=[saved.pk])
    confirmation = client.get(url)
    assert "không thể khôi phục" in confirmation.content.decode()
    assert ImportPreset.objects.filter(pk=saved.pk).exists()
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "Đã xóa mẫu cột “Một cửa huyện”" in response.content.decode()
    assert not ImportPreset.objects.exists()
    entry = AuditEntry.objects.filter(action="delete", object_type__icontains="importpreset").get()
    assert entry.actor_id == personas.secretariat.pk
    assert entry.changes["columns"][0]["code"] == ["Số HS"]
    assert client.post(url, {"confirm": "yes"}).status_code == 404


@pytest.mark.parametrize("persona", ["focal_a", "leader", "supervisor", "appraiser"])
def test_only_the_secretariat_and_administrators_reach_the_presets(personas, saved, persona):
    client = personas.client(persona)
    for url in (
        reverse("procedures:preset_list"),
        reverse("procedures:preset_detail", args=[saved.pk]),
        reverse("procedures:shipped_preset_detail", args=["bieu-06a"]),
        reverse("procedures:preset_delete", args=[saved.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("procedures:preset_delete", args=[saved.pk])).status_code == 403
    assert ImportPreset.objects.filter(pk=saved.pk).exists()

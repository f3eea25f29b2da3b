"""Presets by their titles on every page, and a saved preset deleted while an import that reads it waits or runs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.imports.models import ImportRun, ImportStatus
from cchc.testing.personas import Personas

from .. import services
from ..jobs import run_execute
from ..models import DataImport, Dossier, ImportPreset
from . import samples
from .test_pages import DATABASE_QUEUE, IMMEDIATE, ODD_HEADER, odd_csv

pytestmark = pytest.mark.django_db

DOSSIERS_URL = "/procedures/imports/dossiers/"
SLUGS = ("mau-07-so-theo-doi", "dvcqg-dong-bo", "bieu-06a", "bieu-07a")


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE


@pytest.fixture
def procedures(personas: Personas):
    return samples.make_procedures()


@pytest.fixture
def odd_layout(personas: Personas) -> ImportPreset:
    return services.preset_save(
        actor=personas.secretariat,
        name="Một cửa huyện",
        columns={
            "code": [str(ODD_HEADER[0])],
            "procedure_code": [str(ODD_HEADER[1])],
            "unit_code": [str(ODD_HEADER[2])],
            "received_on": [str(ODD_HEADER[3])],
            "due_on": [str(ODD_HEADER[4])],
            "status": [str(ODD_HEADER[5])],
            "channel": [str(ODD_HEADER[6])],
        },
        codes={"status": {"9": "finished", "4": "processing"}, "channel": {"Qua mạng": "online", "Tại quầy": "direct"}},
    )


def upload(client: Any, data: bytes, preset: str, name: str = "so.csv") -> Any:
    values = {"source": "iGate", "preset": preset, "mode": "all", "token": ""}
    return client.post(DOSSIERS_URL, {"file": SimpleUploadedFile(name, data), **values})


def visible_text(html: str) -> str:
    """The page without its links' addresses and the values of its form options (where the names are keys)."""
    text = html.replace('value="mau-07-so-theo-doi"', "").replace('value="dvcqg-dong-bo"', "")
    text = text.replace('value="bieu-06a"', "").replace('value="bieu-07a"', "")
    for slug in SLUGS:
        text = text.replace(f"/shipped/{slug}/", "/shipped/")
    return text


def test_shipped_presets_read_by_their_vietnamese_titles_on_every_page(personas, procedures):
    client = personas.client("secretariat")
    listing = client.get(reverse("procedures:preset_list")).content.decode()
    assert "Sổ theo dõi hồ sơ (Mẫu số 07)" in listing and "Biểu 06a (theo đơn vị)" in listing
    detail = client.get(reverse("procedures:shipped_preset_detail", args=["dvcqg-dong-bo"])).content.decode()
    assert "<h1>Mẫu cột Hồ sơ đồng bộ Cổng Dịch vụ công quốc gia</h1>" in detail
    form = client.get(DOSSIERS_URL).content.decode()
    assert ">Sổ theo dõi hồ sơ (Mẫu số 07)</option>" in form
    response = upload(client, samples.utf8_bom_csv(samples.book_csv_rows(personas.unit_b)), "mau-07-so-theo-doi")
    run_page = client.get(response["Location"]).content.decode()
    assert "<dd>Sổ theo dõi hồ sơ (Mẫu số 07)</dd>" in run_page
    history = client.get(reverse("procedures:import_history")).content.decode()
    assert "(Sổ theo dõi hồ sơ (Mẫu số 07))" in history
    for html in (listing, detail, form, run_page, history):
        assert not any(slug in visible_text(html) for slug in SLUGS)


def test_a_queued_import_keeps_its_preset_when_the_preset_is_deleted_meanwhile(
    personas, procedures, odd_layout, settings
):
    settings.CCHC_IMPORT_BACKGROUND_BYTES = 1
    settings.TASKS = DATABASE_QUEUE
    client = personas.client("secretariat")
    upload(client, odd_csv(personas), odd_layout.name, name="mot-cua.csv")
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.QUEUED and not Dossier.objects.exists()
    # The confirmation names the waiting import, and says it keeps its copy of the mapping.
    confirmation = client.get(reverse("procedures:preset_delete", args=[odd_layout.pk])).content.decode()
    assert "“mot-cua.csv” – đang chờ xử lý" in confirmation.split('data-testid="runs-using-preset"')[1]
    client.post(reverse("procedures:preset_delete", args=[odd_layout.pk]), {"confirm": "yes"})
    assert not ImportPreset.objects.exists()
    run_execute(run.pk)  # the worker comes after the deletion
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE, run.message
    assert sorted(Dossier.objects.values_list("code", "channel")) == [("A-1", "online"), ("A-2", "direct")]
    assert DataImport.objects.get().preset == "Một cửa huyện"


def test_a_queued_import_reads_the_preset_as_it_was_when_the_import_was_asked_for(
    personas, procedures, odd_layout, settings
):
    settings.CCHC_IMPORT_BACKGROUND_BYTES = 1
    settings.TASKS = DATABASE_QUEUE
    client = personas.client("secretariat")
    upload(client, odd_csv(personas), odd_layout.name)
    # The preset is saved again under the same name with another meaning of the channel codes.
    services.preset_save(
        actor=personas.secretariat,
        name=odd_layout.name,
        columns=odd_layout.columns,
        codes={"channel": {"Qua mạng": "postal", "Tại quầy": "postal"}},
    )
    run_execute(ImportRun.objects.get().pk)
    assert sorted(Dossier.objects.values_list("code", "channel")) == [("A-1", "online"), ("A-2", "direct")]

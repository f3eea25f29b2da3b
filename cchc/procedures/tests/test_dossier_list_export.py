"""The Excel export of the dossier list: the filtered list, within what the reader may see, capped."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cchc.testing.personas import Personas

from ..excel import EXPORT_HEADER
from ..models import Dossier, DossierStatus, Procedure
from . import samples

LIST_URL = "/procedures/"
EXPORT_URL = "/procedures/export.xlsx"


@pytest.fixture
def dossiers(personas: Personas) -> list[Dossier]:
    birth: Procedure = samples.make_procedures()[0]
    made = []
    for code, unit, status in (
        ("HS-A-1", personas.unit_a, DossierStatus.FINISHED),
        ("HS-A-2", personas.office_a, DossierStatus.PROCESSING),
        ("HS-B-1", personas.unit_b, DossierStatus.PROCESSING),
    ):
        made.append(
            Dossier.objects.create(
                source="iGate",
                code=code,
                procedure=birth,
                unit=unit,
                received_on=datetime.date(2025, 1, 2),
                due_on=datetime.date(2025, 1, 9),
                finished_on=datetime.date(2025, 1, 5) if status == DossierStatus.FINISHED else None,
                status=status,
                channel="online",
            )
        )
    return made


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _codes(content: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [str(text) for text in EXPORT_HEADER]
    return [str(row[0]) for row in rows[1:]]


def test_the_export_holds_the_filtered_list_and_the_button_states_its_size(personas: Personas, dossiers) -> None:
    client = personas.client("secretariat")
    page = client.get(LIST_URL, {"status": "processing"}).content.decode()
    assert "Xuất Excel (2 hồ sơ)" in page
    assert f"{EXPORT_URL}?status=processing" in page
    response = client.get(EXPORT_URL, {"status": "processing"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="ho-so-tthc-')
    assert sorted(_codes(_body(response))) == ["HS-A-2", "HS-B-1"]


def test_a_unit_exports_only_its_own_subtree_like_its_list(personas: Personas, dossiers) -> None:
    client = personas.client("focal_a")
    assert "Xuất Excel (2 hồ sơ)" in client.get(LIST_URL).content.decode()
    response = client.get(EXPORT_URL)
    assert sorted(_codes(_body(response))) == ["HS-A-1", "HS-A-2"]
    # A unit outside the scope is refused, never widened: back to the list with the reason.
    refused = client.get(EXPORT_URL, {"unit": personas.unit_b.pk})
    assert refused.status_code == 302
    assert refused["Location"] == f"{reverse('procedures:dossier_list')}?unit={personas.unit_b.pk}"


def test_an_anonymous_visitor_is_sent_to_log_in(client, dossiers) -> None:
    response = client.get(EXPORT_URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_above_the_cap_the_list_says_why_and_the_export_writes_nothing(personas: Personas, dossiers, settings) -> None:
    settings.DOSSIER_EXPORT_MAX_ROWS = 2
    client = personas.client("secretariat")
    page = client.get(LIST_URL).content.decode()
    assert "Xuất Excel" not in page
    assert "Danh sách có 3 hồ sơ, vượt quá 2 hồ sơ mỗi lần xuất Excel." in page
    response = client.get(EXPORT_URL, follow=True)
    assert response.redirect_chain and response.status_code == 200
    assert "vượt quá 2 hồ sơ mỗi lần xuất Excel" in response.content.decode()
    narrowed = client.get(EXPORT_URL, {"status": "processing"})
    assert narrowed.status_code == 200 and len(_codes(_body(narrowed))) == 2


def test_an_empty_list_offers_no_export(personas: Personas, dossiers) -> None:
    page = personas.client("secretariat").get(LIST_URL, {"q": "không-có-mã-này"}).content.decode()
    assert "Không có hồ sơ nào." in page and "Xuất Excel" not in page

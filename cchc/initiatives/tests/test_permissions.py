"""Permission matrix of the initiative pages: a unit proposes for its own units and sees their initiatives, never
another unit's proposals (only its recognised ones); the secretariat recognises; leaders and supervisors read."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cchc.initiatives import services
from cchc.initiatives.models import Initiative
from cchc.testing.files import pdf_bytes
from cchc.testing.personas import PERSONA_NAMES, Personas


@pytest.fixture
def work(personas: Personas) -> dict[str, Initiative]:
    year = timezone.localdate().year
    proposed = services.initiative_propose(
        actor=personas.focal_a, unit=personas.unit_a, year=year, title="Đề xuất của Sở Tư pháp", description="Mô tả"
    )
    other = services.initiative_propose(
        actor=personas.focal_b, unit=personas.unit_b, year=year, title="Đề xuất của xã", description="Mô tả"
    )
    recognised = services.initiative_propose(
        actor=personas.focal_b, unit=personas.unit_b, year=year, title="Sáng kiến của xã", description="Mô tả"
    )
    services.initiative_recognise(
        actor=personas.secretariat, initiative=recognised, level="province", recognised_on=timezone.localdate()
    )
    return {"a": proposed, "b": other, "b_recognised": recognised}


VISIBLE = {
    "admin": {"a", "b", "b_recognised"},
    "secretariat": {"a", "b", "b_recognised"},
    "leader": {"a", "b", "b_recognised"},
    "supervisor": {"a", "b", "b_recognised"},
    "appraiser": {"a", "b", "b_recognised"},
    "focal_a": {"a", "b_recognised"},
    "focal_b": {"b", "b_recognised"},
    "anonymous": set(),
}


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_each_persona_sees_exactly_the_initiatives_it_may(
    personas: Personas, work: dict[str, Initiative], name: str
) -> None:
    client = personas.client(name)
    for key, initiative in work.items():
        response = client.get(reverse("initiatives:initiative_detail", args=[initiative.pk]))
        if name == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == (200 if key in VISIBLE[name] else 404), key
    if name != "anonymous":
        page = client.get(reverse("initiatives:initiative_list")).content.decode()
        assert ("Đề xuất của xã" in page) == ("b" in VISIBLE[name])
        assert ("Đề xuất của Sở Tư pháp" in page) == ("a" in VISIBLE[name])


@pytest.mark.parametrize("name", ["leader", "supervisor", "focal_a", "focal_b", "appraiser"])
def test_only_the_secretariat_recognises(personas: Personas, work: dict[str, Initiative], name: str) -> None:
    url = reverse("initiatives:initiative_recognise", args=[work["a"].pk])
    response = personas.client(name).post(url, {"level": "unit", "recognised_on": "2020-01-01"})
    assert response.status_code in (403, 404)
    work["a"].refresh_from_db()
    assert work["a"].status == "proposed"


def test_a_unit_cannot_propose_for_another_unit(personas: Personas) -> None:
    response = personas.client("focal_a").post(
        reverse("initiatives:initiative_create"),
        {"unit": personas.unit_b.pk, "year": 2026, "title": "Không phải của mình", "description": "X"},
    )
    assert response.status_code == 200
    assert not Initiative.objects.exists()
    assert personas.client("supervisor").get(reverse("initiatives:initiative_create")).status_code == 403


def test_a_unit_proposes_with_a_file_and_a_bad_file_loses_nothing_typed(personas: Personas) -> None:
    client = personas.client("focal_a")
    bad = client.post(
        reverse("initiatives:initiative_create"),
        {
            "unit": personas.unit_a.pk,
            "year": 2026,
            "title": "Tệp hỏng",
            "description": "Mô tả còn giữ",
            "file": SimpleUploadedFile("a.pdf", b"not a pdf"),
        },
    )
    assert bad.status_code == 400
    assert "Mô tả còn giữ" in bad.content.decode()
    assert not Initiative.objects.exists()
    good = client.post(
        reverse("initiatives:initiative_create"),
        {
            "unit": personas.unit_a.pk,
            "year": 2026,
            "title": "Có tệp",
            "description": "Mô tả",
            "file": SimpleUploadedFile("mo-ta.pdf", pdf_bytes()),
        },
    )
    assert good.status_code == 302
    initiative = Initiative.objects.get()
    assert initiative.files.count() == 1
    download = client.get(reverse("initiatives:file_download", args=[initiative.pk, initiative.files.get().pk]))
    assert download.status_code == 200
    assert (
        personas.client("focal_b").get(reverse("initiatives:initiative_detail", args=[initiative.pk])).status_code
        == 404
    )


def test_the_secretariat_recognises_after_a_confirmation_page(personas: Personas, work: dict[str, Initiative]) -> None:
    client = personas.client("secretariat")
    url = reverse("initiatives:initiative_recognise", args=[work["a"].pk])
    page = client.get(url)
    assert page.status_code == 200 and "chưa có tệp đính kèm" in page.content.decode()
    today = timezone.localdate().isoformat()
    assert client.post(url, {"level": "province", "recognised_on": today}).status_code == 302
    assert client.post(url, {"level": "province", "recognised_on": today}).status_code == 302  # a second click
    work["a"].refresh_from_db()
    assert work["a"].status == "recognised"
    export = client.get(reverse("initiatives:export"))
    assert export.status_code == 200


def test_the_list_reads_a_fixed_number_of_queries(personas: Personas, work: dict[str, Initiative]) -> None:
    client = personas.client("secretariat")
    url = reverse("initiatives:initiative_list")
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for title in ("Thêm một", "Thêm hai"):
        services.initiative_propose(
            actor=personas.focal_a, unit=personas.office_a, year=timezone.localdate().year, title=title, description="X"
        )
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(second) == len(first)

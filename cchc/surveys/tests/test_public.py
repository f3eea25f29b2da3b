"""The public form through HTTP (integrity without accounts, kiosk) and the collection pages per persona."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.signing import dumps
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from pytest_django.fixtures import Settings as SettingsWrapper

from cchc.audit.models import AuditEntry
from cchc.surveys.collection import PointData, collection_point_create, collection_point_set_active
from cchc.surveys.inbox import inbox_process
from cchc.surveys.models import CollectionPoint, PendingResponse, Questionnaire, Response, VersionState
from cchc.surveys.services import version_close
from cchc.surveys.templates_catalogue import ensure_templates
from cchc.surveys.views.public import FORM_SALT
from cchc.testing.personas import Personas

from .factories import make_questionnaire


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def quick(settings: SettingsWrapper) -> None:
    settings.SURVEY_MIN_FILL_SECONDS = 0


@pytest.fixture
def questionnaire(personas: Personas) -> Questionnaire:
    return make_questionnaire(personas.province, code="cong-khai", publish=True)


@pytest.fixture
def point(questionnaire: Questionnaire, personas: Personas) -> CollectionPoint:
    return collection_point_create(
        actor=None, questionnaire=questionnaire, data=PointData(unit=personas.unit_a, counter_label="Quầy 2")
    )


def stored() -> QuerySet[Response]:
    """The responses, once the accepted ones waiting in the inbox are stored (what the background job does)."""
    inbox_process()
    return Response.objects.all()


def form_url(point: CollectionPoint) -> str:
    return reverse("survey_public:form", args=[point.token])


def open_form(client: Client, point: CollectionPoint, query: str = "") -> dict[str, str]:
    """GET the form; return the hidden fields to post back and the field name of each question code."""
    page = client.get(form_url(point) + query)
    assert page.status_code == 200
    html = page.content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html)
    assert token is not None
    names = {
        question.code: f"q{question.pk}"
        for question in point.questionnaire.versions.get(state=VersionState.PUBLISHED).questions.all()
    }
    return {"form_token": token.group(1), **{f"name:{code}": name for code, name in names.items()}}


def answer(fields: dict[str, str], **values: str) -> dict[str, str]:
    data = {"form_token": fields["form_token"]}
    for code, value in values.items():
        data[fields[f"name:{code}"]] = value
    return data


def test_the_public_form_needs_no_login_and_stores_one_response_for_the_unit_and_counter(
    point: CollectionPoint, personas: Personas
) -> None:
    client = Client()
    page = client.get(form_url(point))
    html = page.content.decode()
    assert page.status_code == 200 and point.unit.name in html and "Quầy 2" in html
    assert "<script>" not in html and 'name="website"' in html and "survey-form.js" in html
    assert "cchc_survey_device" in page.cookies
    fields = open_form(client, point)
    sent = client.post(form_url(point), answer(fields, hai_long="5", so_lan="2"))
    assert sent.status_code == 302 and sent["Location"] == reverse("survey_public:thanks", args=[point.token])
    response = stored().get()
    assert (response.unit, response.channel, response.counter_label) == (personas.unit_a, "counter", "Quầy 2")
    assert response.collection_point == point and len(response.fingerprint) == 64
    assert "127.0.0.1" not in response.fingerprint
    assert "Cảm ơn" in client.get(sent["Location"]).content.decode()


def test_a_question_hidden_by_its_condition_is_shown_only_when_it_applies(point: CollectionPoint) -> None:
    client = Client()
    fields = open_form(client, point)
    page = client.post(form_url(point), answer(fields, kenh="quay"))  # the required question left out
    html = page.content.decode()
    assert page.status_code == 400 and "Câu 1 là câu bắt buộc" in html
    assert re.search(r'id="field-\d+" data-condition-name="q\d+" data-condition-value="1" hidden', html)
    # Without JavaScript the respondent may answer the conditional question anyway: it is dropped, not refused.
    client.post(form_url(point), answer(fields, hai_long="4", ly_do="Không áp dụng"))
    response = stored().get()
    assert list(response.answers.values_list("question__code", flat=True)) == ["hai_long"]


def test_bad_answers_come_back_with_the_vietnamese_message_and_the_values_kept(point: CollectionPoint) -> None:
    client = Client()
    fields = open_form(client, point)
    page = client.post(form_url(point), answer(fields, hai_long="9", so_lan="ba"))
    html = page.content.decode()
    assert page.status_code == 400 and "không thuộc thang" in html and "cần một số" in html
    assert 'value="ba"' in html and not stored().exists()
    tampered = {**answer(fields, hai_long="5"), "q999999": "1"}
    assert "không thuộc phiếu này" in client.post(form_url(point), tampered).content.decode()
    assert not stored().exists()


def test_the_honeypot_shows_thanks_but_stores_nothing(point: CollectionPoint) -> None:
    client = Client()
    fields = open_form(client, point)
    sent = client.post(form_url(point), {**answer(fields, hai_long="5"), "website": "http://spam.example"})
    assert sent.status_code == 302 and not stored().exists()


def test_a_form_sent_faster_than_the_minimum_time_is_refused(point: CollectionPoint, settings: SettingsWrapper) -> None:
    settings.SURVEY_MIN_FILL_SECONDS = 30
    client = Client()
    fields = open_form(client, point)
    page = client.post(form_url(point), answer(fields, hai_long="5"))
    assert page.status_code == 400 and "nhanh quá" in page.content.decode() and not stored().exists()
    old = dumps({"p": point.pk, "t": time.time() - 60, "k": "a" * 32}, salt=FORM_SALT, compress=True)
    assert client.post(form_url(point), {**answer(fields, hai_long="5"), "form_token": old}).status_code == 302
    assert stored().count() == 1


def test_a_forged_or_foreign_form_token_is_refused(point: CollectionPoint, questionnaire: Questionnaire) -> None:
    client = Client()
    fields = open_form(client, point)
    forged = client.post(form_url(point), {**answer(fields, hai_long="5"), "form_token": "abc:def"})
    assert forged.status_code == 400 and "không hợp lệ" in forged.content.decode()
    other = collection_point_create(actor=None, questionnaire=questionnaire, data=PointData(unit=point.unit))
    assert client.post(form_url(other), answer(fields, hai_long="5")).status_code == 400
    assert not stored().exists()


def test_sending_the_same_form_twice_stores_one_response(point: CollectionPoint) -> None:
    client = Client()
    fields = open_form(client, point)
    first = client.post(form_url(point), answer(fields, hai_long="5"))
    second = client.post(form_url(point), answer(fields, hai_long="5"))
    assert first.status_code == second.status_code == 302 and stored().count() == 1


def test_a_form_sent_again_after_its_response_was_stored_shows_thanks_and_adds_nothing(point: CollectionPoint) -> None:
    client = Client()
    fields = open_form(client, point)
    assert client.post(form_url(point), answer(fields, hai_long="5")).status_code == 302
    assert stored().count() == 1
    again = client.post(form_url(point), answer(fields, hai_long="5"))
    assert again.status_code == 302 and stored().count() == 1
    assert not PendingResponse.objects.exists()


def test_too_many_forms_from_one_device_or_address_get_a_vietnamese_429(
    point: CollectionPoint, settings: SettingsWrapper
) -> None:
    settings.SURVEY_THROTTLE_PER_DEVICE = 2
    client = Client()
    for _ in range(2):
        fields = open_form(client, point)
        assert client.post(form_url(point), answer(fields, hai_long="5")).status_code == 302
    fields = open_form(client, point)
    blocked = client.post(form_url(point), answer(fields, hai_long="5"))
    assert blocked.status_code == 429 and "Xin thử lại sau" in blocked.content.decode()
    assert stored().count() == 2
    settings.SURVEY_THROTTLE_PER_ADDRESS = 3  # a new device from the same address: the address limit applies
    other = Client()
    fields = open_form(other, point)
    assert other.post(form_url(point), answer(fields, hai_long="5")).status_code == 429


def test_a_paused_closed_or_unknown_link_shows_a_kind_page(
    point: CollectionPoint, questionnaire: Questionnaire
) -> None:
    client = Client()
    unknown = client.get(reverse("survey_public:form", args=["khong-co-that"]))
    assert unknown.status_code == 404 and "Không tìm thấy phiếu khảo sát" in unknown.content.decode()
    collection_point_set_active(actor=None, point=point, active=False)
    paused = client.get(form_url(point))
    assert paused.status_code == 410 and "tạm dừng" in paused.content.decode()
    collection_point_set_active(actor=None, point=point, active=True)
    fields = open_form(client, point)
    version_close(actor=None, version=questionnaire.versions.get(state=VersionState.PUBLISHED))
    closed = client.post(form_url(point), answer(fields, hai_long="5"))
    assert closed.status_code == 410 and "không nhận ý kiến" in closed.content.decode()
    assert not stored().exists()


def test_the_kiosk_form_has_no_chrome_and_returns_to_a_fresh_form(point: CollectionPoint) -> None:
    client = Client()
    page = client.get(form_url(point) + "?kiosk=1").content.decode()
    assert 'class="public kiosk"' in page and "data-kiosk-idle=" in page and 'name="kiosk" value="1"' in page
    assert "mainnav" not in page
    fields = open_form(client, point, "?kiosk=1")
    sent = client.post(form_url(point), {**answer(fields, hai_long="4"), "kiosk": "1"})
    assert sent["Location"].endswith("/thanks/?kiosk=1")
    thanks = client.get(sent["Location"]).content.decode()
    assert f'http-equiv="refresh" content="6;url={form_url(point)}?kiosk=1"' in thanks


# ---------------------------------------------------------------------------
# The collection pages

READERS = ("admin", "secretariat", "leader", "supervisor")
OTHERS = ("focal_a", "focal_b", "appraiser")


@pytest.mark.parametrize("name", READERS)
def test_the_collection_roles_see_counts_by_unit_channel_and_day(
    personas: Personas, point: CollectionPoint, name: str
) -> None:
    client = Client()
    fields = open_form(client, point)
    client.post(form_url(point), answer(fields, hai_long="5"))
    url = reverse("surveys:collection", args=[point.questionnaire.pk])
    waiting = personas.client(name).get(url).content.decode()
    assert "1 phiếu trả lời đã nhận đang chờ đưa vào số liệu" in waiting and "0 phiếu trả lời" in waiting
    assert stored().count() == 1
    page = personas.client(name).get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "1 phiếu trả lời" in html and personas.unit_a.name in html
    assert "đang chờ đưa vào số liệu" not in html
    assert point.token in html
    assert ("+ Tạo đường dẫn" in html) == (name in ("admin", "secretariat"))


@pytest.mark.parametrize("name", OTHERS)
def test_other_roles_do_not_see_the_collection(personas: Personas, point: CollectionPoint, name: str) -> None:
    page = personas.client(name).get(reverse("surveys:collection", args=[point.questionnaire.pk]))
    assert page.status_code == 403


@pytest.mark.parametrize("name", ("leader", "supervisor", "focal_a"))
def test_only_the_secretariat_creates_or_pauses_links(personas: Personas, point: CollectionPoint, name: str) -> None:
    client = personas.client(name)
    questionnaire = point.questionnaire
    create = client.post(
        reverse("surveys:point_create", args=[questionnaire.pk]), {"unit": personas.unit_a.pk, "channel": "online"}
    )
    toggle = client.post(reverse("surveys:point_toggle", args=[questionnaire.pk, point.pk]), {"active": "0"})
    assert create.status_code == 403 and toggle.status_code == 403
    assert CollectionPoint.objects.count() == 1 and CollectionPoint.objects.get().active


def test_the_secretariat_creates_a_link_for_a_unit_it_manages_and_it_is_audited(
    personas: Personas, questionnaire: Questionnaire
) -> None:
    client = personas.client("secretariat")
    url = reverse("surveys:point_create", args=[questionnaire.pk])
    outside = client.post(url, {"unit": personas.other_commune.pk, "channel": "online"})
    assert outside.status_code == 200 and not CollectionPoint.objects.exists()  # not among the choices
    made = client.post(url, {"unit": personas.unit_b.pk, "channel": "adhoc", "counter_label": ""})
    assert made.status_code == 302
    point = CollectionPoint.objects.get()
    assert point.channel == "adhoc" and point.unit == personas.unit_b
    assert AuditEntry.objects.filter(object_type="surveys.collectionpoint", object_id=str(point.pk)).exists()
    client.post(reverse("surveys:point_toggle", args=[questionnaire.pk, point.pk]), {"active": "0"})
    point.refresh_from_db()
    assert not point.active


def test_a_reader_outside_the_unit_does_not_see_its_counts(personas: Personas, questionnaire: Questionnaire) -> None:
    point = collection_point_create(
        actor=None, questionnaire=questionnaire, data=PointData(unit=personas.other_commune)
    )
    client = Client()
    fields = open_form(client, point)
    client.post(form_url(point), answer(fields, hai_long="5"))
    waiting = personas.client("supervisor").get(reverse("surveys:collection", args=[questionnaire.pk]))
    assert "đang chờ đưa vào số liệu" not in waiting.content.decode()  # waiting, but outside the reader's scope
    stored()
    html = personas.client("supervisor").get(reverse("surveys:collection", args=[questionnaire.pk])).content.decode()
    assert "0 phiếu trả lời" in html and point.token not in html
    assert (
        "1 phiếu trả lời"
        in personas.client("admin").get(reverse("surveys:collection", args=[questionnaire.pk])).content.decode()
    )


def test_the_qr_codes_and_the_a4_poster_download(personas: Personas, point: CollectionPoint) -> None:
    client = personas.client("supervisor")
    args = [point.questionnaire.pk, point.pk]
    png = client.get(reverse("surveys:point_qr_png", args=args))
    svg = client.get(reverse("surveys:point_qr_svg", args=args))
    pdf = client.get(reverse("surveys:point_poster", args=args))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert svg.status_code == 200 and b"<svg" in svg.content
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert point.unit.name in text and "Quầy 2" in text and "quét mã QR" in text and point.token in text
    assert personas.client("focal_a").get(reverse("surveys:point_poster", args=args)).status_code == 403


def test_a_second_rating_of_the_same_dossier_at_the_counter_gets_the_kind_message(personas: Personas) -> None:
    ensure_templates()
    counter = Questionnaire.objects.get(code="khao-sat-nhanh-tai-quay")
    point = collection_point_create(actor=None, questionnaire=counter, data=PointData(unit=personas.unit_b))
    version = counter.versions.get(state=VersionState.PUBLISHED)
    required = {
        f"q{pk}": "yes" if kind == "yes_no" else "4"
        for pk, kind in version.questions.filter(required=True).values_list("pk", "kind")
    }
    dossier = f"q{version.questions.get(code='ma_ho_so').pk}"
    for expected in (302, 400):
        client = Client()
        fields = open_form(client, point)
        sent = client.post(form_url(point), {"form_token": fields["form_token"], **required, dossier: "000.00.12.H56"})
        assert sent.status_code == expected
    assert "Hồ sơ này đã được đánh giá rồi, cảm ơn ông/bà" in sent.content.decode()
    assert stored().filter(questionnaire=counter, dossier_code="000.00.12.H56").count() == 1


def test_the_blank_questions_are_rendered_once_per_version_and_language_and_a_new_version_shows_its_own(
    point: CollectionPoint, questionnaire: Questionnaire
) -> None:
    from cchc.surveys.services import QuestionData, question_add, version_new_draft, version_publish
    from cchc.surveys.views import public

    public._blank_questions.clear()
    first = Client().get(form_url(point)).content.decode()
    again = Client().get(form_url(point)).content.decode()
    assert len(public._blank_questions) == 1
    # The same page but for the per-visitor tokens, and each visitor gets tokens of its own.
    tokens = re.compile(r'value="[^"]{20,}"')
    assert tokens.sub("", first) == tokens.sub("", again) and first != again
    english = Client()
    english.cookies["django_language"] = "en"
    assert english.get(form_url(point)).status_code == 200 and len(public._blank_questions) == 2
    draft = version_new_draft(actor=None, questionnaire=questionnaire)
    data = QuestionData(code="gop_y", text="Góp ý thêm cho đơn vị", kind="long_text")
    section = draft.sections.first()
    assert section is not None
    question_add(actor=None, section=section, data=data)
    version_publish(actor=None, version=draft)
    assert "Góp ý thêm cho đơn vị" in Client().get(form_url(point)).content.decode()
    assert "Góp ý thêm cho đơn vị" not in first


@pytest.mark.parametrize("state", ["published", "closed"])
def test_a_link_read_by_its_prepared_statement_is_the_one_the_orm_reads(
    point: CollectionPoint, questionnaire: Questionnaire, state: str
) -> None:
    from cchc.surveys import collection

    if state == "closed":
        version_close(actor=None, version=questionnaire.versions.get(state=VersionState.PUBLISHED))
    for _ in range(2):  # built at the first read, run at the second
        read = collection.point_with_published_version(point.token)
        assert read is not None
        found, version = read
        expected = collection._point_with_published_version(point.token).get()
        assert _stored(found) == _stored(expected) and _stored(found.questionnaire) == _stored(expected.questionnaire)
        assert _stored(found.unit) == _stored(expected.unit) and found._state.adding is False
        if state == "closed":
            assert version is None and getattr(expected, "published_version", None) is None
        else:
            assert version is not None and _stored(version) == _stored(getattr(expected, "published_version", None))
    assert collection.point_with_published_version("khong-co-duong-dan-nay") is None


def _stored(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}

"""A sent public form taken early (``surveys.views.early``): the same guarantees as through every middleware."""

from __future__ import annotations

import re
import unicodedata

import pytest
from django.db import connection, connections
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from cchc.surveys.collection import PointData, collection_point_create
from cchc.surveys.models import Answer, CollectionPoint, PendingResponse
from cchc.testing.personas import Personas

from .factories import make_questionnaire
from .test_public import answer, form_url, open_form, stored

pytestmark = pytest.mark.usefixtures("fresh_cache")


def _csrf_field(client: Client, point: CollectionPoint) -> str:
    page = client.get(form_url(point)).content.decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_a_form_sent_without_its_csrf_token_is_refused_and_with_it_accepted(point: CollectionPoint) -> None:
    browser = Client(enforce_csrf_checks=True)
    fields = open_form(browser, point)
    refused = browser.post(form_url(point), answer(fields, hai_long="5"))
    assert refused.status_code == 403 and not PendingResponse.objects.exists()
    csrf = _csrf_field(browser, point)
    fields = open_form(browser, point)
    accepted = browser.post(form_url(point), {**answer(fields, hai_long="5"), "csrfmiddlewaretoken": csrf})
    assert accepted.status_code == 302 and accepted["Location"] == form_url(point) + "thanks/"
    assert stored().count() == 1


def test_a_form_from_another_page_with_a_foreign_csrf_token_is_refused(point: CollectionPoint) -> None:
    other = Client(enforce_csrf_checks=True)
    foreign = _csrf_field(other, point)
    browser = Client(enforce_csrf_checks=True)
    fields = open_form(browser, point)
    refused = browser.post(form_url(point), {**answer(fields, hai_long="5"), "csrfmiddlewaretoken": foreign})
    assert refused.status_code == 403 and not PendingResponse.objects.exists()


def test_a_refused_form_counts_once_against_the_device_limit(point: CollectionPoint, settings: SettingsWrapper) -> None:
    settings.SURVEY_THROTTLE_PER_DEVICE = 2
    client = Client()
    for _ in range(2):  # an answer out of the scale: the quick path hands the form over to the page that says why
        fields = open_form(client, point)
        wrong = client.post(form_url(point), answer(fields, hai_long="9"))
        assert wrong.status_code == 400 and "thang" in wrong.content.decode()
    fields = open_form(client, point)
    assert client.post(form_url(point), answer(fields, hai_long="5")).status_code == 429
    assert not PendingResponse.objects.exists()


def test_decomposed_vietnamese_is_stored_composed_and_a_nul_is_refused(point: CollectionPoint) -> None:
    client = Client()
    typed = unicodedata.normalize("NFD", "Thời gian chờ còn lâu")
    fields = open_form(client, point)
    assert client.post(form_url(point), answer(fields, hai_long="1", ly_do=typed)).status_code == 302
    assert stored().count() == 1
    assert Answer.objects.get(question__code="ly_do").text_value == unicodedata.normalize("NFC", typed)
    fields = open_form(client, point)
    refused = client.post(form_url(point), answer(fields, hai_long="1", ly_do="chờ\x00lâu"))
    assert refused.status_code == 400 and PendingResponse.objects.count() == 0 and stored().count() == 1


def test_the_kiosk_form_goes_back_to_the_kiosk_thank_you_page(point: CollectionPoint) -> None:
    client = Client()
    fields = open_form(client, point, "?kiosk=1")
    sent = client.post(form_url(point), {**answer(fields, hai_long="4"), "kiosk": "1"})
    assert sent.status_code == 302 and sent["Location"] == form_url(point) + "thanks/?kiosk=1"


def _end_session_from_elsewhere(pid: int) -> None:
    import psycopg

    config = connections["default"].settings_dict
    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname=config["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_forms_sent_outside_a_transaction_are_accepted_once_even_after_a_lost_connection(
    personas: Personas, kept_connection: None
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the statement prepared per connection: PostgreSQL")
    questionnaire = make_questionnaire(personas.province, code="duong-nhanh-pg", publish=True)
    point = collection_point_create(actor=None, questionnaire=questionnaire, data=PointData(unit=personas.unit_a))
    client = Client()
    for value in ["5", "4", "3", "2", "1", "5", "4"]:  # more than psycopg's threshold for preparing a statement
        fields = open_form(client, point)
        assert client.post(form_url(point), answer(fields, hai_long=value)).status_code == 302
        # The same form sent again (a double click): one row.
        assert client.post(form_url(point), answer(fields, hai_long=value)).status_code == 302
    assert PendingResponse.objects.filter(questionnaire=questionnaire).count() == 7
    # The server ends the kept connection between the opening of a form and its sending (a restart, a failover):
    # the form is still accepted, once.
    fields = open_form(client, point)
    with connections["default"].cursor() as cursor:
        pid = cursor.connection.info.backend_pid
    _end_session_from_elsewhere(pid)
    assert client.post(form_url(point), answer(fields, hai_long="3")).status_code == 302
    assert PendingResponse.objects.filter(questionnaire=questionnaire).count() == 8
    assert stored().filter(questionnaire=questionnaire).count() == 8

"""Ids above 2^63 in the tracker's query string and in API bodies give 404 or a validation message."""

import pytest
from django.test import Client

from cchc.accounts.services import api_token_create
from cchc.directives.models import Directive
from cchc.testing.personas import Personas

from .conftest import make_task
from .test_api import call

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "9223372036854775808"])
def test_the_tracker_filtered_by_a_unit_id_above_64_bits_shows_an_empty_or_unfiltered_page(
    personas: Personas, value: str
) -> None:
    response = personas.client("secretariat").get("/directives/tracker/", {"unit": value})
    assert response.status_code in {200, 404}


def test_an_api_task_update_with_unit_ids_above_64_bits_is_a_validation_error(
    personas: Personas, directive: Directive
) -> None:
    task = make_task(personas, directive, personas.unit_a)
    assert call(personas, "secretariat", "get", f"/tasks/{task.pk}").status_code == 200
    _token, raw = api_token_create(actor=personas.secretariat, user=personas.secretariat, name="thử")
    response = Client().patch(
        f"/api/directives/tasks/{task.pk}",
        f'{{"unit_ids": [{HUGE}], "reason": "thử"}}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code in {400, 404, 422}
    assert list(task.assignments.values_list("unit_id", flat=True)) == [personas.unit_a.pk]


@pytest.mark.parametrize(
    "address",
    [
        f"/directives/tracker/?unit={HUGE}",
        f"/directives/tracker/?directive={HUGE}",
        f"/directives/tracker/export/?unit={HUGE}",
        f"/directives/tracker/export/?directive={HUGE}",
    ],
)
def test_tracker_pages_and_export_take_ids_above_64_bits_without_failing(personas: Personas, address: str) -> None:
    for role in ("secretariat", "admin"):
        assert personas.client(role).get(address).status_code in (200, 404)

"""Search boxes of list pages take any length of text without a server error (SQLite refuses long LIKE patterns)."""

import pytest
from django.test import Client

from cchc.accounts.services import api_token_create
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/units/", "/directives/"])
def test_a_search_of_200_000_characters_gives_a_page_not_a_server_error(personas: Personas, path: str) -> None:
    response = personas.client("secretariat").get(path, {"q": "y" * 200_000})
    assert response.status_code == 200


HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/directives/assignments?offset={HUGE}",
        f"/api/directives/assignments?limit=5&offset={2**63 - 1}",
        f"/api/directives/assignments?unit={HUGE}",
        f"/api/directives/assignments?directive={HUGE}",
        f"/api/directives/tasks/{HUGE}",
        f"/api/units/?offset={HUGE}",
        f"/api/units/{HUGE}/subtree",
        f"/api/frameworks/?year={HUGE}",
        f"/api/assessments/rounds/{HUGE}",
    ],
)
def test_api_ids_and_offsets_above_64_bits_give_an_empty_answer_404_or_422(personas: Personas, path: str) -> None:
    _token, raw = api_token_create(actor=personas.secretariat, user=personas.secretariat, name="thử")
    response = Client().get(path, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code in {200, 404, 422}

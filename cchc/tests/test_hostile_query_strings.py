"""Search boxes of list pages take any length of text without a server error (SQLite refuses long LIKE patterns)."""

import pytest

from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/units/", "/directives/"])
def test_a_search_of_200_000_characters_gives_a_page_not_a_server_error(personas: Personas, path: str) -> None:
    response = personas.client("secretariat").get(path, {"q": "y" * 200_000})
    assert response.status_code == 200

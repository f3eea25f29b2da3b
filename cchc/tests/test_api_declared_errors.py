"""Every error the API answers is declared in its OpenAPI schema, in the one error shape.

Found by the schema fuzzing (``test_api_schema_fuzz.py``): the PAR INDEX sheet and result endpoints answered 422 to
an id that is not a number without declaring it, and every endpoint answered the NUL filter's 400 undeclared, so a
client generated from the schema did not expect either answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cchc.accounts.services import api_token_create
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db

ERROR_SHAPE = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def secretariat_client(personas: Personas) -> Client:
    raw = api_token_create(actor=personas.secretariat, user=personas.secretariat, name="Kiểm thử")[1]
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _declared(schema: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    return schema["paths"][path][method]["responses"]


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/api/assessments/rounds/abc", "/api/assessments/rounds/{round_id}"),
        ("/api/assessments/abc", "/api/assessments/{assessment_id}"),
        ("/api/results/rounds/abc/ranking", "/api/results/rounds/{round_id}/ranking"),
        ("/api/results/rounds/1/units/abc", "/api/results/rounds/{round_id}/units/{assessment_id}"),
        ("/api/results/rounds/abc/points-lost", "/api/results/rounds/{round_id}/points-lost"),
    ],
)
def test_a_sheet_or_result_id_that_is_not_a_number_answers_a_422_the_schema_declares(
    schema: dict[str, Any], secretariat_client: Client, url: str, path: str
) -> None:
    response = secretariat_client.get(url)

    assert response.status_code == 422
    assert set(response.json()) == {"detail", "code", "field"}
    assert _declared(schema, path)["422"]["content"]["application/json"]["schema"] == ERROR_SHAPE


def test_a_nul_character_in_a_query_answers_a_400_that_every_operation_declares(
    schema: dict[str, Any], secretariat_client: Client, personas: Personas
) -> None:
    response = secretariat_client.get(f"/api/units/{personas.province.pk}/subtree", {"all": "\x00"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert responses["400"]["content"]["application/json"]["schema"] == ERROR_SHAPE, (method, path)
            assert "401" in responses, (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in responses, (method, path)


def test_the_common_errors_do_not_replace_what_an_operation_declares_itself(schema: dict[str, Any]) -> None:
    responses = _declared(schema, "/api/units/{unit_id}")

    assert responses["404"]["description"] == "Not Found"
    assert responses["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/UnitDetailOut"}
    assert set(_declared(schema, "/api/me")) == {"200", "400", "401"}

"""Every API write refuses unknown fields and wrong types with a Vietnamese 422, before anything is written.

The endpoints are read from the OpenAPI schema, so a new write endpoint is covered as soon as it exists.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from cchc.accounts.services import api_token_create
from cchc.api import api
from cchc.audit.models import AuditEntry
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch")
ENGLISH = ("Field required", "Input should", "Extra inputs", "Cannot parse", "valid integer", "not permitted")


def _schema() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix="/api")


def _json_writes() -> list[tuple[str, str, dict[str, Any]]]:
    """(method, url, body schema) of every write that takes a JSON body; path ids replaced by 1."""
    schema = _schema()
    writes = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if method in WRITE_METHODS and body:
                writes.append((method, re.sub(r"\{[^}]+\}", "1", path), _resolve(schema, body["schema"])))
    return writes


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return _resolve(schema, schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]])
    return node


def _type_of(schema: dict[str, Any], prop: dict[str, Any]) -> str:
    prop = _resolve(schema, prop)
    for option in prop.get("anyOf", [prop]):
        option = _resolve(schema, option)
        if option.get("type", "null") != "null":
            return str(option["type"]) if "type" in option else "object"
        if "enum" in option:
            return "string"
    return "object"


WRONG = {"string": 12345, "integer": "mười hai", "number": "mười hai", "boolean": "có lẽ", "array": "x", "object": 7}


def _call(client: Client, token: str, method: str, url: str, body: Any) -> Any:
    send = getattr(client, method)
    return send(url, data=json.dumps(body), content_type="application/json", headers={"Authorization": token})


def _state() -> tuple[int, ...]:
    from cchc.assessments.models import Score
    from cchc.directives.models import ProgressReport, Task

    return (AuditEntry.objects.count(), Score.objects.count(), Task.objects.count(), ProgressReport.objects.count())


@pytest.fixture
def token(personas: Personas) -> str:
    return f"Bearer {api_token_create(actor=None, user=personas.secretariat, name='Thử')[1]}"


def test_the_schema_lists_the_write_endpoints_that_take_json() -> None:
    urls = {url for _method, url, _body in _json_writes()}
    assert "/api/assessments/scores/1/self" in urls and "/api/directives/tasks/1" in urls


def test_every_json_write_refuses_an_unknown_field_in_vietnamese(token: str) -> None:
    client = Client()
    before = _state()
    for method, url, _body in _json_writes():
        response = _call(client, token, method, url, {"unknown_field": 1})
        assert response.status_code == 422, (method, url, response.content)
        detail = response.json()["detail"]
        assert "Trường “unknown_field” không được chấp nhận." in detail, (url, detail)
        assert not any(word in detail for word in ENGLISH), (url, detail)
    assert _state() == before


def test_every_json_write_refuses_a_wrong_type_for_every_field_in_vietnamese(token: str) -> None:
    client = Client()
    schema = _schema()
    before = _state()
    for method, url, body in _json_writes():
        for name, prop in body.get("properties", {}).items():
            wrong = WRONG[_type_of(schema, prop)]
            response = _call(client, token, method, url, {name: wrong})
            assert response.status_code == 422, (method, url, name, response.content)
            payload = response.json()
            assert payload["code"] == "invalid"
            assert f"“{name}" in payload["detail"], (url, name, payload)
            assert not any(word in payload["detail"] for word in ENGLISH), (url, name, payload)
    assert _state() == before


@pytest.mark.parametrize("body", [[1, 2], "x", 3, None])
def test_every_json_write_refuses_a_body_that_is_not_an_object(token: str, body: Any) -> None:
    client = Client()
    for method, url, _body in _json_writes():
        response = _call(client, token, method, url, body)
        assert response.status_code == 422, (method, url, response.content)
        assert "Nội dung gửi lên phải là một đối tượng JSON." in response.json()["detail"]


def test_a_body_that_is_not_json_answers_400_in_vietnamese(token: str) -> None:
    client = Client()
    for method, url, _body in _json_writes():
        send = getattr(client, method)
        response = send(url, data=b"{not json", content_type="application/json", headers={"Authorization": token})
        assert response.status_code == 400, (url, response.content)
        assert "không phải JSON hợp lệ" in response.json()["detail"]


def test_a_nul_character_anywhere_in_a_json_body_or_a_query_string_is_refused(token: str) -> None:
    client = Client()
    response = _call(client, token, "patch", "/api/directives/tasks/1", {"content": "a\u0000b"})
    assert response.status_code == 400 and "ký tự NUL" in response.json()["detail"]
    response = _call(client, token, "patch", "/api/directives/tasks/1", {"content": "a\\u0000b"})
    assert response.status_code != 400  # an escaped backslash followed by the letters u0000 is ordinary text
    response = client.get("/api/units/?q=a%00b", headers={"Authorization": token})
    assert response.status_code == 400 and "ký tự NUL" in response.json()["detail"]

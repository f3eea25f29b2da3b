"""The API documentation: served from bundled files and listing every units endpoint."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

_ASSET_URL_RE = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=[\"']([^\"']+)[\"']", re.IGNORECASE)


@pytest.fixture
def docs_html(db: None) -> str:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    return response.content.decode()


def test_the_docs_page_renders_without_a_token(docs_html: str) -> None:
    assert "swagger-ui" in docs_html
    assert "cchc API" in docs_html


def test_the_docs_page_loads_no_script_or_stylesheet_from_another_site(docs_html: str) -> None:
    urls = _ASSET_URL_RE.findall(docs_html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls)
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"{url} is loaded from another site"
    assert "cdn.jsdelivr.net" not in docs_html


def test_every_asset_of_the_docs_page_is_a_static_file_we_serve(docs_html: str) -> None:
    for url in _ASSET_URL_RE.findall(docs_html):
        assert url.startswith("/static/")
        assert finders.find(url.removeprefix("/static/")) is not None, url


def test_the_docs_page_turns_off_the_outside_schema_validator(docs_html: str) -> None:
    assert '"validatorUrl": null' in docs_html


def test_the_openapi_schema_lists_the_units_endpoints_and_the_error_shape(db: None) -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert {"/api/units/", "/api/units/{unit_id}", "/api/units/{unit_id}/subtree", "/api/me"} <= set(paths)
    listing = paths["/api/units/"]["get"]
    assert {"root", "kind", "q", "active_on", "all", "limit", "offset"} <= {p["name"] for p in listing["parameters"]}
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 1000
    for path in ("/api/units/", "/api/units/{unit_id}", "/api/units/{unit_id}/subtree"):
        responses = paths[path]["get"]["responses"]
        assert {"200", "401", "404"} <= set(responses)
        assert responses["401"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert set(schema["components"]["schemas"]["ErrorOut"]["required"]) == {"detail", "code"}
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"

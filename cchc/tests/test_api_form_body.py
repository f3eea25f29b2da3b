"""A form body sent to a JSON endpoint is a Vietnamese 400, not a crash."""

from __future__ import annotations

import pytest
from django.test import Client

from cchc.accounts.services import api_token_create
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db


def test_a_multipart_body_sent_to_a_json_endpoint_is_refused_in_vietnamese(personas: Personas) -> None:
    token, raw = api_token_create(actor=personas.admin, user=personas.admin, name="thử")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post(f"/api/users/{personas.admin.pk}/tokens/{token.pk}/revoke", data={"reason": "x"})
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert "phải là" in response.json()["detail"]

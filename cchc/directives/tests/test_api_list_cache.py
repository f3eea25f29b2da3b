"""The directives list of the API is kept in the cache under the version of the data it reads (decision 34).

What a caller is given is what they would be given without the cache: the token is checked at every request, the
list follows any write at the next request, and callers who may read different directives never share an answer.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cchc.accounts.models import ApiToken, User
from cchc.accounts.services import api_token_create, api_token_revoke
from cchc.directives import services
from cchc.directives.models import Directive
from cchc.testing.personas import Personas

from .conftest import make_directive, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


class Caller:
    """A client of the API with a token of its own."""

    def __init__(self, user: User) -> None:
        self.token, raw = api_token_create(actor=user, user=user, name="Kết nối thử")
        self.headers = {"Authorization": f"Bearer {raw}"}
        self.client = Client()

    def list(self, **params: Any) -> Any:
        return self.client.get("/api/directives/", params, headers=self.headers)


def _references(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["items"]]


def test_a_list_given_again_is_the_same_answer_read_with_only_the_token_and_the_versions(
    personas: Personas, directive: Directive
) -> None:
    caller = Caller(personas.secretariat)
    first = caller.list()
    second = caller.list()  # the token's last use was written at the first
    with CaptureQueriesContext(connection) as queries:
        third = caller.list()
    assert first.content == second.content == third.content
    assert third["Content-Type"] == first["Content-Type"] == "application/json; charset=utf-8"
    assert _references(third) == ["176/TB-UBND"]
    tables = [query["sql"].split(" FROM ")[1].split()[0].strip('"') for query in queries.captured_queries]
    assert tables == ["accounts_apitoken", "cchc_lib_dataversion"], tables


def test_a_cached_list_shows_a_new_directive_and_a_changed_one_at_the_next_request(
    personas: Personas, directive: Directive
) -> None:
    caller = Caller(personas.secretariat)
    assert _references(caller.list()) == ["176/TB-UBND"]
    make_directive(personas, reference="12/KH-UBND", issued_on=datetime.date(2025, 9, 1))
    assert _references(caller.list()) == ["12/KH-UBND", "176/TB-UBND"]
    data = services.DirectiveData(
        kind=directive.kind,
        subject="Chủ đề mới",
        issuing_unit=directive.issuing_unit,
        reference=directive.reference,
        issued_on=directive.issued_on,
        signer=directive.signer,
    )
    services.directive_update(actor=personas.secretariat, directive=directive, data=data)
    subjects = {row["reference"]: row["subject"] for row in caller.list().json()["items"]}
    assert subjects["176/TB-UBND"] == "Chủ đề mới"


def test_a_renamed_issuing_unit_is_shown_at_the_next_request(personas: Personas, directive: Directive) -> None:
    caller = Caller(personas.secretariat)
    assert caller.list().json()["items"][0]["issuing_unit"] == personas.province.name
    type(personas.province).objects.filter(pk=personas.province.pk).update(name="Ủy ban nhân dân tỉnh mới")
    assert caller.list().json()["items"][0]["issuing_unit"] == "Ủy ban nhân dân tỉnh mới"


def test_a_revoked_token_is_refused_at_the_next_request_although_the_list_is_cached(
    personas: Personas, directive: Directive
) -> None:
    caller = Caller(personas.secretariat)
    other = Caller(personas.secretariat)  # the same scope: the list stays in the cache for them
    assert caller.list().status_code == 200 and other.list().status_code == 200
    api_token_revoke(actor=personas.secretariat, token=ApiToken.objects.get(pk=caller.token.pk))
    refused = caller.list()
    assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"
    assert _references(other.list()) == ["176/TB-UBND"]


def test_an_expired_token_is_refused_although_the_list_is_cached(personas: Personas, directive: Directive) -> None:
    caller = Caller(personas.secretariat)
    assert caller.list().status_code == 200
    with time_machine.travel(caller.token.expires_at + datetime.timedelta(seconds=1), tick=False):
        refused = caller.list()
    assert refused.status_code == 401 and "hết hạn" in refused.json()["detail"]


def test_a_locked_account_is_refused_at_the_next_request(personas: Personas, directive: Directive) -> None:
    caller = Caller(personas.leader)
    assert caller.list().status_code == 200
    User.objects.filter(pk=personas.leader.pk).update(is_active=False)
    assert caller.list().status_code == 401


def test_callers_who_read_different_directives_never_share_a_cached_list(personas: Personas) -> None:
    here = make_directive(personas)
    make_task(personas, here, personas.unit_a)
    elsewhere = make_directive(personas, reference="9/TB-UBND", issuing_unit=personas.other_province)
    make_task(personas, elsewhere, personas.other_commune)
    secretariat, focal_b = Caller(personas.secretariat), Caller(personas.focal_b)
    assert _references(secretariat.list()) == ["176/TB-UBND"]
    assert _references(focal_b.list()) == []
    assert _references(secretariat.list()) == ["176/TB-UBND"]
    assert sorted(_references(Caller(personas.admin).list())) == ["176/TB-UBND", "9/TB-UBND"]


def test_work_given_to_ones_unit_shows_its_directive_at_the_next_request(personas: Personas) -> None:
    elsewhere = make_directive(personas, reference="9/TB-UBND", issuing_unit=personas.other_province)
    make_task(personas, elsewhere, personas.other_commune)
    caller = Caller(personas.focal_b)
    assert _references(caller.list()) == []
    make_task(personas, elsewhere, personas.unit_b)
    assert _references(caller.list()) == ["9/TB-UBND"]


def test_each_page_of_the_list_is_its_own_answer_and_errors_are_not_kept(personas: Personas) -> None:
    for number in range(3):
        make_directive(personas, reference=f"{number + 1}/TB-UBND", issued_on=datetime.date(2025, 8, number + 1))
    caller = Caller(personas.secretariat)
    assert _references(caller.list(limit=1)) == ["3/TB-UBND"]
    assert _references(caller.list(limit=1, offset=1)) == ["2/TB-UBND"]
    assert caller.list(limit=1).json()["count"] == 3
    assert _references(caller.list()) == ["3/TB-UBND", "2/TB-UBND", "1/TB-UBND"]
    for _ in range(2):
        refused = caller.list(limit=0)
        assert refused.status_code == 422 and refused.json()["field"] == "limit"


def test_the_same_list_is_given_with_and_without_the_cache(personas: Personas, directive: Directive) -> None:
    make_task(personas, directive, personas.unit_a, personas.unit_b)
    caller = Caller(personas.secretariat)
    made = caller.list()
    kept = caller.list()
    cache.clear()
    again = caller.list()
    assert made.content == kept.content == again.content

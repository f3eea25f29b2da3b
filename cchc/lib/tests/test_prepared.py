"""Reads by key whose SQL is built once per process (``cchc.lib.prepared``): the same rows as the queryset's."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from cchc.accounts.models import User
from cchc.lib.prepared import PreparedRead, PreparedValues
from cchc.organisations.models import Membership
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db


def _values(instance: Any) -> dict[str, Any]:
    values = {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}
    for name, related in instance._state.fields_cache.items():
        values[name] = _values(related) if related is not None else None
    return values


@pytest.fixture
def membership(personas: Personas) -> Membership:
    found = Membership.objects.filter(user=personas.focal_a).first()
    assert found is not None
    return found


def test_a_row_read_by_its_prepared_statement_equals_the_querysets_and_the_statement_is_built_once(
    membership: Membership,
) -> None:
    read = PreparedRead(Membership, lambda pk: Membership.objects.filter(pk=pk).select_related("user", "unit__parent"))
    first = read.one(membership.pk)
    with CaptureQueriesContext(connection) as queries:
        again = read.one(membership.pk)
        missing = read.one(membership.pk + 1000)
    expected = Membership.objects.select_related("user", "unit__parent").get(pk=membership.pk)
    assert first is not None and again is not None and missing is None
    assert _values(first) == _values(again) == _values(expected)
    assert again.unit.parent is not None and again.unit.parent.pk == expected.unit.parent_id
    assert len(queries.captured_queries) == 2 and queries.captured_queries[0]["sql"] == queries.captured_queries[1][
        "sql"
    ].replace(str(membership.pk + 1000), str(membership.pk))


def test_a_statement_taking_its_key_twice_is_read_through_the_queryset_each_time(membership: Membership) -> None:
    read = PreparedRead(User, lambda key: User.objects.filter(Q(username=key) | Q(email=key)), key_is_text=True)
    user = membership.user
    user.email = "daumoi@phutho.gov.vn"
    user.save(update_fields=["email"])
    # Found by the second place the key takes: a statement run with the key put in only one place would miss it.
    for key in (user.username, user.email):
        found = read.one(key)
        assert found is not None and _values(found) == _values(User.objects.get(pk=user.pk)), key
    assert read.one("khong-co") is None


def test_an_annotation_read_by_the_prepared_statement_is_set_on_the_instance_as_the_queryset_sets_it(
    membership: Membership,
) -> None:
    def build(pk: Any) -> Any:
        others = Membership.objects.filter(unit=OuterRef("unit")).exclude(pk=OuterRef("pk"))
        return Membership.objects.filter(pk=pk).select_related("unit").annotate(shared=Exists(others))

    read = PreparedRead(Membership, build)
    Membership.objects.filter(unit=membership.unit).exclude(pk=membership.pk).delete()
    for expected in (False, True):
        if expected:
            Membership.objects.create(user=User.objects.create_user("them", password=None), unit=membership.unit)
        found = read.one(membership.pk)
        queried = build(membership.pk).get()
        assert found is not None and found.shared is queried.shared is expected  # type: ignore[attr-defined]
        assert _values(found) == _values(queried)
    # Read by the statement built once, not through the queryset each time (which would also set the annotation).
    assert read._statements and None not in read._statements.values()


@pytest.mark.parametrize("key", [2**63, -(2**63) - 1, 5745741990988126062090272112640])
def test_an_integer_key_outside_64_bits_finds_nothing_as_the_orm_finds_nothing(
    membership: Membership, key: int
) -> None:
    read = PreparedRead(Membership, lambda pk: Membership.objects.filter(pk=pk))
    assert read.one(membership.pk) is not None  # the statement is built
    assert read.one(key) is None
    assert not Membership.objects.filter(pk=key).exists()


def test_values_read_by_their_prepared_statement_equal_the_querysets_and_the_statement_is_built_once(
    personas: Personas,
) -> None:
    def build(user_id: Any) -> Any:
        return Membership.objects.filter(user_id=user_id).order_by("-unit_id").values_list("unit_id", flat=True)

    read = PreparedValues(Membership, build)
    first = read.all(personas.focal_a.pk)
    with CaptureQueriesContext(connection) as queries:
        again = read.all(personas.focal_a.pk)
        missing = read.all(personas.focal_a.pk + 1000)
    assert first == again == list(build(personas.focal_a.pk)) and first
    assert missing == [] and read.all(2**70) == []
    assert [query["sql"] for query in queries.captured_queries] == [
        str(build(personas.focal_a.pk).query),
        str(build(personas.focal_a.pk + 1000).query),
    ]


def test_a_queryset_of_whole_rows_given_for_values_is_read_through_the_orm(personas: Personas) -> None:
    read = PreparedValues(Membership, lambda user_id: Membership.objects.filter(user_id=user_id).order_by("pk"))
    assert read.all(personas.focal_a.pk) == list(Membership.objects.filter(user_id=personas.focal_a.pk).order_by("pk"))

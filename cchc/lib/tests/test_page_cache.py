"""Sections of pages kept under the version of the data they read: every kind of write moves the version of its app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cchc.accounts.models import ApiToken, User
from cchc.accounts.services import api_token_create
from cchc.lib import page_cache
from cchc.lib.models import DataVersion
from cchc.organisations.models import Unit, UnitKind
from cchc.testing.personas import Personas


def _version(label: str) -> tuple[str, int, int]:
    return page_cache.versions([label])[0]


def _stored_organisations() -> int:
    """The organisations' version as every other process reads it (the table, not this process's counter)."""
    row = DataVersion.objects.filter(area="organisations").first()
    return row.counter if row else 0


@pytest.mark.django_db
def test_a_save_an_update_a_bulk_insert_raw_sql_and_a_delete_each_move_the_version_of_their_app_only(
    personas: Personas,
) -> None:
    unit = personas.unit_a
    before = _version("organisations"), _version("accounts")
    unit.name = "Sở Tư pháp mới"
    unit.save()
    after_save = _version("organisations"), _version("accounts")
    Unit.objects.filter(pk=unit.pk).update(name="Sở Tư pháp")
    after_update = _version("organisations")
    [extra] = Unit.objects.bulk_create([Unit(name="Tỉnh Thêm", kind=UnitKind.PROVINCE, code="T-THEM", path="zz")])
    after_bulk = _version("organisations")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE organisations_unit SET name = %s WHERE id = %s", ["Xã Thêm Mới", extra.pk])
    after_raw = _version("organisations")
    Unit.objects.filter(pk=extra.pk).delete()
    after_delete = _version("organisations")
    steps = [before[0], after_save[0], after_update, after_bulk, after_raw, after_delete]
    assert len(set(steps)) == len(steps)
    assert after_save[1] == before[1]  # nothing of the accounts' tables was written


@pytest.mark.django_db
def test_a_section_is_computed_once_then_again_after_a_write_to_an_app_it_reads(personas: Personas) -> None:
    made: list[str] = []

    def section() -> str:
        made.append(Unit.objects.get(pk=personas.unit_a.pk).name)
        return made[-1]

    def read(scope: str = "province") -> str:
        return page_cache.fragment("test.section", reads=["organisations"], scope=scope, compute=section)

    assert [read(), read()] == ["Sở Tư pháp", "Sở Tư pháp"] and len(made) == 1
    read("another scope")
    assert len(made) == 2
    personas.focal_a.full_name = "Tên mới"
    personas.focal_a.save()  # the accounts' tables: not read by the section
    assert read() == "Sở Tư pháp" and len(made) == 2
    Unit.objects.filter(pk=personas.unit_a.pk).update(name="Sở Tư pháp và Pháp chế")
    assert read() == "Sở Tư pháp và Pháp chế" and len(made) == 3


@pytest.mark.django_db(transaction=True)
def test_the_stored_version_every_process_reads_moves_when_the_write_commits_and_not_when_it_rolls_back() -> None:
    start = _stored_organisations()
    with transaction.atomic():
        Unit.objects.create(name="Tỉnh Thử", kind=UnitKind.PROVINCE, code="T-THU", path="yy")
        Unit.objects.filter(code="T-THU").update(name="Tỉnh Thử Nghiệm")
        assert _stored_organisations() == start  # not before the commit
    assert _stored_organisations() == start + 1  # once per transaction, after it
    with pytest.raises(RuntimeError), transaction.atomic():
        Unit.objects.filter(code="T-THU").update(name="Tỉnh Khác")
        raise RuntimeError
    assert _stored_organisations() == start + 1
    Unit.objects.filter(code="T-THU").update(name="Tỉnh Thử Lại")  # autocommit: at once
    assert _stored_organisations() == start + 2


@pytest.mark.django_db(transaction=True)
def test_versions_stored_before_the_commit_move_once_with_the_data_and_not_at_all_when_it_rolls_back() -> None:
    start = _stored_organisations()
    with transaction.atomic():
        Unit.objects.create(name="Tỉnh Thử", kind=UnitKind.PROVINCE, code="T-THU", path="yy")
        page_cache.store_before_commit()
        # In the transaction itself: seen by others only with the data, at the commit.
        assert _stored_organisations() == start + 1
        page_cache.store_before_commit()  # nothing written since: nothing stored again
        assert _stored_organisations() == start + 1
    assert _stored_organisations() == start + 1  # no second move after the commit
    with transaction.atomic():
        Unit.objects.filter(code="T-THU").update(name="Tỉnh Thử Nghiệm")
        page_cache.store_before_commit()
        Unit.objects.filter(code="T-THU").update(name="Tỉnh Thử Lần Hai")  # after it: stored after the commit
    assert _stored_organisations() == start + 3
    local = _version("organisations")[2]
    with pytest.raises(RuntimeError), transaction.atomic():
        Unit.objects.filter(code="T-THU").update(name="Tỉnh Khác")
        page_cache.store_before_commit()
        raise RuntimeError
    assert _stored_organisations() == start + 3  # rolled back with the data
    # A section made inside the rolled-back transaction is never found again: this process moves on once more.
    assert _version("organisations")[2] == local + 2
    page_cache.store_before_commit()  # outside a transaction: nothing to do
    assert _stored_organisations() == start + 3


@pytest.mark.django_db
def test_sections_read_together_share_one_read_of_the_versions_and_each_is_made_again_after_a_write(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    made: list[str] = []

    def section(label: str) -> Callable[[], str]:
        def compute() -> str:
            made.append(label)
            return f"{label}: {Unit.objects.get(pk=personas.unit_a.pk).name}"

        return compute

    def read() -> list[str]:
        return page_cache.fragments(
            ["organisations"], [("test.one", "scope", section("one")), ("test.two", "scope", section("two"))]
        )

    with django_assert_num_queries(3):  # the versions, then each section's unit
        assert read() == ["one: Sở Tư pháp", "two: Sở Tư pháp"]
    with django_assert_num_queries(1):  # the versions only
        assert read() == ["one: Sở Tư pháp", "two: Sở Tư pháp"]
    assert page_cache.fragment("test.two", reads=["organisations"], scope="scope", compute=section("three")) == (
        "two: Sở Tư pháp"
    )
    Unit.objects.filter(pk=personas.unit_a.pk).update(name="Sở Tư pháp và Pháp chế")
    assert read() == ["one: Sở Tư pháp và Pháp chế", "two: Sở Tư pháp và Pháp chế"]
    assert made == ["one", "two", "one", "two"]


@pytest.mark.django_db
def test_sections_of_different_apps_read_together_are_each_made_again_only_after_a_write_to_what_they_read(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    made: list[str] = []

    def unit_name() -> str:
        made.append("unit")
        return Unit.objects.get(pk=personas.unit_a.pk).name

    def person_name() -> str:
        made.append("person")
        return User.objects.get(pk=personas.focal_a.pk).full_name

    def read() -> list[str]:
        return page_cache.sections_of(
            [
                ("test.unit", ["organisations"], "scope", unit_name),
                ("test.person", ["accounts"], "scope", person_name),
            ]
        )

    first = read()
    with django_assert_num_queries(1):  # the versions only
        assert read() == first
    User.objects.filter(pk=personas.focal_a.pk).update(full_name="Đầu Mối Mới")
    assert read() == [first[0], "Đầu Mối Mới"]
    assert made == ["unit", "person", "person"]


@pytest.mark.django_db
def test_an_update_of_only_columns_no_section_shows_moves_no_version_and_any_other_write_of_the_row_does(
    personas: Personas,
) -> None:
    user = personas.focal_a
    start = _version("accounts")
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())  # as a sign-in writes it
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    api_token_create(actor=user, user=user, name="Kết nối thử")  # an INSERT: moves it
    after_token = _version("accounts")
    assert after_token != start
    ApiToken.objects.filter(user=user).update(last_used_at=timezone.now())  # as an API request writes it
    assert _version("accounts") == after_token
    steps = [after_token]
    User.objects.filter(pk=user.pk).update(last_login=timezone.now(), full_name="Tên mới")  # another column too
    steps.append(_version("accounts"))
    user.full_name = "Tên khác"
    user.save()  # every column
    steps.append(_version("accounts"))
    with connection.cursor() as cursor:  # not a placeholder: whatever it is, it counts
        cursor.execute("UPDATE accounts_user SET last_login = CURRENT_TIMESTAMP WHERE id = %s", [user.pk])
    steps.append(_version("accounts"))
    assert len(set(steps)) == len(steps)


@pytest.mark.django_db
def test_a_section_made_inside_a_transaction_that_is_rolled_back_is_made_again_afterwards(personas: Personas) -> None:
    made: list[str] = []

    def read() -> str:
        def compute() -> str:
            made.append(Unit.objects.get(pk=personas.unit_a.pk).name)
            return made[-1]

        return page_cache.fragment("test.rolled_back", reads=["organisations"], scope="s", compute=compute)

    assert read() == "Sở Tư pháp"
    with pytest.raises(RuntimeError), transaction.atomic():
        Unit.objects.filter(pk=personas.unit_a.pk).update(name="Tên không bao giờ lưu")
        assert read() == "Tên không bao giờ lưu"  # its own write, at once
        raise RuntimeError
    assert read() == "Sở Tư pháp" and made == ["Sở Tư pháp", "Tên không bao giờ lưu", "Sở Tư pháp"]
    assert read() == "Sở Tư pháp" and len(made) == 3  # and cached again from there


@pytest.mark.django_db
def test_a_request_reads_every_version_with_the_statement_the_orm_would_build_and_finds_what_it_would(
    personas: Personas,
) -> None:
    Unit.objects.filter(pk=personas.unit_a.pk).update(name="Sở Tư pháp và Pháp chế")
    by_orm = DataVersion.objects.values_list("area", "counter")
    assert str(by_orm.query) == page_cache._READ_ALL
    page_cache.begin_request()
    try:
        found = page_cache.versions(["organisations", "accounts", "no_such_app"])
    finally:
        page_cache.end_request()
    stored = dict(by_orm)
    assert [(label, committed) for label, committed, _local in found] == [
        ("accounts", stored.get("accounts", 0)),
        ("no_such_app", 0),
        ("organisations", stored["organisations"]),
    ]

"""On PostgreSQL, parameters are bound apart from the statement and a statement run often is prepared (decision 43)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from cchc.organisations.models import Unit
from cchc.testing.personas import Personas


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_statement_run_five_times_on_a_connection_is_prepared_there_and_finds_the_same_rows(
    personas: Personas,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements: PostgreSQL")
    assert settings.DATABASES["default"]["OPTIONS"]["server_side_binding"] is True
    units = list(Unit.objects.order_by("pk").values_list("pk", "name"))
    found = [Unit.objects.filter(pk=pk).values_list("pk", "name").get() for pk, _name in units[:8]]
    assert found == units[:8]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert 'SELECT "organisations_unit"."id" AS "pk", "organisations_unit"."name" AS "name" FROM' in " ".join(prepared)
    # A text with quotes and a percent sign travels apart from the statement, as it is.
    name = "Sở 'Thử' 100% – \"mới\""
    Unit.objects.filter(pk=units[0][0]).update(name=name)
    assert Unit.objects.get(pk=units[0][0]).name == name

"""Ids beyond what a database key holds are "no such record", never a database error."""

import pytest

from cchc.lib.ids import MAX_ID, parse_id
from cchc.organisations.models import Unit

pytestmark = pytest.mark.django_db

HUGE = 99999999999999999999999


def test_parse_id_accepts_only_positive_64_bit_numbers():
    assert parse_id("42") == 42 and parse_id(str(MAX_ID)) == MAX_ID
    for value in (str(MAX_ID + 1), str(HUGE), "-1", "0", "", "x", "1.5", "١٢", None, True):
        assert parse_id(value) is None


def test_in_lookups_with_out_of_range_integers_match_nothing_instead_of_failing(personas):
    assert list(Unit.objects.filter(pk__in=[HUGE])) == []
    assert list(Unit.objects.filter(pk__in=[str(-HUGE)])) == []
    assert list(Unit.objects.filter(pk__in=[HUGE, personas.unit_a.pk])) == [personas.unit_a]
    assert list(Unit.objects.filter(parent__in=[HUGE])) == []
    assert Unit.objects.in_bulk([HUGE]) == {}


def test_exact_lookups_on_foreign_keys_with_out_of_range_integers_match_nothing(personas):
    assert list(Unit.objects.filter(parent_id=HUGE)) == []
    assert list(Unit.objects.filter(parent=-HUGE)) == []
    assert Unit.objects.filter(parent_id=personas.province.pk).exists()

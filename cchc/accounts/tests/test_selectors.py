"""Finding people by name, whatever the accents and case typed."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.accounts.models import User
from cchc.accounts.selectors import search_users
from cchc.lib.text import fold

SYLLABLES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Đặng",
    "Thị",
    "Văn",
    "Ngọc",
    "Ánh",
    "Đức",
    "Quỳnh",
    "Ưng",
]
names = st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=4).map(" ".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(full_name=names, typed=st.sampled_from(["folded", "upper", "exact", "decomposed"]))
def test_any_spelling_of_a_name_finds_the_person(db: None, full_name: str, typed: str) -> None:
    User.objects.all().delete()
    person = User.objects.create(username="canbo", full_name=full_name)
    User.objects.create(username="nguoikhac", full_name="Zô Zê")
    query = {
        "folded": fold(full_name),
        "upper": full_name.upper(),
        "exact": full_name,
        "decomposed": unicodedata.normalize("NFD", full_name),
    }[typed]
    assert list(search_users(User.objects.all(), query)) == [person]


def test_searching_with_nothing_returns_everybody_and_unknown_words_nobody(db: None) -> None:
    User.objects.create(username="a", full_name="Lê Văn A")
    User.objects.create(username="b", full_name="Lê Thị B")
    assert search_users(User.objects.all(), "  ").count() == 2
    assert search_users(User.objects.all(), "le").count() == 2
    assert search_users(User.objects.all(), "le thi").count() == 1
    assert search_users(User.objects.all(), "trần").count() == 0


def test_search_stays_inside_the_given_queryset(db: None) -> None:
    inside = User.objects.create(username="trong", full_name="Lê Trong")
    User.objects.create(username="ngoai", full_name="Lê Ngoài")
    assert list(search_users(User.objects.filter(pk=inside.pk), "le")) == [inside]

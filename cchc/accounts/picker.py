"""The person picker: a searchable replacement for the plain ``<select>`` of every person a form may offer.

It is the unit picker (:mod:`cchc.organisations.widgets`) for people:

* **Few people** (at most ``PERSON_PICKER_SELECT_LIMIT``, 200 by default): the plain select, exactly as before.
* **Many people**: a text box that searches by name, username or e-mail address ignoring case and diacritics
  (``nguyen van an`` finds “Nguyễn Văn An”), a list of at most :data:`RESULT_LIMIT` matches showing each person's
  username, e-mail address and units, and the chosen person as a chip. The value submitted is still the person's
  primary key, so the field's queryset and validation are unchanged.

The search runs on ``accounts:user_search``. The field declares its scope by name and arguments in
:data:`PERSON_SCOPES` (``("people.joinable", {"unit": 12})``: the active people the user manages who are not yet
members of unit 12); the token signs them with the secret key (:mod:`cchc.organisations.picker`). The endpoint
computes that scope for the signed-in user and keeps the people that user may manage
(``access.get_users_for_user``), so a token can only narrow that set.

Without JavaScript the text box is searched when the form is submitted, as for units.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Iterable
from itertools import chain
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cchc.lib.text import fold, search_key, sort_key
from cchc.lib.types import Viewer
from cchc.organisations.models import Membership
from cchc.organisations.picker import Scope, ScopeRegistry
from cchc.organisations.widgets import (
    CANDIDATE_LIMIT,
    PATH_SEPARATOR,
    QUERY_MAX_LENGTH,
    RESULT_LIMIT,
    SearchPickerFieldMixin,
    SearchPickerWidget,
)

from . import access
from .models import User

# Units named after a person in the results; more are shown as “…”.
UNITS_SHOWN = 2
DETAIL_SEPARATOR = " · "

PERSON_SCOPES = ScopeRegistry(model=User, salt="cchc.accounts.person-picker", readable=access.get_users_for_user)


def person_scope(viewer: Viewer, name: str, **args: Any) -> Scope:
    """The person scope ``name`` with ``args`` for ``viewer`` (see :data:`PERSON_SCOPES`)."""
    return PERSON_SCOPES(viewer, name, **args)


@PERSON_SCOPES.register("people.joinable")
def joinable_people(viewer: Viewer, *, unit: int) -> QuerySet[User]:
    """The active people the viewer manages who are not members of ``unit``: who may be added to it."""
    return access.get_users_for_user(viewer).filter(is_active=True).exclude(memberships__unit=int(unit))


# ---------------------------------------------------------------------------
# Search


# Digits, basic Latin letters, Latin-1, Latin Extended-A and -B, Latin Extended Additional (Vietnamese letters).
_SCREENED_RANGES = (range(0x30, 0x3A), range(0x41, 0x5B), range(0x61, 0x7B), range(0xC0, 0x250), range(0x1E00, 0x1F00))


def _letter_variants() -> dict[str, str]:
    """For each letter or digit, a regular-expression class of every Latin letter that folds to it (``a`` → ``[aàá…]``).

    The table is derived from :func:`cchc.lib.text.fold`, so the quick screening below and the exact check agree.
    """
    groups: dict[str, set[str]] = {}
    for code in chain(*_SCREENED_RANGES):
        char = chr(code)
        folded = fold(char)
        if len(folded) == 1 and folded.isalnum() and len(char.casefold()) == 1:
            groups.setdefault(folded, {folded}).add(char.casefold())
    return {base: "[" + "".join(sorted(chars)) + "]" for base, chars in groups.items()}


_VARIANTS = _letter_variants()
# Combining marks that NFC could not compose with the letter before them; folding drops them.
_MARKS = "[\u0300-\u036f]*"


def _screen(word: str) -> re.Pattern[str]:
    """A pattern that finds ``word`` (a search key word) in NFC, case-folded text with or without diacritics."""
    return re.compile("".join(_VARIANTS.get(char, re.escape(char)) + _MARKS for char in word))


def _display_name(full_name: str, first_name: str, last_name: str, username: str) -> str:
    """As :attr:`User.display_name`, from the columns alone."""
    return full_name or f"{first_name} {last_name}".strip() or username


def search_people(people: QuerySet[User], query: str, *, limit: int = RESULT_LIMIT) -> tuple[list[User], bool]:
    """At most ``limit`` people of ``people`` matching ``query``, best first, and whether more matched.

    A person matches when every word of the query occurs in their name, username or e-mail address, ignoring case
    and diacritics. Ranking: the exact username or e-mail address, the exact name, names starting with the query,
    names containing it as whole words, then the rest; within each, in Vietnamese alphabetical order. No database
    folds Vietnamese diacritics, so the (already scoped) rows are read and screened here: a regular expression per
    word picks the candidates and :func:`cchc.lib.text.search_key` confirms them.
    """
    key = search_key(query[:QUERY_MAX_LENGTH])
    words = key.split()
    screens = [_screen(word) for word in words]
    columns = ("pk", "username", "full_name", "first_name", "last_name", "email")
    candidates: dict[int, tuple[str, str, str]] = {}
    for pk, username, full_name, first_name, last_name, email in people.order_by().values_list(*columns):
        if pk in candidates:
            continue
        name = _display_name(full_name, first_name, last_name, username)
        if words:
            text = f"{full_name} {first_name} {last_name} {username} {email}"
            screened = unicodedata.normalize("NFC", text).casefold()
            if not all(screen.search(screened) for screen in screens):
                continue
            folded = search_key(text)
            if not all(word in folded for word in words):
                continue
        candidates[pk] = (name, username, email)

    def position(item: tuple[str, str, str]) -> int:
        name, username, email = item
        if not key or key in (search_key(username), search_key(email)):
            return 0
        name_key = search_key(name)
        if name_key == key:
            return 1
        if name_key.startswith(key):
            return 2
        return 3 if f" {key}" in f" {name_key}" else 4

    ranked = [(position(item), item[0].casefold(), item[1], pk) for pk, item in candidates.items()]
    # Vietnamese order is costly to compute; it is computed for the best few hundred only.
    best = heapq.nsmallest(max(CANDIDATE_LIMIT, limit + 1), ranked)
    best.sort(key=lambda row: (row[0], sort_key(candidates[row[3]][0]), row[2]))
    chosen = [row[3] for row in best[:limit]]
    found = User.objects.in_bulk(chosen)
    return [found[pk] for pk in chosen if pk in found], len(ranked) > limit


def person_details(people: Iterable[User]) -> dict[int, tuple[str, str]]:
    """For each person, their name and the detail that tells namesakes apart (username · e-mail · units); one query."""
    people = list(people)
    units: dict[int, list[str]] = {}
    memberships = (
        Membership.objects.filter(user__in=[person.pk for person in people])
        .order_by("unit__path")
        .values_list("user_id", "unit__name")
    )
    for user_id, unit_name in memberships:
        units.setdefault(user_id, []).append(unit_name)
    details: dict[int, tuple[str, str]] = {}
    for person in people:
        names = units.get(person.pk, [])
        unit_text = ", ".join(names[:UNITS_SHOWN]) + (", …" if len(names) > UNITS_SHOWN else "")
        parts = [person.username, person.email, unit_text]
        details[person.pk] = (person.display_name, DETAIL_SEPARATOR.join(part for part in parts if part))
    return details


def person_result(person: User, details: dict[int, tuple[str, str]]) -> dict[str, Any]:
    """One search result as the endpoint returns it."""
    name, detail = details[person.pk]
    return {
        "id": person.pk,
        "name": name,
        "username": person.username,
        "email": person.email,
        "detail": detail,
        "label": f"{name}{PATH_SEPARATOR}{detail}" if detail else name,
    }


# ---------------------------------------------------------------------------
# Widget and field


class PersonPickerWidget(SearchPickerWidget):
    """Chooses one person: a plain select for few people, a search box for many (see the module docstring)."""

    template_name = "accounts/widgets/person_picker.html"
    search_url_name = "accounts:user_search"
    limit_setting = "PERSON_PICKER_SELECT_LIMIT"
    id_prefix = "person-picker"
    log_name = "Person picker"
    no_match_message = _("Không tìm thấy người dùng nào khớp với “%(text)s” trong phạm vi được chọn.")
    several_matches_message = _(
        "Có nhiều người dùng khớp với “%(text)s”: hãy chọn trong danh sách kết quả rồi gửi lại."
    )
    problem_code = "person_search"

    def search(self, queryset: QuerySet[Any], text: str) -> tuple[list[Any], bool]:
        return search_people(queryset, text)

    def describe_rows(self, rows: list[Any]) -> dict[Any, tuple[str, str]]:
        return person_details(rows)

    def default_order(self, rows: list[Any]) -> list[Any]:
        """People in Vietnamese order of their names (then user names)."""
        return sorted(rows, key=lambda person: (sort_key(person.display_name), person.username, person.pk))


class PersonChoiceField(SearchPickerFieldMixin, forms.ModelChoiceField):
    """One person of its scope (``scope=``, a named scope of :data:`PERSON_SCOPES`): a plain select for few people, a
    search box for many.

    The value is still the person's primary key, checked against the queryset, which is what the scope gives.
    """

    widget = PersonPickerWidget

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.username})"

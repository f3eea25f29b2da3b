"""The unit picker: its search endpoint (permissions, scope tokens, diacritics, the limit), its named scopes, and
the forms that use it (validation unchanged, search without JavaScript)."""

from __future__ import annotations

import datetime
import re
from copy import deepcopy
from html import unescape
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cchc.accounts import roles
from cchc.accounts.forms import RoleGrantForm
from cchc.accounts.models import User
from cchc.organisations.forms import UnitCreateForm, UnitMergeForm
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.picker import SIGNING_SALT, UNIT_SCOPES, Scope, ScopeError, unit_scope
from cchc.organisations.services import UnitData, unit_create
from cchc.organisations.widgets import RESULT_LIMIT, ScopedQuerysetError
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db

SEARCH = reverse("organisations:unit_search")
TOKEN_RE = re.compile(r'data-url="([^"]+)"')


def _search(client: Client, token: str, query: str) -> Any:
    return client.get(SEARCH, {"scope": token, "q": query})


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


# Scopes only these tests name: every unit, the subtree of one unit, the units of one kind.
UNIT_SCOPES.register("tests.every_unit")(lambda viewer: Unit.objects.all())
UNIT_SCOPES.register("tests.subtree")(lambda viewer, *, root: Unit.objects.subtree_of(Unit.objects.get(pk=root)))
UNIT_SCOPES.register("tests.kind")(lambda viewer, *, kind, manage=False: _kind_scope(viewer, kind, manage))


def _kind_scope(viewer: Any, kind: str, manage: bool) -> Any:
    units = roles.get_units_for_user(viewer, manage=True) if manage else Unit.objects.all()
    return units.filter(kind=kind)


def scope_token(name: str = "tests.every_unit", **args: Any) -> str:
    return UNIT_SCOPES.token(name, args)


@pytest.fixture
def many(settings: Any) -> None:
    """Every unit field searches instead of listing, as it would with thousands of units."""
    settings.UNIT_PICKER_SELECT_LIMIT = 2


# ---------------------------------------------------------------------------
# Who may search


def test_an_anonymous_visitor_is_sent_to_the_login_page(personas: Personas) -> None:
    response = _search(Client(), scope_token(), "xa")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_signed_in_user_without_any_role_is_refused(personas: Personas) -> None:
    nobody = User.objects.create(username="khongvaitro")
    client = Client()
    client.force_login(nobody)
    assert _search(client, scope_token(), "xa").status_code == 403


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("admin", ["Xã Hòa Bình", "Xã Ngoài Phạm Vi"]),
        ("secretariat", ["Xã Hòa Bình"]),
        ("leader", ["Xã Hòa Bình"]),
        ("focal_a", ["Xã Hòa Bình"]),
        ("focal_b", ["Xã Hòa Bình"]),
        ("supervisor", ["Xã Hòa Bình"]),
    ],
)
def test_a_token_for_every_unit_still_finds_only_what_the_user_may_read(
    personas: Personas, name: str, expected: list[str]
) -> None:
    token = scope_token()
    assert sorted(_names(_search(personas.client(name), token, "xa"))) == expected


def test_a_focal_point_cannot_search_outside_their_scope_even_with_a_token_naming_another_province(
    personas: Personas,
) -> None:
    token = scope_token("tests.subtree", root=personas.other_province.pk)
    assert _names(_search(personas.client("focal_a"), token, "")) == []
    assert _names(_search(personas.client("focal_b"), token, "ngoai pham vi")) == []
    assert _names(_search(personas.client("admin"), token, "ngoai pham vi")) == ["Xã Ngoài Phạm Vi"]


def test_the_secretariat_searches_within_the_field_scope_it_was_given(personas: Personas) -> None:
    communes = scope_token("tests.kind", kind=UnitKind.COMMUNE.value, manage=True)
    everything_managed = scope_token("units.visible", manage=True)
    client = personas.client("secretariat")
    assert _names(_search(client, communes, "")) == ["Xã Hòa Bình"]
    assert _names(_search(client, communes, "so tu phap")) == []
    assert _names(_search(client, everything_managed, "noi vu")) == ["Sở Nội vụ"]


def test_a_forged_or_altered_token_is_refused(personas: Personas) -> None:
    client = personas.client("secretariat")
    forged = signing.dumps({"s": "tests.every_unit", "a": {}, "u": None}, salt="another-salt", compress=True)
    genuine = scope_token("tests.kind", kind=UnitKind.COMMUNE.value)
    altered = genuine[:-3] + ("aaa" if not genuine.endswith("aaa") else "bbb")
    for token in ("", "rubbish", forged, altered):
        response = _search(client, token, "xa")
        assert response.status_code == 400
        assert "không hợp lệ" in response.json()["detail"]


def test_a_token_older_than_twelve_hours_asks_for_a_reload(personas: Personas) -> None:
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=13)):
        token = scope_token()
    response = _search(personas.client("secretariat"), token, "xa")
    assert response.status_code == 400
    assert "tải lại trang" in response.json()["detail"]


def test_a_signed_token_naming_an_unknown_scope_or_arguments_it_does_not_take_is_refused(personas: Personas) -> None:
    client = personas.client("admin")
    payload: Any
    for payload in (
        {"s": "units.nowhere", "a": {}, "u": None},
        {"s": "units.visible", "a": {"everything": True}, "u": None},
        {"s": "units.siblings", "a": {}, "u": None},
        {"s": "units.siblings", "a": {"unit": "not a key"}, "u": None},
        {"s": "units.siblings", "a": {"unit": 999999}, "u": None},
        {"s": "units.visible", "a": {"kinds": {"nested": 1}}, "u": None},
        {"w": ["q", "memberships__user", "exact", 1]},
        ["units.visible", {}],
    ):
        token = signing.dumps(payload, salt=SIGNING_SALT, compress=True)
        response = _search(client, token, "")
        assert response.status_code == 400, payload
        assert "không hợp lệ" in response.json()["detail"]


def test_a_token_whose_arguments_were_altered_is_refused(personas: Personas) -> None:
    genuine = scope_token("tests.subtree", root=personas.unit_b.pk)
    data = signing.loads(genuine, salt=SIGNING_SALT)
    data["a"]["root"] = personas.province.pk
    value, _sep, signature = genuine.rpartition(":")
    altered = signing.dumps(data, salt=SIGNING_SALT, compress=True).rpartition(":")[0].rpartition(":")[0]
    for token in (f"{altered}:{value.rpartition(':')[2]}:{signature}",):
        assert _search(personas.client("admin"), token, "").status_code == 400


def test_a_token_cannot_widen_what_the_scope_function_gives_for_the_person_searching(personas: Personas) -> None:
    # The secretariat's "everything I manage" presented by a focal point is kept to what the focal point may read.
    token = UNIT_SCOPES.token("units.visible", {"manage": True}, personas.secretariat)
    focal = sorted(_names(_search(personas.client("focal_a"), token, "")))
    readable = roles.get_units_for_user(personas.focal_a)
    assert set(focal) <= set(readable.values_list("name", flat=True))
    admins = UNIT_SCOPES.token("tests.subtree", {"root": personas.other_province.pk}, personas.admin)
    assert _names(_search(personas.client("focal_a"), admins, "")) == []


# ---------------------------------------------------------------------------
# What the search finds


def test_the_search_ignores_diacritics_and_case_and_reads_short_names_and_codes(personas: Personas) -> None:
    client = personas.client("admin")
    token = scope_token()
    assert _names(_search(client, token, "hoa binh")) == ["Xã Hòa Bình"]
    assert _names(_search(client, token, "HÒA BÌNH")) == ["Xã Hòa Bình"]
    assert _names(_search(client, token, "tu phap")) == ["Sở Tư pháp", "Văn phòng Sở Tư pháp"]
    assert _names(_search(client, token, "T-P-STP-VP")) == ["Văn phòng Sở Tư pháp"]
    unit_create(
        actor=None,
        data=UnitData(name="Sở Khoa học và Công nghệ", short_name="SKHCN", kind=UnitKind.DEPARTMENT, code="T-P-KH"),
        parent=personas.province,
    )
    assert _names(_search(client, token, "skhcn")) == ["Sở Khoa học và Công nghệ"]


def test_each_result_carries_its_code_and_its_parent_path(personas: Personas) -> None:
    response = _search(personas.client("secretariat"), scope_token(), "van phong so tu phap")
    assert response.json() == {
        "results": [
            {
                "id": personas.office_a.pk,
                "name": "Văn phòng Sở Tư pháp",
                "code": "T-P-STP-VP",
                "path": "Sở Tư pháp — Tỉnh Thử Nghiệm",
                "label": "Văn phòng Sở Tư pháp — Sở Tư pháp — Tỉnh Thử Nghiệm",
            }
        ],
        "more": False,
    }


def test_a_search_returns_at_most_twenty_units_and_says_there_are_more(personas: Personas) -> None:
    for number in range(1, 31):
        unit_create(
            actor=None,
            data=UnitData(
                name=f"Phường Tân Phong {number}", kind=UnitKind.COMMUNE, code=f"TP-{number}", subtype="ward"
            ),
            parent=personas.province,
        )
    response = _search(personas.client("secretariat"), scope_token(), "tan phong")
    data = response.json()
    assert len(data["results"]) == RESULT_LIMIT == 20
    assert data["more"] is True
    # Vietnamese order, numbers by value.
    assert [row["name"] for row in data["results"][:3]] == [
        "Phường Tân Phong 1",
        "Phường Tân Phong 2",
        "Phường Tân Phong 3",
    ]
    narrowed = _search(personas.client("secretariat"), scope_token(), "tan phong 30").json()
    assert [row["name"] for row in narrowed["results"]] == ["Phường Tân Phong 30"]
    assert narrowed["more"] is False


def test_an_exact_name_comes_before_longer_names_that_contain_it(personas: Personas) -> None:
    unit_create(
        actor=None,
        data=UnitData(name="Phòng Tư pháp Hòa Bình", kind=UnitKind.OFFICE, code="T-P-XHB-TP"),
        parent=personas.unit_b,
    )
    names = _names(_search(personas.client("admin"), scope_token(), "xa hoa binh"))
    assert names == ["Xã Hòa Bình"]
    names = _names(_search(personas.client("admin"), scope_token(), "hoa binh"))
    assert names == ["Xã Hòa Bình", "Phòng Tư pháp Hòa Bình"]


# ---------------------------------------------------------------------------
# Named scopes


def _registered_unit_scopes(personas: Personas) -> list[Scope]:
    """Every unit scope the product registers, with arguments a page would give it."""
    from cchc.directives.models import Task

    framework = __import__("cchc.frameworks.models", fromlist=["Framework"]).Framework.objects.first()
    task = Task.objects.first()
    scopes = [
        unit_scope(personas.secretariat, "units.visible"),
        unit_scope(personas.secretariat, "units.visible", manage=True, active=True),
        unit_scope(personas.secretariat, "units.visible", manage=True, active=True, kinds=["province"]),
        unit_scope(personas.focal_b, "units.visible", exclude_kinds=["office"]),
        unit_scope(personas.secretariat, "units.parents"),
        unit_scope(personas.secretariat, "units.parents", moving=personas.unit_a.pk),
        unit_scope(personas.secretariat, "units.siblings", unit=personas.unit_a.pk),
        unit_scope(personas.secretariat, "directives.issuing"),
        unit_scope(personas.secretariat, "directives.issuing", on="2025-06-30"),
        unit_scope(None, "directives.province", unit=personas.province.pk, on="2025-08-01"),
        unit_scope(personas.secretariat, "indicators.external_responsible", province=personas.province.pk),
        unit_scope(personas.secretariat, "procedures.dossier_units"),
        unit_scope(personas.focal_b, "procedures.dossier_units"),
        unit_scope(personas.secretariat, "surveys.result_units"),
        unit_scope(personas.focal_a, "surveys.result_units"),
        unit_scope(personas.secretariat, "surveys.workplace_units"),
    ]
    if task is not None:
        scopes.append(unit_scope(None, "directives.province", unit=personas.province.pk, task=task.pk))
    if framework is not None:
        scopes.append(unit_scope(personas.secretariat, "frameworks.lead_units", framework=framework.pk))
    names = {scope.name for scope in scopes} | {"tests.every_unit", "tests.subtree", "tests.kind"}
    if framework is None:
        names.add("frameworks.lead_units")
    assert names == set(UNIT_SCOPES.names())
    return scopes


def test_the_token_names_the_same_units_as_the_field_offers_for_every_registered_scope(personas: Personas) -> None:
    from cchc.directives import forms as _directives_forms  # noqa: F401  (registers the directives' scopes)
    from cchc.frameworks import picker as _frameworks_picker  # noqa: F401  (registers the lead units' scope)

    for scope in _registered_unit_scopes(personas):
        field: Any = UnitMergeForm(siblings=scope)["sources"].field
        assert field.scope is scope
        searched = UNIT_SCOPES.rows(scope.token(), scope.viewer) if scope.viewer is not None else None
        offered = set(field.queryset)  # type: ignore[attr-defined]
        assert offered == set(scope.rows()), scope.name
        if searched is not None:
            readable = set(roles.get_units_for_user(scope.viewer))
            assert set(searched) == offered & readable, scope.name


def test_a_scope_with_arguments_its_function_does_not_take_cannot_be_declared(personas: Personas) -> None:
    with pytest.raises(ScopeError):
        unit_scope(personas.secretariat, "units.visible", everything=True)
    with pytest.raises(ScopeError):
        unit_scope(personas.secretariat, "units.nowhere")
    with pytest.raises(ScopeError):
        unit_scope(personas.secretariat, "units.visible", kinds=[object()])


# ---------------------------------------------------------------------------
# Forms


def _parent_form(personas: Personas, data: dict[str, Any] | None = None, **kwargs: Any) -> UnitCreateForm:
    parents = unit_scope(personas.secretariat, "units.parents")
    return UnitCreateForm(data, parents=parents, allow_root=False, **kwargs)


def _child_of_province(personas: Personas) -> Unit:
    child = Unit.objects.filter(parent=personas.province).order_by("pk").first()
    assert child is not None
    return child


def _unit_data(**extra: Any) -> dict[str, Any]:
    return {"name": "Phòng Mới", "code": "T-P-MOI", "kind": UnitKind.OFFICE, **extra}


def test_few_units_keep_the_plain_select_with_every_choice(personas: Personas) -> None:
    html = str(_parent_form(personas)["parent"])
    assert "data-unit-picker" not in html
    assert html.count("<option") == 6  # blank + province and four of its units (offices excluded)
    assert 'for="id_parent"' in _parent_form(personas)["parent"].label_tag()


def test_many_units_render_a_search_box_with_only_the_chosen_unit(personas: Personas, many: None) -> None:
    form = _parent_form(personas, initial={"parent": personas.unit_a})
    html = str(form["parent"])
    assert 'for="id_parent_search"' in form["parent"].label_tag()
    assert 'id="id_parent_search"' in html and "data-unit-picker" in html
    options = re.findall(r"<option[^>]*>([^<]*)</option>", html)
    assert options == ["— Chọn đơn vị cấp trên —", "Sở Tư pháp — Tỉnh Thử Nghiệm"]
    assert re.search(f'<option value="{personas.unit_a.pk}" selected', html)


def test_the_token_on_the_page_searches_the_field_queryset_for_the_user(personas: Personas, many: None) -> None:
    client = personas.client("secretariat")
    page = client.get(reverse("organisations:unit_create")).content.decode()
    url = unescape(TOKEN_RE.search(page).group(1))  # type: ignore[union-attr]
    assert url.startswith(SEARCH)
    assert _names(client.get(f"{url}&q=xa")) == ["Xã Hòa Bình"]  # not the other province's commune
    assert _names(client.get(f"{url}&q=van+phong")) == []  # offices are not parents
    # The admin may read everything, but the secretariat's token still limits the search to its field.
    assert _names(personas.client("admin").get(f"{url}&q=xa")) == ["Xã Hòa Bình"]


@pytest.mark.parametrize("picker", ["few", "many"])
def test_the_form_still_validates_and_refuses_units_outside_its_queryset(
    personas: Personas, settings: Any, picker: str
) -> None:
    if picker == "many":
        settings.UNIT_PICKER_SELECT_LIMIT = 2
    form = _parent_form(personas, _unit_data(parent=personas.unit_a.pk))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["parent"] == personas.unit_a
    for outside in (personas.other_commune.pk, personas.office_a.pk, "abc"):
        form = _parent_form(personas, _unit_data(parent=outside))
        assert not form.is_valid()
        assert form.errors["parent"] == ["Đơn vị cấp trên không hợp lệ hoặc nằm ngoài phạm vi bạn quản lý."]
    form = _parent_form(personas, _unit_data())
    assert form.errors["parent"] == ["Hãy chọn đơn vị cấp trên trong phạm vi bạn quản lý."]


def test_the_role_scope_field_keeps_its_own_message_for_units_outside_the_scope(personas: Personas, many: None) -> None:
    units = unit_scope(personas.secretariat, "units.visible", manage=True)
    choices = [("focal_point", "Đầu mối")]
    form = RoleGrantForm(
        {"role": "focal_point", "scope": personas.other_commune.pk}, roles=choices, units=units, whole_system=False
    )
    assert form.errors["scope"] == ["Đơn vị đã chọn không thuộc phạm vi của bạn."]
    form = RoleGrantForm(
        {"role": "focal_point", "scope": personas.unit_b.pk}, roles=choices, units=units, whole_system=False
    )
    assert form.is_valid() and form.cleaned_data["scope"] == personas.unit_b
    assert "data-unit-picker" in str(form["scope"])


def test_without_javascript_a_search_with_one_match_is_the_choice(personas: Personas, many: None) -> None:
    form = _parent_form(personas, _unit_data(parent__search="tu phap"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["parent"] == personas.unit_a


def test_without_javascript_several_matches_are_offered_and_none_is_an_error(personas: Personas, many: None) -> None:
    unit_create(
        actor=None,
        data=UnitData(name="Xã Hòa Bình Đông", kind=UnitKind.COMMUNE, code="T-P-XHBD", subtype="commune"),
        parent=personas.province,
    )
    form = _parent_form(personas, _unit_data(parent__search="hoa binh"))
    assert not form.is_valid()
    assert form.errors["parent"] == [
        "Có nhiều đơn vị khớp với “hoa binh”: hãy chọn trong danh sách kết quả rồi gửi lại."
    ]
    html = str(form["parent"])
    assert re.findall(r"<option[^>]*>([^<]*)</option>", html)[1:] == [
        "Xã Hòa Bình — Tỉnh Thử Nghiệm",
        "Xã Hòa Bình Đông — Tỉnh Thử Nghiệm",
    ]
    assert 'name="parent__search" value=""' in html  # choosing one and submitting does not search again
    form = _parent_form(personas, _unit_data(parent__search="ngoai pham vi"))
    assert form.errors["parent"] == ["Không tìm thấy đơn vị nào khớp với “ngoai pham vi” trong phạm vi được chọn."]


def test_without_javascript_a_multiple_field_adds_the_match_to_the_chosen_units(personas: Personas, many: None) -> None:
    siblings = unit_scope(personas.secretariat, "units.siblings", unit=_child_of_province(personas).pk)
    data = {
        "sources": [personas.unit_a.pk],
        "sources__search": "hoa binh",
        "target": "existing",
        "into": personas.home_affairs.pk,
        "effective_date": "2025-07-01",
        "reason": "Quyết định số 1/QĐ-UBND",
    }
    form = UnitMergeForm(data, siblings=siblings)
    assert form.is_valid(), form.errors
    assert set(form.cleaned_data["sources"]) == {personas.unit_a, personas.unit_b}
    html = str(form["sources"])
    assert "data-unit-picker" in html and " multiple" in html


def test_the_merge_form_keeps_its_checkboxes_for_few_siblings(personas: Personas) -> None:
    siblings = unit_scope(personas.secretariat, "units.siblings", unit=_child_of_province(personas).pk)
    html = str(UnitMergeForm(siblings=siblings)["sources"])
    assert 'type="checkbox"' in html and "data-unit-picker" not in html


def test_a_field_without_a_named_scope_falls_back_to_the_full_select(
    personas: Personas, many: None, caplog: Any
) -> None:
    form = _parent_form(personas)
    form.fields["parent"].scope = None  # type: ignore[attr-defined]
    form.fields["parent"].queryset = Unit.objects.filter(Q(memberships__isnull=False)).distinct()  # type: ignore[attr-defined]
    html = str(form["parent"])
    assert "data-unit-picker" not in html and "Sở Nội vụ" in html
    assert "falls back to a full select" in caplog.text


def test_a_queryset_assigned_to_a_field_with_a_scope_is_refused(personas: Personas) -> None:
    """The token would still name the scope while the field checked the posted keys against other rows: the field
    takes other rows only with another scope, or once its scope is dropped."""
    siblings = unit_scope(personas.secretariat, "units.siblings", unit=personas.unit_a.pk)
    field: Any = UnitMergeForm(siblings=siblings).fields["sources"]
    with pytest.raises(ScopedQuerysetError):
        field.queryset = Unit.objects.all()
    assert set(field.queryset) == set(siblings.rows())
    # A copy of the field (as a form copies its declared fields) keeps the scope and its rows, and the guard.
    copy = deepcopy(field)
    assert copy.scope is siblings and set(copy.queryset) == set(siblings.rows())
    assert copy.queryset is not field.queryset
    with pytest.raises(ScopedQuerysetError):
        copy.queryset = Unit.objects.all()
    # Another scope changes the queryset with it, whether given through use_scope() or assigned.
    communes = unit_scope(personas.secretariat, "units.visible", kinds=[UnitKind.COMMUNE.value])
    field.use_scope(communes)
    assert field.scope is communes and set(field.queryset) == set(communes.rows()) == {personas.unit_b}
    field.scope = siblings
    assert field.scope is siblings and set(field.queryset) == set(siblings.rows())
    field.scope = None
    field.queryset = Unit.objects.none()
    assert list(field.queryset) == []

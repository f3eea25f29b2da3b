"""What the questionnaire pages share: the methods a form page accepts, the submitted data, the frame of a page,
the owners a user may choose and the draft being edited."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cchc.accounts import roles
from cchc.accounts.models import Role
from cchc.organisations.models import Unit, UnitKind, path_is_within
from cchc.surveys import access

from ..models import Questionnaire, QuestionnaireVersion, VersionState

GET_POST = require_http_methods(["GET", "POST"])


def posted(request: HttpRequest) -> Any:
    """The submitted data on POST (even when empty, so that required fields are reported), else ``None``."""
    return request.POST if request.method == "POST" else None


def page(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    return render(request, template, {"nav_active": "surveys", **context})


def require_reader(request: HttpRequest) -> None:
    roles.require(access.can_read_questionnaires(request.user))


def owners(request: HttpRequest) -> QuerySet[Unit]:
    """The units a questionnaire may belong to: the provinces and districts the user manages."""
    return (
        roles.get_units_for_user(request.user, manage=True)
        .filter(kind__in=[UnitKind.PROVINCE, UnitKind.DISTRICT])
        .order_by("name")
    )


def default_owner(request: HttpRequest, candidates: QuerySet[Unit]) -> Unit | None:
    """The owner a new or copied questionnaire starts with: the province or district of the unit the user works in
    (the nearest one holding it), else the unit of their secretariat scope; ``None`` when neither is offered."""
    offered = list(candidates)
    for path in roles.member_unit_paths(request.user):
        holding = [unit for unit in offered if path_is_within(path, [unit.path])]
        if holding:
            return max(holding, key=lambda unit: len(unit.path))
    scopes = {a.scope_id for a in roles.role_assignments(request.user) if a.role == Role.SECRETARIAT and a.scope_id}
    return next((unit for unit in offered if unit.pk in scopes), None)


def allow_shared(request: HttpRequest) -> bool:
    return access.can_manage_questionnaire(request.user, Questionnaire(owner=None))


def draft_of(questionnaire: Questionnaire) -> QuestionnaireVersion:
    """The draft being edited; 404 when there is none (a published questionnaire needs a new version first)."""
    draft = questionnaire.versions.filter(state=VersionState.DRAFT).first()
    if draft is None:
        raise Http404
    return draft

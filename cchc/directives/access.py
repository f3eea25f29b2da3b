"""Who may see and act on directives, tasks, assignments, progress reports and uploaded drafts.

A unit sees and reports only its own assignments: the units its people work in (membership) and, for focal points,
the subtree of their role scope (``cchc.accounts.roles.is_own_unit``). The secretariat registers directives in the
name of the units it manages, edits, deletes and cancels their tasks, and reviews reports and extension requests
within its scope; leaders and supervisors read within theirs (the tracker); supervisors never change anything. An
uploaded directive awaiting review is visible only to the person who uploaded it (and administrators).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cchc.accounts.models import Role
from cchc.accounts.roles import (
    get_units_for_user,
    has_role,
    is_admin,
    is_manager,
    is_own_unit,
    is_signed_in,
    manages,
    member_unit_ids,
    own_unit_condition,
    own_unit_scope,
    role_assignments,
    scope_paths,
)
from cchc.lib.ids import id_or_404
from cchc.lib.types import Viewer
from cchc.organisations.models import Unit, UnitQuerySet, subtree_condition

from .models import (
    Assignment,
    AssignmentQuerySet,
    Directive,
    DirectiveDraft,
    ExtensionRequest,
    ProgressReport,
    ReportAttachment,
    Task,
)

# Roles that read the directives, tasks and assignments within their scope (the tracker).
TASK_READER_ROLES = (Role.SECRETARIAT, Role.LEADER, Role.SUPERVISOR)


def can_view_task_tracker(user: Viewer) -> bool:
    return is_admin(user) or has_role(user, *TASK_READER_ROLES)


def can_create_directives(user: Viewer) -> bool:
    return is_manager(user)


def reader_scope(user: Viewer) -> tuple[object, ...]:
    """Everything of the reader that the reads and rights of this module look at: administrator or not, each role
    with its scope unit, the units one works in. Two people with the same scope read the same assignments,
    directives and units and hold the same rights over them; a section of a page kept in the cache
    (``cchc.lib.page_cache``) is keyed by it, so it is never shared with a reader who would see something else.

    The paths of the scope units are not part of it: a unit moved in the tree is a write to the units' table, which
    moves the version of the data the section was made from.
    """
    held = sorted((str(assignment.role), assignment.scope_id or 0) for assignment in role_assignments(user))
    return is_admin(user), tuple(held), tuple(sorted(member_unit_ids(user)))


def get_directive_issuing_units_for_user(user: Viewer) -> UnitQuerySet:
    """Units in whose name the user may register directives."""
    return get_units_for_user(user, manage=True) if can_create_directives(user) else Unit.objects.none()


# ---------------------------------------------------------------------------
# Directives and tasks


def get_directives_for_user(user: Viewer) -> QuerySet[Directive]:
    """Directives the user may read: those issued in their reading scope and those giving their units work."""
    if is_admin(user):
        return Directive.objects.all()
    paths = scope_paths(user, TASK_READER_ROLES)
    if paths is None:
        return Directive.objects.all()
    own = Assignment.objects.filter(own_unit_condition(user, "unit")).values("directive_id")
    condition = Q(pk__in=own)
    if paths:
        condition |= subtree_condition(paths, "issuing_unit")
    return Directive.objects.filter(condition)


def can_manage_directive(user: Viewer, directive: Directive) -> bool:
    return manages(user, directive.issuing_unit) and can_create_directives(user)


def get_directive_for_user(user: Viewer, directive_id: Any, *, manage: bool = False) -> Directive:
    pk = id_or_404(directive_id)
    directive = get_directives_for_user(user).select_related("issuing_unit").filter(pk=pk).first()
    if directive is None:
        raise Http404
    if manage and not can_manage_directive(user, directive):
        raise PermissionDenied
    return directive


def can_manage_task(user: Viewer, task: Task) -> bool:
    """Edit, delete or cancel a task: whoever manages its directive; everyone else who reads it only reads."""
    return can_manage_directive(user, task.directive)


def get_task_for_user(user: Viewer, task_id: Any, *, manage: bool = False) -> Task:
    """A task of a directive the user may read (404 otherwise); ``manage`` also requires the right to change it."""
    pk = id_or_404(task_id)
    task = Task.objects.select_related("directive__issuing_unit", "lead_unit", "parent").filter(pk=pk).first()
    if task is None or not get_directives_for_user(user).filter(pk=task.directive_id).exists():
        raise Http404
    if manage and not can_manage_task(user, task):
        raise PermissionDenied
    return task


def get_directive_draft_for_user(user: Viewer, draft_id: Any) -> DirectiveDraft:
    """An uploaded directive awaiting review: only the person who uploaded it (or an administrator)."""
    pk = id_or_404(draft_id)
    drafts = DirectiveDraft.objects.select_related("issuing_unit")
    if not is_admin(user):
        drafts = drafts.filter(created_by_id=user.pk)
    draft = drafts.filter(pk=pk).first()
    if draft is None:
        raise Http404
    return draft


def can_view_extraction_quality(user: Viewer) -> bool:
    """The quality of the extraction and its export as labelled data: the secretariat and administrators."""
    return is_admin(user) or has_role(user, Role.SECRETARIAT)


def get_reviewed_directives_for_user(user: Viewer) -> QuerySet[Directive]:
    """Directives confirmed from an uploaded file's review that the user may read, for the extraction quality page
    and the labelled-data export (403 for anyone but the secretariat and administrators)."""
    if not can_view_extraction_quality(user):
        raise PermissionDenied
    return get_directives_for_user(user).filter(extraction_review__isnull=False)


# ---------------------------------------------------------------------------
# Assignments and progress reports


def get_assignments_for_user(user: Viewer) -> AssignmentQuerySet:
    """Assignments the user may read."""
    if is_admin(user):
        return Assignment.objects.all()
    paths = scope_paths(user, TASK_READER_ROLES)
    if paths is None:
        return Assignment.objects.all()
    condition = own_unit_condition(user, "unit")
    if paths:
        condition |= subtree_condition(paths, "unit")
    return Assignment.objects.filter(condition)


def get_assignment_for_user(user: Viewer, assignment_id: Any) -> Assignment:
    pk = id_or_404(assignment_id)
    assignment = (
        get_assignments_for_user(user)
        .select_related("task", "directive", "unit", "occurrence", "directive__issuing_unit")
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def get_own_assignments_for_user(user: Viewer) -> AssignmentQuerySet:
    """Assignments of the units the user acts for (their "my tasks"), whatever other roles they hold."""
    return Assignment.objects.filter(own_unit_condition(user, "unit"))


def own_assignments_scope(user: Viewer) -> tuple[object, ...]:
    """Everything of the user that :func:`get_own_assignments_for_user` looks at (the units they work in, the scopes
    of their focal-point roles): two people with the same one read the same assignments there. The key of the
    cached sections of "my tasks", which show nothing else of who reads them."""
    return own_unit_scope(user)


def can_report_assignment(user: Viewer, assignment: Assignment) -> bool:
    """Report progress and ask for an extension: the unit's own people only."""
    if not is_signed_in(user):
        return False
    return is_admin(user) or is_own_unit(user, assignment.unit)


def can_review_assignment(user: Viewer, assignment: Assignment) -> bool:
    """Accept or return a completion report, decide on extensions: the secretariat in scope."""
    if is_admin(user):
        return True
    paths = scope_paths(user, (Role.SECRETARIAT,))
    if paths is None:
        return True
    return assignment.unit.is_within_any(paths) or assignment.directive.issuing_unit.is_within_any(paths)


def get_report_attachment_for_user(user: Viewer, attachment_id: Any) -> ReportAttachment:
    """A progress report's attachment, readable by whoever may read the assignment."""
    pk = id_or_404(attachment_id)
    attachment = ReportAttachment.objects.filter(pk=pk, report__assignment__in=get_assignments_for_user(user)).first()
    if attachment is None:
        raise Http404
    return attachment


def get_progress_report_for_user(user: Viewer, report_id: Any) -> ProgressReport:
    """A progress report, readable by whoever may read its assignment (404 otherwise)."""
    pk = id_or_404(report_id)
    report = ProgressReport.objects.filter(pk=pk, assignment__in=get_assignments_for_user(user)).first()
    if report is None:
        raise Http404
    return report


def get_extension_request_for_user(user: Viewer, extension_id: Any) -> ExtensionRequest:
    """An extension request, readable by whoever may read its assignment (404 otherwise)."""
    pk = id_or_404(extension_id)
    extension = ExtensionRequest.objects.filter(pk=pk, assignment__in=get_assignments_for_user(user)).first()
    if extension is None:
        raise Http404
    return extension

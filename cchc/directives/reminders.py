"""Reminders (đôn đốc, nhắc việc): who is reminded of what, shown in the app and sent by e-mail.

Schedule (configurable in settings and on the command line): 7, 3 and 1 days
before the due date, on the day, then every N days (3 by default) once
overdue; overdue reminders also go to the unit's head and to the leader of
the nearest scope above the unit (escalation).

Idempotent: every reminder is one :class:`ReminderLog` row, unique per
assignment, kind, day and recipient, claimed before the e-mail goes out. A
second run on the same day finds every row taken and sends nothing; a row
whose e-mail failed stays ``emailed=False`` and the next run retries it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.lib.types import Actor
from cchc.organisations.models import Membership, Unit

from .models import Assignment, Notification, ReminderKind, ReminderLog

DEFAULT_DAYS_BEFORE = (7, 3, 1)
DEFAULT_OVERDUE_EVERY = 3


@dataclass(frozen=True)
class Schedule:
    days_before: tuple[int, ...] = DEFAULT_DAYS_BEFORE
    overdue_every: int = DEFAULT_OVERDUE_EVERY

    @classmethod
    def from_settings(cls) -> Schedule:
        before = tuple(getattr(settings, "CCHC_REMINDER_DAYS_BEFORE", DEFAULT_DAYS_BEFORE))
        every = int(getattr(settings, "CCHC_REMINDER_OVERDUE_EVERY", DEFAULT_OVERDUE_EVERY))
        return cls(
            days_before=tuple(sorted({int(day) for day in before if int(day) > 0}, reverse=True)),
            overdue_every=max(1, every),
        )

    def kind_for(self, due: datetime.date, day: datetime.date) -> str | None:
        """The reminder an open assignment due on ``due`` gets on ``day``, if any."""
        days_left = (due - day).days
        if days_left in self.days_before:
            return ReminderKind.BEFORE
        if days_left == 0:
            return ReminderKind.DUE_TODAY
        if days_left < 0 and (-days_left - 1) % self.overdue_every == 0:
            return ReminderKind.OVERDUE
        return None


@dataclass
class RunResult:
    reminders: int = 0
    emails: int = 0
    failures: list[str] = field(default_factory=list)


def _nearest_leaders(unit: Unit, leaders: Sequence[RoleAssignment]) -> list[User]:
    """Leaders whose scope is the closest ancestor-or-self of ``unit`` (global leaders when nobody is closer)."""
    covering = [ra for ra in leaders if ra.scope is None or unit.is_within(ra.scope)]
    if not covering:
        return []
    depth = max(len(ra.scope.path) if ra.scope else 0 for ra in covering)
    return [ra.user for ra in covering if (len(ra.scope.path) if ra.scope else 0) == depth]


class Recipients:
    """Looks up, once per run, who acts for a unit (focal points, else members), its heads and its leaders."""

    def __init__(self, units: Iterable[Unit]) -> None:
        unit_ids = {unit.pk for unit in units}
        day = timezone.localdate()
        active = Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        self.focal: dict[int, list[User]] = defaultdict(list)
        for ra in RoleAssignment.objects.filter(
            role=Role.FOCAL_POINT, scope_id__in=unit_ids, user__is_active=True
        ).select_related("user"):
            self.focal[ra.scope_id].append(ra.user)  # type: ignore[index]
        self.members: dict[int, list[User]] = defaultdict(list)
        self.heads: dict[int, list[User]] = defaultdict(list)
        for membership in Membership.objects.filter(active, unit_id__in=unit_ids, user__is_active=True).select_related(
            "user"
        ):
            self.members[membership.unit_id].append(membership.user)
            if membership.is_head:
                self.heads[membership.unit_id].append(membership.user)
        self.leaders = list(
            RoleAssignment.objects.filter(role=Role.LEADER, user__is_active=True).select_related("user", "scope")
        )

    def for_unit(self, unit: Unit) -> list[User]:
        return self.focal.get(unit.pk) or self.members.get(unit.pk, [])

    def escalation(self, unit: Unit) -> list[User]:
        return [*self.heads.get(unit.pk, []), *_nearest_leaders(unit, self.leaders)]


def due_assignments(day: datetime.date, schedule: Schedule) -> list[tuple[Assignment, str]]:
    """Open assignments (not waiting for acceptance) that get a reminder on ``day``."""
    upcoming = [day + datetime.timedelta(days=n) for n in (*schedule.days_before, 0)]
    rows = (
        Assignment.objects.live()
        .open()
        .filter(review_pending=False)
        .filter(Q(due_date__in=upcoming) | Q(due_date__lt=day))
        .select_related("task", "directive", "unit", "occurrence")
        .order_by("due_date", "pk")
    )
    result = []
    for assignment in rows.iterator(chunk_size=2000):
        if not assignment.unit.is_active(day) or assignment.due_date is None:
            continue
        kind = schedule.kind_for(assignment.due_date, day)
        if kind is not None:
            result.append((assignment, kind))
    return result


def _claim(assignment: Assignment, kind: str, day: datetime.date, user: User) -> bool:
    """Take the reminder slot and show the reminder in the app, together; ``False`` when this person already got
    this reminder today. A run stopped at any point (its worker killed) leaves each reminder either claimed and shown
    or neither, and the e-mail of a claimed one is sent by the next run (``_retry_unsent``)."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(assignment=assignment, kind=kind, day=day, recipient=user)
            Notification.objects.create(
                user=user,
                assignment=assignment,
                kind=kind,
                message=_line(assignment, kind, day).splitlines()[0].removeprefix("- "),
            )
    except IntegrityError:
        return False
    return True


def _line(assignment: Assignment, kind: str, day: datetime.date) -> str:
    due = assignment.due_date
    if kind == ReminderKind.BEFORE and due is not None:
        when = ngettext("còn %(days)d ngày đến hạn", "còn %(days)d ngày đến hạn", (due - day).days) % {
            "days": (due - day).days
        }
    elif kind == ReminderKind.DUE_TODAY:
        when = _("đến hạn hôm nay")
    elif due is not None and due < day:
        when = ngettext("quá hạn %(days)d ngày", "quá hạn %(days)d ngày", (day - due).days) % {"days": (day - due).days}
    else:
        when = _("đề nghị báo cáo tiến độ")
    content = " ".join(assignment.task.content.split())
    if len(content) > 160:
        content = content[:157] + "…"
    parts = [
        f"- {content}",
        _("  Văn bản: %(directive)s")
        % {"directive": assignment.directive.reference or assignment.directive.subject[:80]},
        _("  Đơn vị thực hiện: %(unit)s") % {"unit": assignment.unit.name},
    ]
    if due is not None:
        parts.append(_("  Hạn: %(due)s (%(when)s)") % {"due": due.strftime("%d/%m/%Y"), "when": when})
    else:
        parts.append(f"  {when}")
    parts.append("  " + reverse("directives:assignment_detail", args=[assignment.pk]))
    return "\n".join(parts)


def _message(user: User, items: list[tuple[Assignment, str]], day: datetime.date) -> tuple[str, str]:
    overdue = sum(1 for _a, kind in items if kind in (ReminderKind.OVERDUE, ReminderKind.ESCALATION))
    if overdue:
        subject = ngettext(
            "[CCHC] Nhắc việc: %(count)d nhiệm vụ quá hạn",
            "[CCHC] Nhắc việc: %(count)d nhiệm vụ quá hạn",
            overdue,
        ) % {"count": overdue}
    else:
        subject = ngettext(
            "[CCHC] Nhắc việc: %(count)d nhiệm vụ sắp đến hạn",
            "[CCHC] Nhắc việc: %(count)d nhiệm vụ sắp đến hạn",
            len(items),
        ) % {"count": len(items)}
    escalated = [item for item in items if item[1] == ReminderKind.ESCALATION]
    lines = [_("Kính gửi %(name)s,") % {"name": user.display_name}, ""]
    own = [item for item in items if item[1] != ReminderKind.ESCALATION]
    if own:
        lines.append(_("Hệ thống theo dõi nhiệm vụ cải cách hành chính nhắc các nhiệm vụ sau của đơn vị:"))
        lines += [_line(assignment, kind, day) for assignment, kind in own]
        lines.append("")
    if escalated:
        lines.append(_("Các nhiệm vụ sau của đơn vị thuộc phạm vi phụ trách đã quá hạn mà chưa hoàn thành:"))
        lines += [_line(assignment, kind, day) for assignment, kind in escalated]
        lines.append("")
    lines.append(_("Đề nghị báo cáo tiến độ, kết quả thực hiện trên hệ thống hoặc đề nghị gia hạn nếu cần."))
    lines.append(_("Thư này được gửi tự động; vui lòng không trả lời."))
    return subject, "\n".join(lines)


def _deliver(
    batches: dict[int, list[tuple[Assignment, str]]], users: dict[int, User], day: datetime.date, result: RunResult
) -> None:
    """E-mail each person one message listing their newly claimed reminders (already shown in the app)."""
    connection = get_connection(fail_silently=False)
    for user_id, items in batches.items():
        user = users[user_id]
        subject, body = _message(user, items, day)
        result.reminders += len(items)
        if not user.email:
            continue
        try:
            send_mail(subject, body, None, [user.email], connection=connection)
        except Exception as exc:
            result.failures.append(f"{user.email}: {exc}")
            continue
        ReminderLog.objects.filter(
            recipient=user, day=day, kind__in={kind for _a, kind in items}, assignment__in=[a for a, _k in items]
        ).update(emailed=True)
        result.emails += 1


def _retry_unsent(day: datetime.date, result: RunResult) -> None:
    """E-mail the reminders claimed today whose e-mail failed on an earlier run."""
    pending = (
        ReminderLog.objects.filter(day=day, emailed=False)
        .exclude(recipient__email="")
        .select_related("recipient", "assignment__task", "assignment__directive", "assignment__unit")
    )
    by_user: dict[int, list[ReminderLog]] = defaultdict(list)
    for log in pending:
        by_user[log.recipient_id].append(log)
    connection = get_connection(fail_silently=False)
    for logs in by_user.values():
        user = logs[0].recipient
        subject, body = _message(user, [(log.assignment, log.kind) for log in logs], day)
        try:
            send_mail(subject, body, None, [user.email], connection=connection)
        except Exception as exc:
            result.failures.append(f"{user.email}: {exc}")
            continue
        ReminderLog.objects.filter(pk__in=[log.pk for log in logs]).update(emailed=True)
        result.emails += 1


def _collect(
    pairs: Iterable[tuple[Assignment, str]], day: datetime.date, *, escalate: bool
) -> tuple[dict[int, list[tuple[Assignment, str]]], dict[int, User]]:
    pairs = list(pairs)
    recipients = Recipients(assignment.unit for assignment, _kind in pairs)
    batches: dict[int, list[tuple[Assignment, str]]] = defaultdict(list)
    users: dict[int, User] = {}
    for assignment, kind in pairs:
        targets = [(user, kind) for user in recipients.for_unit(assignment.unit)]
        if escalate and kind == ReminderKind.OVERDUE:
            targets += [(user, ReminderKind.ESCALATION) for user in recipients.escalation(assignment.unit)]
        seen: set[int] = set()
        for user, target_kind in targets:
            if user.pk in seen:
                continue
            seen.add(user.pk)
            if _claim(assignment, target_kind, day, user):
                batches[user.pk].append((assignment, target_kind))
                users[user.pk] = user
    return batches, users


def send_reminders(*, day: datetime.date | None = None, schedule: Schedule | None = None) -> RunResult:
    """The daily run: remind every open assignment that is due soon, due today or overdue on ``day``."""
    day = day or timezone.localdate()
    schedule = schedule or Schedule.from_settings()
    result = RunResult()
    with translation.override(settings.LANGUAGE_CODE):
        _retry_unsent(day, result)
        batches, users = _collect(due_assignments(day, schedule), day, escalate=True)
        _deliver(batches, users, day, result)
    return result


def send_manual_reminders(*, actor: Actor, assignments: Iterable[Assignment]) -> RunResult:
    """Reminders the secretariat sends from the tracker; at most one per assignment and person a day."""
    day = timezone.localdate()
    result = RunResult()
    pairs = [
        (assignment, ReminderKind.MANUAL.value)
        for assignment in assignments
        if assignment.completed_on is None and assignment.task.cancelled_at is None
    ]
    with translation.override(settings.LANGUAGE_CODE):
        batches, users = _collect(pairs, day, escalate=False)
        _deliver(batches, users, day, result)
    return result

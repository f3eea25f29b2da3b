"""Writes of the initiative register: a unit proposes, edits and withdraws its initiatives and attaches files; the
secretariat recognises them (the level, who, when) or turns them down (not recognised, with the reason, and may reopen
them as proposals); a recognised initiative may be marked applied. Every function is
keyword-only, atomic and audited; after every change the unit's ``initiatives.recognised_count`` for the year is
published again (also by ``cchc publish_registers --year``).
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, diff, record, snapshot
from cchc.indicators.models import Indicator, IndicatorSource, Measure, Target
from cchc.indicators.services import EVIDENCE_KINDS, TargetData, indicator_ensure, target_create, value_publish
from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.storage import delete_after_commit
from cchc.lib.text import normalize
from cchc.lib.types import Actor, ActorOrSystem
from cchc.lib.validators import check_date, check_text
from cchc.organisations.models import Unit

from . import selectors
from .models import (
    REFUSAL_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Initiative,
    InitiativeFile,
    InitiativeStatus,
    RecognitionLevel,
)

INITIATIVE_FIELDS = (
    "title",
    "description",
    "status",
    "level",
    "recognised_on",
    "recognition_reference",
    "applied_on",
    "refused_on",
    "refusal_reason",
)
FILE_KINDS = EVIDENCE_KINDS
MAX_FILES = 10
DEFAULT_TARGET_YEAR = 2020


# ---------------------------------------------------------------------------
# The indicator


def recognised_count_indicator() -> Indicator:
    indicator = indicator_ensure(
        code=selectors.RECOGNISED_COUNT,
        name=_("Số sáng kiến, giải pháp cải cách hành chính được công nhận"),
        source=IndicatorSource.INITIATIVES,
        measure=Measure.COUNT,
        group=_("Sáng kiến, giải pháp cải cách hành chính"),
        description=_(
            "Số sáng kiến, giải pháp cải cách hành chính của đơn vị trong năm đã được công nhận (ở bất kỳ cấp nào), "
            "kể cả sáng kiến đã được áp dụng."
        ),
    )
    if not Target.objects.filter(indicator=indicator).exists():
        target_create(
            actor=None,
            indicator=indicator,
            data=TargetData(
                year=DEFAULT_TARGET_YEAR, value=selectors.DEFAULT_TARGET, step=Decimal(0), note=_("Chỉ tiêu mặc định")
            ),
        )
    return indicator


def count_publish(*, actor: ActorOrSystem, unit: Unit, year: int) -> None:
    """Publish the unit's count of recognised initiatives for ``year`` (0 when it has only proposals)."""
    value_publish(
        actor=actor,
        indicator=recognised_count_indicator(),
        unit=unit,
        period=Period(year, PeriodKind.YEAR),
        value=selectors.recognised_count(unit, year),
        note=_("Tính từ sổ theo dõi sáng kiến, giải pháp"),
    )


def publish_year(*, actor: ActorOrSystem, year: int) -> int:
    """Publish the count of every unit with an initiative in ``year``; returns how many units."""
    counts = selectors.counted_by_unit(year)
    units = Unit.objects.in_bulk(list(counts))
    indicator = recognised_count_indicator()
    period = Period(year, PeriodKind.YEAR)
    note = _("Tính từ sổ theo dõi sáng kiến, giải pháp")
    for unit_id, count in counts.items():
        value_publish(actor=actor, indicator=indicator, unit=units[unit_id], period=period, value=count, note=note)
    return len(counts)


# ---------------------------------------------------------------------------
# Proposals


def _clean(title: str, description: str) -> tuple[str, str]:
    title = normalize(title)
    description = (description or "").strip()
    if not title:
        raise ServiceError(_("Hãy ghi tên sáng kiến, giải pháp."), field="title")
    check_text(title, field="title", max_length=TITLE_MAX_LENGTH)
    if not description:
        raise ServiceError(_("Hãy mô tả sáng kiến, giải pháp."), field="description")
    check_text(description, field="description")
    return title, description


def _duplicate() -> ServiceError:
    return ServiceError(_("Đơn vị đã có sáng kiến cùng tên trong năm này."), field="title", code="already")


@transaction.atomic
def initiative_propose(
    *, actor: Actor, unit: Unit, year: int, title: str, description: str, upload: IO[bytes] | None = None
) -> Initiative:
    """A unit's proposal for ``year`` (the same title twice in a year is refused: a double submit creates one), with
    its first file when ``upload`` is given (a file refused by the checks leaves nothing stored)."""
    if not 2000 <= year <= 2200:
        raise ServiceError(_("Năm không hợp lệ."), field="year")
    if not unit.is_active():
        raise ServiceError(_("Đơn vị này không còn hoạt động; hãy chọn đơn vị khác."), field="unit")
    title, description = _clean(title, description)
    if Initiative.objects.filter(unit=unit, year=year, title=title).exists():
        raise _duplicate()
    try:
        with transaction.atomic():
            initiative = Initiative.objects.create(
                unit=unit, year=year, title=title, description=description, created_by=actor_user(actor)
            )
    except IntegrityError as exc:
        raise _duplicate() from exc
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=initiative,
        changes={"year": [None, year], **{k: [None, v] for k, v in snapshot(initiative, INITIATIVE_FIELDS).items()}},
        unit=unit,
    )
    if upload is not None:
        initiative_file_add(actor=actor, initiative=initiative, upload=upload)
    count_publish(actor=actor, unit=unit, year=year)
    return initiative


def _locked(initiative: Initiative) -> Initiative:
    return Initiative.objects.select_for_update(of=("self",)).select_related("unit").get(pk=initiative.pk)


def _require_proposed(initiative: Initiative) -> None:
    if initiative.status == InitiativeStatus.NOT_RECOGNISED:
        raise ServiceError(_("Sáng kiến không được công nhận; không sửa được nữa."), code="state")
    if initiative.status != InitiativeStatus.PROPOSED:
        raise ServiceError(_("Sáng kiến đã được công nhận; không sửa được nữa."), code="state")


@transaction.atomic
def initiative_update(*, actor: Actor, initiative: Initiative, title: str, description: str) -> Initiative:
    initiative = _locked(initiative)
    _require_proposed(initiative)
    title, description = _clean(title, description)
    if (
        Initiative.objects.filter(unit=initiative.unit, year=initiative.year, title=title)
        .exclude(pk=initiative.pk)
        .exists()
    ):
        raise _duplicate()
    _change(
        actor,
        initiative,
        title=title,
        description=description,
    )
    return initiative


def _change(actor: Actor, initiative: Initiative, **values: Any) -> None:
    """Set ``values`` on an initiative, save those fields and record the change in the audit trail."""
    before = snapshot(initiative, INITIATIVE_FIELDS)
    for name, value in values.items():
        setattr(initiative, name, value)
    initiative.save(update_fields=list(values))
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=initiative,
        changes=diff(before, snapshot(initiative, INITIATIVE_FIELDS)),
        unit=initiative.unit,
    )


@transaction.atomic
def initiative_withdraw(*, actor: Actor, initiative: Initiative) -> None:
    """Delete a proposal not yet recognised (with its files)."""
    found = Initiative.objects.filter(pk=initiative.pk).first()
    if found is None:
        return
    initiative = _locked(found)
    _require_proposed(initiative)
    record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=initiative,
        changes={"title": [initiative.title, None], "year": [initiative.year, None]},
        unit=initiative.unit,
    )
    unit, year = initiative.unit, initiative.year
    for stored in initiative.files.all():
        delete_after_commit(stored.file)
    initiative.delete()
    count_publish(actor=actor, unit=unit, year=year)


@transaction.atomic
def initiative_file_add(*, actor: Actor, initiative: Initiative, upload: IO[bytes]) -> InitiativeFile:
    """Attach a checked file (PDF, Word, Excel, image) to a proposal; the same file twice is stored once."""
    initiative = _locked(initiative)
    _require_proposed(initiative)
    name = PurePath(str(getattr(upload, "name", "") or "")).name
    _kind, data = files.check_upload(upload, name=name, kinds=FILE_KINDS)
    digest = hashlib.sha256(data).hexdigest()
    same = initiative.files.filter(sha256=digest).first()
    if same is not None:
        return same
    if initiative.files.count() >= MAX_FILES:
        raise ServiceError(_("Mỗi sáng kiến đính kèm tối đa %(count)s tệp.") % {"count": MAX_FILES}, field="file")
    stored = InitiativeFile(
        initiative=initiative,
        file_name=normalize(name)[:255] or digest,
        file_size=len(data),
        sha256=digest,
        uploaded_by=actor_user(actor),
    )
    stored.file.save(f"{digest}{PurePath(name).suffix.lower()}", ContentFile(data), save=False)
    stored.save()
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=initiative,
        changes={"file_name": [None, stored.file_name], "sha256": [None, digest]},
        unit=initiative.unit,
    )
    return stored


@transaction.atomic
def initiative_file_delete(*, actor: Actor, stored: InitiativeFile) -> None:
    found = InitiativeFile.objects.filter(pk=stored.pk).first()
    if found is None:
        return
    initiative = _locked(found.initiative)
    _require_proposed(initiative)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=initiative,
        changes={"file_name": [found.file_name, None], "sha256": [found.sha256, None]},
        unit=initiative.unit,
    )
    delete_after_commit(found.file)
    found.delete()


# ---------------------------------------------------------------------------
# Recognition


@transaction.atomic
def initiative_recognise(
    *,
    actor: Actor,
    initiative: Initiative,
    level: str,
    recognised_on: datetime.date | None,
    reference: str = "",
    today: datetime.date | None = None,
) -> Initiative:
    """Recognise a proposal at ``level`` (irreversible: it counts towards the unit's target from now on)."""
    initiative = _locked(initiative)
    if initiative.status == InitiativeStatus.NOT_RECOGNISED:
        raise ServiceError(
            _("Sáng kiến này đã được quyết định không công nhận; hãy mở lại để xét trước khi công nhận."), code="state"
        )
    if initiative.status != InitiativeStatus.PROPOSED:
        raise ServiceError(_("Sáng kiến này đã được công nhận."), code="already")
    if level not in RecognitionLevel.values:
        raise ServiceError(_("Hãy chọn cấp công nhận."), field="level")
    check_date(recognised_on, field="recognised_on")
    if recognised_on is None:
        raise ServiceError(_("Hãy chọn ngày công nhận."), field="recognised_on")
    if recognised_on > (today or timezone.localdate()):
        raise ServiceError(_("Ngày công nhận không được sau ngày hôm nay."), field="recognised_on")
    _change(
        actor,
        initiative,
        status=InitiativeStatus.RECOGNISED,
        level=level,
        recognised_on=recognised_on,
        recognition_reference=check_text(normalize(reference), field="reference", max_length=100),
        recognised_by=actor_user(actor),
    )
    count_publish(actor=actor, unit=initiative.unit, year=initiative.year)
    return initiative


@transaction.atomic
def initiative_mark_applied(
    *, actor: Actor, initiative: Initiative, applied_on: datetime.date | None, today: datetime.date | None = None
) -> Initiative:
    """Record that a recognised initiative is applied in practice."""
    initiative = _locked(initiative)
    if initiative.status == InitiativeStatus.APPLIED:
        raise ServiceError(_("Sáng kiến này đã được ghi nhận áp dụng."), code="already")
    if initiative.status != InitiativeStatus.RECOGNISED:
        raise ServiceError(_("Chỉ ghi nhận áp dụng được sáng kiến đã được công nhận."), code="state")
    check_date(applied_on, field="applied_on")
    if applied_on is None:
        raise ServiceError(_("Hãy chọn ngày áp dụng."), field="applied_on")
    if applied_on > (today or timezone.localdate()):
        raise ServiceError(_("Ngày áp dụng không được sau ngày hôm nay."), field="applied_on")
    _change(
        actor,
        initiative,
        status=InitiativeStatus.APPLIED,
        applied_on=applied_on,
    )
    count_publish(actor=actor, unit=initiative.unit, year=initiative.year)
    return initiative


@transaction.atomic
def initiative_refuse(
    *,
    actor: Actor,
    initiative: Initiative,
    reason: str,
    refused_on: datetime.date | None,
    today: datetime.date | None = None,
) -> Initiative:
    """Turn a proposal down (không được công nhận) with the reason: it stays in the register, visible to its unit, and
    never counts towards the target. A second identical request finds it already refused (``code="already"``)."""
    initiative = _locked(initiative)
    if initiative.status == InitiativeStatus.NOT_RECOGNISED:
        raise ServiceError(_("Sáng kiến này đã được quyết định không công nhận."), code="already")
    if initiative.status != InitiativeStatus.PROPOSED:
        raise ServiceError(_("Sáng kiến này đã được công nhận; không chuyển sang không công nhận được."), code="state")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Hãy ghi lý do không công nhận."), field="reason")
    check_text(reason, field="reason", max_length=REFUSAL_MAX_LENGTH)
    check_date(refused_on, field="refused_on")
    if refused_on is None:
        raise ServiceError(_("Hãy chọn ngày quyết định."), field="refused_on")
    if refused_on > (today or timezone.localdate()):
        raise ServiceError(_("Ngày quyết định không được sau ngày hôm nay."), field="refused_on")
    _change(
        actor,
        initiative,
        status=InitiativeStatus.NOT_RECOGNISED,
        refusal_reason=reason,
        refused_on=refused_on,
        refused_by=actor_user(actor),
    )
    return initiative


@transaction.atomic
def initiative_reopen(*, actor: Actor, initiative: Initiative) -> Initiative:
    """Take a not recognised initiative back to a proposal (for example after the unit completed it): the unit may
    edit it again and the secretariat examine it again. The refusal stays in the audit trail."""
    initiative = _locked(initiative)
    if initiative.status == InitiativeStatus.PROPOSED:
        raise ServiceError(_("Sáng kiến này đang ở trạng thái đề xuất."), code="already")
    if initiative.status != InitiativeStatus.NOT_RECOGNISED:
        raise ServiceError(_("Chỉ mở lại được sáng kiến không được công nhận."), code="state")
    _change(
        actor,
        initiative,
        status=InitiativeStatus.PROPOSED,
        refusal_reason="",
        refused_on=None,
        refused_by=None,
    )
    return initiative

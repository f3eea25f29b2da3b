"""Registering and editing a directive (the document itself; its tasks are in :mod:`.tasks`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, diff, record, snapshot
from cchc.lib.errors import ServiceError
from cchc.lib.text import normalize
from cchc.lib.types import Actor, ActorOrSystem
from cchc.lib.validators import DOCUMENT_MAX_LENGTH, NUL, TITLE_MAX_LENGTH, check_date, check_text
from cchc.organisations.models import Unit

from ..models import Directive, DirectiveKind
from .files import StoredFile

DIRECTIVE_FIELDS = (
    "kind",
    "reference",
    "issued_on",
    "issuing_unit",
    "signer",
    "subject",
    "addressees",
    "horizon_end",
    "note",
)


@dataclass
class DirectiveData:
    kind: str
    subject: str
    issuing_unit: Unit
    reference: str = ""
    issued_on: datetime.date | None = None
    signer: str = ""
    addressees: str = ""
    horizon_end: datetime.date | None = None
    note: str = ""
    text: str = ""
    # What the directive is generated from (a remediation plan's round and gaps); at most one directive per key.
    origin_key: str = ""


class DirectiveExistsError(ServiceError):
    """The directive generated from the same source already exists: ``directive`` is that one."""

    def __init__(self, directive: Directive) -> None:
        super().__init__(
            _("Văn bản này đã được tạo trước đó: %(directive)s.") % {"directive": directive},
            code="conflict",
        )
        self.directive = directive


def _clean_directive(data: DirectiveData) -> DirectiveData:
    data.subject = normalize(data.subject)
    data.reference = normalize(data.reference)
    data.signer = normalize(data.signer)
    data.addressees = (data.addressees or "").strip()
    data.note = (data.note or "").strip()
    data.text = (data.text or "").replace(NUL, "")[:DOCUMENT_MAX_LENGTH]  # extracted from the file: kept as it fits
    check_text(data.subject, field="subject", max_length=TITLE_MAX_LENGTH)
    check_text(data.addressees, field="addressees")
    check_text(data.note, field="note")
    check_date(data.issued_on, field="issued_on")
    check_date(data.horizon_end, field="horizon_end")
    if not data.subject:
        raise ServiceError(_("Hãy ghi trích yếu của văn bản."), field="subject")
    if data.kind not in DirectiveKind.values:
        raise ServiceError(_("Loại văn bản không hợp lệ."), field="kind")
    if data.issued_on and data.horizon_end and data.horizon_end < data.issued_on:
        raise ServiceError(_("Ngày kết thúc theo dõi không được trước ngày ban hành."), field="horizon_end")
    if data.issued_on and data.issued_on > timezone.localdate() + datetime.timedelta(days=366):
        raise ServiceError(_("Ngày ban hành không hợp lệ."), field="issued_on")
    day = data.issued_on or timezone.localdate()
    if not data.issuing_unit.is_active(day):
        raise ServiceError(
            _(
                "%(unit)s không hoạt động vào ngày %(day)s; hãy chọn cơ quan ban hành hoạt động vào ngày ban hành "
                "văn bản."
            )
            % {"unit": data.issuing_unit.name, "day": f"{day:%d/%m/%Y}"},
            field="issuing_unit",
        )
    return data


@transaction.atomic
def directive_create(
    *, actor: ActorOrSystem, data: DirectiveData, file: StoredFile | None = None, reason: str = ""
) -> Directive:
    """Register a directive; one generated from a source already used raises :class:`DirectiveExistsError`."""
    data = _clean_directive(data)
    data.origin_key = (data.origin_key or "")[:100]
    if data.origin_key and (existing := Directive.objects.filter(origin_key=data.origin_key).first()):
        raise DirectiveExistsError(existing)
    directive = Directive(
        kind=data.kind,
        reference=data.reference,
        issued_on=data.issued_on,
        issuing_unit=data.issuing_unit,
        signer=data.signer,
        subject=data.subject,
        addressees=data.addressees,
        horizon_end=data.horizon_end,
        note=data.note,
        text=data.text,
        origin_key=data.origin_key,
        created_by=actor_user(actor),
    )
    if file is not None:
        directive.file.save(file.name, ContentFile(file.content), save=False)
        directive.file_name = file.name
        directive.file_size = len(file.content)
        directive.sha256 = file.sha256
    try:
        with transaction.atomic():
            directive.save()
    except IntegrityError:
        # Another request created the same directive between the check above and this insert.
        existing = Directive.objects.filter(origin_key=data.origin_key).first() if data.origin_key else None
        if existing is None:
            raise
        raise DirectiveExistsError(existing) from None
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=directive,
        changes={key: [None, value] for key, value in snapshot(directive, DIRECTIVE_FIELDS).items()},
        reason=reason,
        unit=directive.issuing_unit,
    )
    return directive


@transaction.atomic
def directive_update(*, actor: Actor, directive: Directive, data: DirectiveData, reason: str = "") -> Directive:
    data = _clean_directive(data)
    before = snapshot(directive, DIRECTIVE_FIELDS)
    for name in DIRECTIVE_FIELDS:
        setattr(directive, name, getattr(data, name))
    directive.save()
    changes = diff(before, snapshot(directive, DIRECTIVE_FIELDS))
    if changes:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=directive,
            changes=changes,
            reason=reason,
            unit=directive.issuing_unit,
        )
    return directive

"""Uploaded directives awaiting review, and the confirmation that turns one into a directive with its tasks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.audit.services import actor_user
from cchc.lib.errors import ServiceError
from cchc.lib.storage import delete_after_commit
from cchc.lib.types import Actor, ActorOrSystem
from cchc.organisations.models import Unit
from cchc.organisations.services import UnitData, unit_create

from ..models import Directive, DirectiveDraft, Task
from .directives import DirectiveData, directive_create
from .files import StoredFile
from .learning import extraction_review_record
from .tasks import TaskData, clean_task, create_task


@dataclass(frozen=True)
class NewUnit:
    """A unit named in a directive but missing from the registry, created when the directive is confirmed."""

    label: str
    data: UnitData
    parent: Unit


@transaction.atomic
def draft_create(*, actor: Actor, issuing_unit: Unit, file: StoredFile, extraction: dict[str, Any]) -> DirectiveDraft:
    """Keep an uploaded directive and its proposed tasks until the user confirms or discards them."""
    draft = DirectiveDraft(
        created_by=actor_user(actor),
        issuing_unit=issuing_unit,
        file_name=file.name,
        file_size=len(file.content),
        sha256=file.sha256,
        extraction=extraction,
    )
    draft.file.save(file.name, ContentFile(file.content), save=False)
    draft.save()
    return draft


@transaction.atomic
def draft_discard(*, actor: Actor, draft: DirectiveDraft) -> None:
    delete_after_commit(draft.file)
    draft.delete()


def draft_file(draft: DirectiveDraft) -> StoredFile:
    with draft.file.open("rb") as handle:
        return StoredFile(name=draft.file_name, content=handle.read())


@transaction.atomic
def directive_create_with_tasks(
    *,
    actor: ActorOrSystem,
    data: DirectiveData,
    tasks: Sequence[TaskData],
    new_units: Sequence[NewUnit] = (),
    file: StoredFile | None = None,
    draft: DirectiveDraft | None = None,
    reason: str = "",
) -> Directive:
    """The confirmation of a reviewed directive: the directive, any new units, and every task — or nothing.

    Each task is checked before anything is written, so a bad row raises with
    its number and the database is left as it was. Confirming an uploaded ``draft`` also keeps what the extractor
    proposed and what was confirmed (:func:`.learning.extraction_review_record`, each task linked to its
    ``proposal_index``); the draft is locked and then deleted, so a second confirmation of it creates nothing.
    """
    if not tasks:
        raise ServiceError(_("Văn bản chưa có nhiệm vụ nào; hãy thêm ít nhất một nhiệm vụ."), field="tasks")
    if draft is not None and not DirectiveDraft.objects.select_for_update().filter(pk=draft.pk).exists():
        raise ServiceError(_("Văn bản tải lên này đã được xác nhận hoặc đã bị hủy."), field="tasks")
    directive = directive_create(actor=actor, data=data, file=file, reason=reason)
    created: dict[str, Unit] = {}
    confirmed: list[tuple[TaskData, Task]] = []
    for new in new_units:
        created[new.label] = unit_create(actor=actor, data=new.data, parent=new.parent, reason=reason)
    for number, task in enumerate(tasks, start=1):
        task.units = [*task.units, *(created[label] for label in task.new_unit_labels if label in created)]
        missing = [label for label in task.new_unit_labels if label not in created]
        if missing:
            raise ServiceError(
                _("Nhiệm vụ %(number)s: chưa xác định đơn vị “%(name)s”.") % {"number": number, "name": missing[0]},
                field="tasks",
            )
        try:
            cleaned = clean_task(directive, task)
        except ServiceError as exc:
            raise ServiceError(
                _("Nhiệm vụ %(number)s: %(message)s") % {"number": number, "message": exc.message},
                field="tasks",
            ) from exc
        confirmed.append(
            (cleaned, create_task(actor=actor, directive=directive, data=cleaned, position=number * 10, reason=reason))
        )
    if draft is not None:
        extraction = draft.extraction if isinstance(draft.extraction, dict) else {}
        extraction_review_record(
            actor=actor, directive=directive, extraction=extraction, confirmed=confirmed, reason=reason
        )
        delete_after_commit(draft.file)
        draft.delete()
    return directive

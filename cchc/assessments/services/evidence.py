"""Evidence of a sheet: uploaded files (checked, stored under their SHA-256) and references to documents.

Evidence is added while self-assessing, or with an explanation; it locks when the sheet is submitted.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from pathlib import PurePath
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, record, snapshot
from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.lib.storage import delete_after_commit
from cchc.lib.text import normalize
from cchc.lib.types import ActorOrSystem

from ..models import Assessment, Evidence, Score
from .stages import require_self_assessment_open

EVIDENCE_KINDS = (files.PDF, files.DOCX, files.XLSX, files.IMAGE)


def _check_scores(assessment: Assessment, scores: Iterable[Score]) -> list[Score]:
    chosen = list(scores)
    if not chosen:
        raise ServiceError(_("Hãy chọn ít nhất một tiêu chí mà tài liệu chứng minh."), field="scores")
    if any(score.assessment_id != assessment.pk for score in chosen):
        raise ServiceError(_("Tài liệu chỉ dùng cho các tiêu chí của cùng một phiếu."), field="scores")
    return chosen


def _require_evidence_open(assessment: Assessment, scores: list[Score]) -> None:
    """Evidence is added while self-assessing, or with an explanation for the leaves being explained."""
    if assessment.is_open_for_self_assessment():
        return
    if all(score.assessment.is_open_for_explanation() for score in scores):
        return
    require_self_assessment_open(assessment)


def _evidence_snapshot(evidence: Evidence, scores: list[Score]) -> dict[str, Any]:
    values = snapshot(evidence, ("title", "file_name", "file_size", "sha256", "document_number", "document_date"))
    values.update(snapshot(evidence, ("issuer", "link")))
    values["scores"] = sorted(score.criterion.code for score in scores)
    return values


@transaction.atomic
def evidence_add_file(
    *, actor: ActorOrSystem, assessment: Assessment, upload: IO[bytes], title: str, scores: Iterable[Score]
) -> Evidence:
    """Store an uploaded file (checked: type, size, zip bombs, corrupt) with its SHA-256."""
    chosen = _check_scores(assessment, scores)
    _require_evidence_open(assessment, chosen)
    name = PurePath(str(getattr(upload, "name", "") or "")).name
    _kind, data = files.check_upload(upload, name=name, kinds=EVIDENCE_KINDS)
    digest = hashlib.sha256(data).hexdigest()
    evidence = Evidence(
        assessment=assessment,
        title=normalize(title) or normalize(PurePath(name).stem) or name,
        file_name=normalize(name)[:255],
        file_size=len(data),
        sha256=digest,
        uploaded_by=actor_user(actor),
    )
    # The stored name is the content hash: no user text in paths, and the same bytes are recognisable.
    evidence.file.save(f"{digest}{PurePath(name).suffix.lower()}", ContentFile(data), save=False)
    evidence.save()
    evidence.scores.set(chosen)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=evidence,
        changes={key: [None, value] for key, value in _evidence_snapshot(evidence, chosen).items()},
        unit=assessment.unit,
    )
    return evidence


@transaction.atomic
def evidence_add_reference(
    *,
    actor: ActorOrSystem,
    assessment: Assessment,
    title: str,
    scores: Iterable[Score],
    document_number: str = "",
    document_date: datetime.date | None = None,
    issuer: str = "",
    link: str = "",
) -> Evidence:
    """A reference to an existing document (number, date, issuer, link) instead of a file."""
    chosen = _check_scores(assessment, scores)
    _require_evidence_open(assessment, chosen)
    title = normalize(title)
    if not title:
        raise ServiceError(_("Hãy ghi tên hoặc trích yếu của văn bản."), field="title")
    if not (normalize(document_number) or link):
        raise ServiceError(_("Hãy ghi số, ký hiệu văn bản hoặc đường dẫn đến văn bản."), field="document_number")
    evidence = Evidence.objects.create(
        assessment=assessment,
        title=title[:500],
        document_number=normalize(document_number)[:100],
        document_date=document_date,
        issuer=normalize(issuer)[:300],
        link=link,
        uploaded_by=actor_user(actor),
    )
    evidence.scores.set(chosen)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=evidence,
        changes={key: [None, value] for key, value in _evidence_snapshot(evidence, chosen).items()},
        unit=assessment.unit,
    )
    return evidence


def _require_evidence_unlocked(evidence: Evidence) -> None:
    if evidence.locked_at is not None:
        raise ServiceError(
            _("Tài liệu kiểm chứng đã nộp không được sửa hoặc xóa; hãy bổ sung tài liệu mới nếu cần."),
            code="locked",
        )
    require_self_assessment_open(evidence.assessment)


@transaction.atomic
def evidence_delete(*, actor: ActorOrSystem, evidence: Evidence) -> None:
    evidence = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("assessment__round", "assessment__unit")
        .get(pk=evidence.pk)
    )
    _require_evidence_unlocked(evidence)
    before = _evidence_snapshot(evidence, list(evidence.scores.select_related("criterion")))
    assessment = evidence.assessment
    record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=evidence,
        changes={key: [value, None] for key, value in before.items()},
        unit=assessment.unit,
    )
    delete_after_commit(evidence.file)
    evidence.delete()

"""Writes to questionnaires: creating and editing drafts, their sections, questions and choices, publishing, new
versions, closing, and building a whole questionnaire at once (shipped templates, XLSForm import, copies).

Every function runs in one transaction, checks its rules, raises :class:`ServiceError` with a Vietnamese message when
one is broken (nothing is written then) and records the change in the audit trail against the questionnaire's owner.

Only a draft version changes (:func:`ensure_draft`). Publishing checks the whole version (:func:`version_problems`),
freezes it and closes the version published before; editing a published questionnaire starts a new draft copied from
its latest version (:func:`version_new_draft`), so the answers given to a version keep the questions they answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import diff, record, snapshot
from cchc.lib.errors import ServiceError
from cchc.lib.text import normalize
from cchc.lib.types import ActorOrSystem
from cchc.lib.validators import TITLE_MAX_LENGTH, check_text
from cchc.organisations.models import Unit

from .models import (
    CHOICE_KINDS,
    CODE_MAX_LENGTH,
    FIXED_SCALE_KINDS,
    VALUE_MAX_LENGTH,
    Choice,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireVersion,
    Section,
    VersionState,
)
from .scales import FIXED_SCALES, fixed_values
from .selectors import ordered_questions, spec_of
from .specs import ChoiceSpec, QuestionnaireSpec, QuestionSpec, SectionSpec

QUESTIONNAIRE_FIELDS = ("code", "title", "kind", "source_note", "owner", "is_template")
VERSION_FIELDS = ("number", "state", "published_at", "closed_at")
SECTION_FIELDS = ("order", "title", "weight")
QUESTION_FIELDS = (
    "section",
    "order",
    "code",
    "text",
    "hint",
    "kind",
    "required",
    "condition_question",
    "condition_value",
    "weight",
)
CHOICE_FIELDS = ("order", "value", "label")
QUESTIONNAIRE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# The names XLSForm accepts for a question, so that every questionnaire can be exported.
QUESTION_CODE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
CHOICE_VALUE = re.compile(r"^[A-Za-z0-9_.-]+$")
MAX_WEIGHT = Decimal("9999.99")
UP, DOWN = "up", "down"


@dataclass
class QuestionnaireData:
    code: str
    title: str
    kind: str = QuestionnaireKind.CUSTOM
    source_note: str = ""
    owner: Unit | None = None


@dataclass
class SectionData:
    title: str
    weight: Any = Decimal(1)


@dataclass
class QuestionData:
    code: str
    text: str
    kind: str
    required: bool = False
    hint: str = ""
    condition_question: Question | None = None
    condition_value: str = ""
    weight: Any = None


# ---------------------------------------------------------------------------
# Checks


def ensure_draft(version: QuestionnaireVersion) -> None:
    if version.state != VersionState.DRAFT:
        raise ServiceError(
            _(
                "Phiên bản %(number)s đã ban hành hoặc đã đóng nên không sửa được. "
                "Hãy tạo phiên bản mới để chỉnh sửa; phiên bản cũ giữ nguyên."
            )
            % {"number": version.number},
            code="conflict",
        )


def _clean_questionnaire(data: QuestionnaireData) -> QuestionnaireData:
    data.code = normalize(data.code)
    data.title = normalize(data.title)
    data.source_note = check_text((data.source_note or "").strip(), field="source_note")
    if not data.code:
        raise ServiceError(_("Hãy nhập mã phiếu."), field="code")
    if len(data.code) > CODE_MAX_LENGTH or not QUESTIONNAIRE_CODE.match(data.code):
        raise ServiceError(
            _("Mã phiếu tối đa %(max)s ký tự, chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới.")
            % {"max": CODE_MAX_LENGTH},
            field="code",
        )
    if not data.title:
        raise ServiceError(_("Hãy nhập tên phiếu."), field="title")
    if len(data.title) > 300:
        raise ServiceError(_("Tên phiếu dài quá 300 ký tự."), field="title")
    if data.kind not in QuestionnaireKind.values:
        raise ServiceError(_("Loại phiếu không hợp lệ."), field="kind")
    return data


def _check_code_free(code: str, *, exclude: int | None = None) -> None:
    clash = Questionnaire.objects.filter(code__iexact=code)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ServiceError(_("Đã có phiếu khảo sát mã “%(code)s”.") % {"code": code}, field="code")


def clean_weight(value: Any, *, field: str, allow_empty: bool = False) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_empty:
            return None
        raise ServiceError(_("Hãy nhập trọng số."), field=field)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ServiceError(_("Trọng số “%(value)s” không phải là số.") % {"value": value}, field=field) from None
    if not number.is_finite() or number < 0 or number > MAX_WEIGHT:
        raise ServiceError(_("Trọng số phải từ 0 đến %(max)s.") % {"max": MAX_WEIGHT}, field=field)
    if number != number.quantize(Decimal("0.01")):
        raise ServiceError(_("Trọng số chỉ được có tối đa 2 chữ số thập phân."), field=field)
    return number.quantize(Decimal("0.01"))


def _clean_section(data: SectionData) -> tuple[str, Decimal]:
    title = normalize(data.title)
    if not title:
        raise ServiceError(_("Hãy nhập tên phần."), field="title")
    check_text(title, field="title", max_length=TITLE_MAX_LENGTH)
    weight = clean_weight(data.weight, field="weight")
    assert weight is not None
    return title, weight


def clean_question_code(code: str) -> str:
    code = normalize(code)
    if not code:
        raise ServiceError(_("Hãy nhập mã câu hỏi."), field="code")
    if len(code) > CODE_MAX_LENGTH or not QUESTION_CODE.match(code):
        raise ServiceError(
            _(
                "Mã câu hỏi “%(code)s” không hợp lệ: tối đa %(max)s ký tự, bắt đầu bằng chữ không dấu hoặc gạch "
                "dưới, chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới."
            )
            % {"code": code[:80], "max": CODE_MAX_LENGTH},
            field="code",
        )
    return code


def clean_choice_value(value: str) -> str:
    value = normalize(value)
    if not value:
        raise ServiceError(_("Hãy nhập giá trị của phương án."), field="value")
    if len(value) > VALUE_MAX_LENGTH or not CHOICE_VALUE.match(value):
        raise ServiceError(
            _(
                "Giá trị phương án “%(value)s” không hợp lệ: tối đa %(max)s ký tự, chỉ gồm chữ không dấu, số, dấu "
                "chấm, gạch ngang, gạch dưới."
            )
            % {"value": value[:80], "max": VALUE_MAX_LENGTH},
            field="value",
        )
    return value


def _clean_question(data: QuestionData) -> QuestionData:
    data.code = clean_question_code(data.code)
    data.text = normalize(data.text)
    data.hint = normalize(data.hint)
    data.condition_value = normalize(data.condition_value)
    if not data.text:
        raise ServiceError(_("Hãy nhập nội dung câu hỏi."), field="text")
    check_text(data.text, field="text", max_length=TITLE_MAX_LENGTH)
    check_text(data.hint, field="hint", max_length=TITLE_MAX_LENGTH)
    if data.kind not in QuestionKind.values:
        raise ServiceError(_("Loại câu hỏi không hợp lệ."), field="kind")
    if data.kind == QuestionKind.NOTE:
        data.required = False
    if len(data.condition_value) > VALUE_MAX_LENGTH:
        raise ServiceError(_("Giá trị điều kiện dài quá %(max)s ký tự.") % {"max": VALUE_MAX_LENGTH}, field="condition")
    if data.condition_question is None:
        data.condition_value = ""
    elif not data.condition_value:
        raise ServiceError(_("Hãy nhập giá trị của câu điều kiện."), field="condition_value")
    data.weight = clean_weight(data.weight, field="weight", allow_empty=True)
    return data


def _condition_problem(question: Question, earlier: dict[int, Question]) -> str | None:
    """Why the condition of ``question`` cannot work, or ``None``; ``earlier`` maps the questions before it."""
    target = question.condition_question
    if target is None:
        return None
    if target.pk not in earlier:
        return _("Câu %(code)s: điều kiện phải dựa vào một câu hỏi đứng trước nó trong cùng phiếu (%(target)s).") % {
            "code": question.code,
            "target": target.code,
        }
    target = earlier[target.pk]
    value = question.condition_value
    if target.kind == QuestionKind.NOTE:
        return _("Câu %(code)s: câu %(target)s là ghi chú, không có câu trả lời để làm điều kiện.") % {
            "code": question.code,
            "target": target.code,
        }
    if target.kind in CHOICE_KINDS:
        values = [choice.value for choice in target.choices.all()]
        if value not in values:
            return _("Câu %(code)s: câu %(target)s không có phương án “%(value)s” (có: %(values)s).") % {
                "code": question.code,
                "target": target.code,
                "value": value,
                "values": ", ".join(values),
            }
    elif target.kind == QuestionKind.NUMBER:
        try:
            Decimal(value)
        except InvalidOperation:
            return _("Câu %(code)s: câu %(target)s trả lời bằng số nên giá trị điều kiện phải là số.") % {
                "code": question.code,
                "target": target.code,
            }
    return None


def version_problems(version: QuestionnaireVersion) -> list[str]:
    """Everything that prevents ``version`` from being published, in Vietnamese; empty when it may be published."""
    problems: list[str] = []
    sections = list(version.sections.all())
    questions = ordered_questions(version)
    if not any(question.kind != QuestionKind.NOTE for question in questions):
        problems.append(_("Phiếu chưa có câu hỏi nào cần trả lời."))
    used = {question.section_id for question in questions}
    for section in sections:
        if section.pk not in used:
            problems.append(_("Phần “%(title)s” chưa có câu hỏi.") % {"title": section.title})
    seen: dict[str, int] = {}
    earlier: dict[int, Question] = {}
    for question in questions:
        folded = question.code.casefold()
        if folded in seen:
            problems.append(_("Mã câu hỏi “%(code)s” bị trùng.") % {"code": question.code})
        seen[folded] = question.pk
        values = [choice.value for choice in question.choices.all()]
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(values) < 2:
            problems.append(_("Câu %(code)s: cần ít nhất 2 phương án trả lời.") % {"code": question.code})
        expected = fixed_values(question.kind)
        if expected is not None and tuple(values) != expected:
            problems.append(
                _("Câu %(code)s: các phương án phải đúng thang %(kind)s (%(values)s).")
                % {"code": question.code, "kind": question.get_kind_display(), "values": ", ".join(expected)}
            )
        if question.kind not in CHOICE_KINDS and values:
            problems.append(_("Câu %(code)s: loại câu hỏi này không có phương án trả lời.") % {"code": question.code})
        if (problem := _condition_problem(question, earlier)) is not None:
            problems.append(problem)
        earlier[question.pk] = question
    return problems


# ---------------------------------------------------------------------------
# Audit


def _audit(
    *,
    actor: ActorOrSystem,
    action: AuditAction,
    instance: Any,
    questionnaire: Questionnaire,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    record(
        actor=actor,
        action=action,
        instance=instance,
        changes=diff(before or {}, after or {}),
        reason=reason,
        unit=questionnaire.owner,
    )


# ---------------------------------------------------------------------------
# Questionnaires


@transaction.atomic
def questionnaire_create(
    *, actor: ActorOrSystem, data: QuestionnaireData, is_template: bool = False, reason: str = ""
) -> Questionnaire:
    """A new questionnaire with an empty draft version 1."""
    data = _clean_questionnaire(data)
    _check_code_free(data.code)
    questionnaire = Questionnaire.objects.create(
        code=data.code,
        title=data.title,
        kind=data.kind,
        source_note=data.source_note,
        owner=data.owner,
        is_template=is_template,
    )
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        instance=questionnaire,
        questionnaire=questionnaire,
        after=snapshot(questionnaire, QUESTIONNAIRE_FIELDS),
        reason=reason,
    )
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        instance=version,
        questionnaire=questionnaire,
        after=snapshot(version, VERSION_FIELDS),
    )
    return questionnaire


@transaction.atomic
def questionnaire_update(
    *, actor: ActorOrSystem, questionnaire: Questionnaire, data: QuestionnaireData, reason: str = ""
) -> Questionnaire:
    """The questionnaire's name, kind, source and owner (not versioned: responses keep their version's questions)."""
    data = _clean_questionnaire(data)
    _check_code_free(data.code, exclude=questionnaire.pk)
    if data.code != questionnaire.code and questionnaire.versions.exclude(state=VersionState.DRAFT).exists():
        raise ServiceError(_("Phiếu đã ban hành thì không đổi mã phiếu được."), field="code")
    before = snapshot(questionnaire, QUESTIONNAIRE_FIELDS)
    for name in ("code", "title", "kind", "source_note", "owner"):
        setattr(questionnaire, name, getattr(data, name))
    questionnaire.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=questionnaire,
        questionnaire=questionnaire,
        before=before,
        after=snapshot(questionnaire, QUESTIONNAIRE_FIELDS),
        reason=reason,
    )
    return questionnaire


@transaction.atomic
def questionnaire_delete(*, actor: ActorOrSystem, questionnaire: Questionnaire, reason: str = "") -> None:
    """Only a questionnaire never published may be deleted (a published one is closed instead)."""
    if questionnaire.versions.exclude(state=VersionState.DRAFT).exists():
        raise ServiceError(
            _("Phiếu đã ban hành nên không xóa được; hãy đóng phiếu nếu không dùng nữa."), code="conflict"
        )
    _audit(
        actor=actor,
        action=AuditAction.DELETE,
        instance=questionnaire,
        questionnaire=questionnaire,
        before=snapshot(questionnaire, QUESTIONNAIRE_FIELDS),
        reason=reason,
    )
    Question.objects.filter(version__questionnaire=questionnaire).update(condition_question=None)
    questionnaire.delete()


@transaction.atomic
def questionnaire_build(
    *,
    actor: ActorOrSystem,
    spec: QuestionnaireSpec,
    owner: Unit | None = None,
    is_template: bool = False,
    publish: bool = False,
    reason: str = "",
) -> Questionnaire:
    """A whole questionnaire written at once, as version 1 (published when ``publish``); all or nothing."""
    questionnaire = questionnaire_create(
        actor=actor,
        data=QuestionnaireData(
            code=spec.code, title=spec.title, kind=spec.kind, source_note=spec.source_note, owner=owner
        ),
        is_template=is_template,
        reason=reason,
    )
    version = questionnaire.versions.get()
    _write_content(version, spec.sections)
    if publish:
        version_publish(actor=actor, version=version, reason=reason)
    return questionnaire


@transaction.atomic
def questionnaire_copy(
    *,
    actor: ActorOrSystem,
    version: QuestionnaireVersion,
    code: str,
    title: str,
    owner: Unit | None,
    reason: str = "",
) -> Questionnaire:
    """A new questionnaire (draft version 1) with the content of ``version``, e.g. a unit's own copy of a template."""
    spec = spec_of(version)
    spec.code, spec.title = code, title
    spec.source_note = _("Sao chép từ phiếu “%(title)s” (%(code)s), phiên bản %(number)s.") % {
        "title": version.questionnaire.title,
        "code": version.questionnaire.code,
        "number": version.number,
    } + ("\n" + spec.source_note if spec.source_note else "")
    return questionnaire_build(actor=actor, spec=spec, owner=owner, reason=reason)


def _write_content(version: QuestionnaireVersion, sections: list[SectionSpec]) -> None:
    by_code: dict[str, Question] = {}
    pending: list[tuple[Question, QuestionSpec]] = []
    for section_order, section_spec in enumerate(sections, start=1):
        title, weight = _clean_section(SectionData(title=section_spec.title, weight=section_spec.weight))
        section = Section.objects.create(version=version, order=section_order, title=title, weight=weight)
        for question_order, question_spec in enumerate(section_spec.questions, start=1):
            data = _clean_question(
                QuestionData(
                    code=question_spec.code,
                    text=question_spec.text,
                    kind=question_spec.kind,
                    required=question_spec.required,
                    hint=question_spec.hint,
                    weight=question_spec.weight,
                )
            )
            if data.code.casefold() in by_code:
                raise ServiceError(_("Mã câu hỏi “%(code)s” bị trùng.") % {"code": data.code}, field="code")
            question = Question.objects.create(
                version=version,
                section=section,
                order=question_order,
                code=data.code,
                text=data.text,
                hint=data.hint,
                kind=data.kind,
                required=data.required,
                weight=data.weight,
            )
            _write_choices(question, question_spec.choices)
            by_code[data.code.casefold()] = question
            pending.append((question, question_spec))
    for question, question_spec in pending:
        if question_spec.condition is None:
            continue
        target_code, value = question_spec.condition
        target = by_code.get(normalize(target_code).casefold())
        if target is None:
            raise ServiceError(
                _("Câu %(code)s: điều kiện dựa vào câu “%(target)s” không có trong phiếu.")
                % {"code": question.code, "target": target_code},
                field="condition_question",
            )
        question.condition_question = target
        question.condition_value = normalize(value)
        if not question.condition_value or len(question.condition_value) > VALUE_MAX_LENGTH:
            raise ServiceError(
                _("Câu %(code)s: giá trị điều kiện không hợp lệ.") % {"code": question.code}, field="condition_value"
            )
        question.save(update_fields=["condition_question", "condition_value"])


def _write_choices(question: Question, choices: list[ChoiceSpec]) -> None:
    scale = FIXED_SCALES.get(question.kind)
    if scale is not None:
        labels = dict(scale)
        if question.kind == QuestionKind.OPTIONS_AD and choices:
            given = {normalize(choice.value): normalize(choice.label) for choice in choices}
            if set(given) != set(labels):
                raise ServiceError(
                    _("Câu %(code)s: phương án phải là A, B, C, D.") % {"code": question.code}, field="choices"
                )
            labels = {value: given[value] or value for value in labels}
        rows = [(value, labels[value]) for value, _label in scale]
    elif question.kind in CHOICE_KINDS:
        rows = [(clean_choice_value(choice.value), normalize(choice.label)) for choice in choices]
    else:
        if choices:
            raise ServiceError(
                _("Câu %(code)s: loại câu hỏi này không có phương án trả lời.") % {"code": question.code},
                field="choices",
            )
        rows = []
    seen: set[str] = set()
    objects = []
    for order, (value, label) in enumerate(rows, start=1):
        if value in seen:
            raise ServiceError(
                _("Câu %(code)s: phương án “%(value)s” bị trùng.") % {"code": question.code, "value": value},
                field="choices",
            )
        seen.add(value)
        if not label:
            raise ServiceError(
                _("Câu %(code)s: phương án “%(value)s” chưa có nhãn.") % {"code": question.code, "value": value},
                field="choices",
            )
        check_text(label, field="label", max_length=TITLE_MAX_LENGTH)
        objects.append(Choice(question=question, order=order, value=value, label=label))
    Choice.objects.bulk_create(objects)


# ---------------------------------------------------------------------------
# Versions


@transaction.atomic
def version_new_draft(*, actor: ActorOrSystem, questionnaire: Questionnaire, reason: str = "") -> QuestionnaireVersion:
    """The draft to edit: the existing one, or a new one copied from the latest version (which stays unchanged)."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    existing = questionnaire.versions.filter(state=VersionState.DRAFT).first()
    if existing is not None:
        return existing
    latest = questionnaire.versions.order_by("-number").first()
    number = (questionnaire.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=number, based_on=latest)
    if latest is not None:
        _write_content(version, spec_of(latest).sections)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        instance=version,
        questionnaire=questionnaire,
        after={**snapshot(version, VERSION_FIELDS), "based_on": latest.number if latest else None},
        reason=reason,
    )
    return version


@transaction.atomic
def version_discard(*, actor: ActorOrSystem, version: QuestionnaireVersion, reason: str = "") -> None:
    """Drop a draft started from a published version; the versions before it stay as they are.

    The first draft of a questionnaire never published is not discarded: the questionnaire itself is deleted instead.
    """
    version = QuestionnaireVersion.objects.select_for_update().select_related("questionnaire").get(pk=version.pk)
    ensure_draft(version)
    if not version.questionnaire.versions.exclude(pk=version.pk).exists():
        raise ServiceError(_("Đây là phiên bản duy nhất của phiếu; hãy xóa phiếu nếu không dùng nữa."), code="conflict")
    _audit(
        actor=actor,
        action=AuditAction.DELETE,
        instance=version,
        questionnaire=version.questionnaire,
        before=snapshot(version, VERSION_FIELDS),
        reason=reason,
    )
    version.questions.update(condition_question=None)
    version.delete()


@transaction.atomic
def version_publish(*, actor: ActorOrSystem, version: QuestionnaireVersion, reason: str = "") -> QuestionnaireVersion:
    """Freeze the draft and make it the questionnaire's published version; the one published before is closed."""
    version = QuestionnaireVersion.objects.select_for_update().select_related("questionnaire").get(pk=version.pk)
    ensure_draft(version)
    problems = version_problems(version)
    if problems:
        raise ServiceError(
            _("Chưa ban hành được phiếu: %(problems)s") % {"problems": " ".join(problems)}, code="invalid"
        )
    now = timezone.now()
    for previous in version.questionnaire.versions.filter(state=VersionState.PUBLISHED):
        before = snapshot(previous, VERSION_FIELDS)
        previous.state, previous.closed_at = VersionState.CLOSED, now
        previous.save(update_fields=["state", "closed_at"])
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=previous,
            questionnaire=version.questionnaire,
            before=before,
            after=snapshot(previous, VERSION_FIELDS),
            reason=reason,
        )
    before = snapshot(version, VERSION_FIELDS)
    version.state, version.published_at = VersionState.PUBLISHED, now
    version.save(update_fields=["state", "published_at"])
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=version,
        questionnaire=version.questionnaire,
        before=before,
        after=snapshot(version, VERSION_FIELDS),
        reason=reason,
    )
    return version


@transaction.atomic
def version_close(*, actor: ActorOrSystem, version: QuestionnaireVersion, reason: str = "") -> QuestionnaireVersion:
    """Stop using a published version (no more answers once collection exists); it stays readable."""
    version = QuestionnaireVersion.objects.select_for_update().select_related("questionnaire").get(pk=version.pk)
    if version.state != VersionState.PUBLISHED:
        raise ServiceError(_("Chỉ đóng được phiên bản đang ban hành."), code="conflict")
    before = snapshot(version, VERSION_FIELDS)
    version.state, version.closed_at = VersionState.CLOSED, timezone.now()
    version.save(update_fields=["state", "closed_at"])
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=version,
        questionnaire=version.questionnaire,
        before=before,
        after=snapshot(version, VERSION_FIELDS),
        reason=reason,
    )
    return version


# ---------------------------------------------------------------------------
# Sections


def _renumber(items: list[Any]) -> None:
    for order, item in enumerate(items, start=1):
        if item.order != order:
            item.order = order
            item.save(update_fields=["order"])


def _move(items: list[Any], item: Any, direction: str) -> None:
    if direction not in (UP, DOWN):
        raise ServiceError(_("Hướng di chuyển không hợp lệ."))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == UP else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    _renumber(items)


@transaction.atomic
def section_add(*, actor: ActorOrSystem, version: QuestionnaireVersion, data: SectionData) -> Section:
    ensure_draft(version)
    title, weight = _clean_section(data)
    order = (version.sections.aggregate(top=Max("order"))["top"] or 0) + 1
    section = Section.objects.create(version=version, order=order, title=title, weight=weight)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        instance=section,
        questionnaire=version.questionnaire,
        after=snapshot(section, SECTION_FIELDS),
    )
    return section


@transaction.atomic
def section_update(*, actor: ActorOrSystem, section: Section, data: SectionData) -> Section:
    ensure_draft(section.version)
    title, weight = _clean_section(data)
    before = snapshot(section, SECTION_FIELDS)
    section.title, section.weight = title, weight
    section.save(update_fields=["title", "weight"])
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=section,
        questionnaire=section.version.questionnaire,
        before=before,
        after=snapshot(section, SECTION_FIELDS),
    )
    return section


@transaction.atomic
def section_move(*, actor: ActorOrSystem, section: Section, direction: str) -> Section:
    version = section.version
    ensure_draft(version)
    before = snapshot(section, SECTION_FIELDS)
    _move(list(version.sections.all()), section, direction)
    section.refresh_from_db()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=section,
        questionnaire=version.questionnaire,
        before=before,
        after=snapshot(section, SECTION_FIELDS),
    )
    return section


@transaction.atomic
def section_delete(*, actor: ActorOrSystem, section: Section) -> None:
    """Delete a section with its questions; refused while a question elsewhere depends on one of them."""
    version = section.version
    ensure_draft(version)
    dependants = Question.objects.filter(condition_question__section=section).exclude(section=section)
    if (dependant := dependants.first()) is not None:
        raise ServiceError(
            _("Câu %(code)s ở phần khác có điều kiện dựa vào câu hỏi của phần này; hãy sửa điều kiện đó trước.")
            % {"code": dependant.code},
            code="conflict",
        )
    _audit(
        actor=actor,
        action=AuditAction.DELETE,
        instance=section,
        questionnaire=version.questionnaire,
        before={**snapshot(section, SECTION_FIELDS), "questions": section.questions.count()},
    )
    section.questions.update(condition_question=None)
    section.delete()
    _renumber(list(version.sections.all()))


# ---------------------------------------------------------------------------
# Questions


def _check_question_code_free(version: QuestionnaireVersion, code: str, *, exclude: int | None = None) -> None:
    clash = version.questions.filter(code__iexact=code)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ServiceError(_("Mã câu hỏi “%(code)s” đã có trong phiếu này.") % {"code": code}, field="code")


def _check_condition_question(version: QuestionnaireVersion, data: QuestionData, question: Question | None) -> None:
    target = data.condition_question
    if target is None:
        return
    if target.version_id != version.pk or (question is not None and target.pk == question.pk):
        raise ServiceError(
            _("Điều kiện phải dựa vào một câu hỏi khác trong cùng phiên bản phiếu."), field="condition_question"
        )


@transaction.atomic
def question_add(*, actor: ActorOrSystem, section: Section, data: QuestionData) -> Question:
    version = section.version
    ensure_draft(version)
    data = _clean_question(data)
    _check_question_code_free(version, data.code)
    _check_condition_question(version, data, None)
    order = (section.questions.aggregate(top=Max("order"))["top"] or 0) + 1
    question = Question.objects.create(
        version=version,
        section=section,
        order=order,
        code=data.code,
        text=data.text,
        hint=data.hint,
        kind=data.kind,
        required=data.required,
        condition_question=data.condition_question,
        condition_value=data.condition_value,
        weight=data.weight,
    )
    _write_choices(question, [])
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        instance=question,
        questionnaire=version.questionnaire,
        after=snapshot(question, QUESTION_FIELDS),
    )
    return question


@transaction.atomic
def question_update(
    *, actor: ActorOrSystem, question: Question, data: QuestionData, section: Section | None = None
) -> Question:
    """Change a question; a new kind brings its own choices (a fixed scale) or keeps the list (single ↔ multiple)."""
    version = question.version
    ensure_draft(version)
    data = _clean_question(data)
    _check_question_code_free(version, data.code, exclude=question.pk)
    _check_condition_question(version, data, question)
    if section is not None and section.version_id != version.pk:
        raise ServiceError(_("Phần được chọn không thuộc phiếu này."), field="section")
    before = snapshot(question, QUESTION_FIELDS)
    old_kind = question.kind
    for name in ("code", "text", "hint", "kind", "required", "condition_question", "condition_value", "weight"):
        setattr(question, name, getattr(data, name))
    if section is not None and section.pk != question.section_id:
        question.section = section
        question.order = (section.questions.aggregate(top=Max("order"))["top"] or 0) + 1
    question.save()
    if question.kind != old_kind:
        keeps_list = {old_kind, question.kind} <= {QuestionKind.SINGLE, QuestionKind.MULTIPLE}
        if not keeps_list:
            question.choices.all().delete()
            _write_choices(question, [])
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=question,
        questionnaire=version.questionnaire,
        before=before,
        after=snapshot(question, QUESTION_FIELDS),
    )
    return question


@transaction.atomic
def question_move(*, actor: ActorOrSystem, question: Question, direction: str) -> Question:
    version = question.version
    ensure_draft(version)
    before = snapshot(question, QUESTION_FIELDS)
    _move(list(question.section.questions.all()), question, direction)
    question.refresh_from_db()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=question,
        questionnaire=version.questionnaire,
        before=before,
        after=snapshot(question, QUESTION_FIELDS),
    )
    return question


@transaction.atomic
def question_delete(*, actor: ActorOrSystem, question: Question) -> None:
    version = question.version
    ensure_draft(version)
    if (dependant := question.dependent_questions.first()) is not None:
        raise ServiceError(
            _("Câu %(code)s có điều kiện dựa vào câu này; hãy sửa hoặc xóa điều kiện đó trước.")
            % {"code": dependant.code},
            code="conflict",
        )
    section = question.section
    _audit(
        actor=actor,
        action=AuditAction.DELETE,
        instance=question,
        questionnaire=version.questionnaire,
        before=snapshot(question, QUESTION_FIELDS),
    )
    question.delete()
    _renumber(list(section.questions.all()))


# ---------------------------------------------------------------------------
# Choices


def _ensure_free_list(question: Question) -> None:
    ensure_draft(question.version)
    if question.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        raise ServiceError(
            _("Câu %(code)s có thang trả lời cố định (%(kind)s); không thêm, bớt phương án được.")
            % {"code": question.code, "kind": question.get_kind_display()},
            code="conflict",
        )


@transaction.atomic
def choice_add(*, actor: ActorOrSystem, question: Question, value: str, label: str) -> Choice:
    _ensure_free_list(question)
    value = clean_choice_value(value)
    label = normalize(label)
    if not label:
        raise ServiceError(_("Hãy nhập nhãn của phương án."), field="label")
    check_text(label, field="label", max_length=TITLE_MAX_LENGTH)
    if question.choices.filter(value=value).exists():
        raise ServiceError(_("Phương án “%(value)s” đã có.") % {"value": value}, field="value")
    order = (question.choices.aggregate(top=Max("order"))["top"] or 0) + 1
    choice = Choice.objects.create(question=question, order=order, value=value, label=label)
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        instance=choice,
        questionnaire=question.version.questionnaire,
        after=snapshot(choice, CHOICE_FIELDS),
    )
    return choice


@transaction.atomic
def choice_update(*, actor: ActorOrSystem, choice: Choice, value: str, label: str) -> Choice:
    """Reword a choice; on a fixed scale only the A–D labels may change, never the values."""
    question = choice.question
    ensure_draft(question.version)
    label = normalize(label)
    if not label:
        raise ServiceError(_("Hãy nhập nhãn của phương án."), field="label")
    check_text(label, field="label", max_length=TITLE_MAX_LENGTH)
    if question.kind in FIXED_SCALE_KINDS:
        if question.kind != QuestionKind.OPTIONS_AD:
            raise ServiceError(
                _("Câu %(code)s có thang trả lời cố định (%(kind)s); không sửa phương án được.")
                % {"code": question.code, "kind": question.get_kind_display()},
                code="conflict",
            )
        value = choice.value
    else:
        value = clean_choice_value(value)
        if question.choices.filter(value=value).exclude(pk=choice.pk).exists():
            raise ServiceError(_("Phương án “%(value)s” đã có.") % {"value": value}, field="value")
    before = snapshot(choice, CHOICE_FIELDS)
    choice.value, choice.label = value, label
    choice.save(update_fields=["value", "label"])
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=choice,
        questionnaire=question.version.questionnaire,
        before=before,
        after=snapshot(choice, CHOICE_FIELDS),
    )
    return choice


@transaction.atomic
def choice_move(*, actor: ActorOrSystem, choice: Choice, direction: str) -> Choice:
    question = choice.question
    _ensure_free_list(question)
    before = snapshot(choice, CHOICE_FIELDS)
    _move(list(question.choices.all()), choice, direction)
    choice.refresh_from_db()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=choice,
        questionnaire=question.version.questionnaire,
        before=before,
        after=snapshot(choice, CHOICE_FIELDS),
    )
    return choice


@transaction.atomic
def choice_delete(*, actor: ActorOrSystem, choice: Choice) -> None:
    question = choice.question
    _ensure_free_list(question)
    _audit(
        actor=actor,
        action=AuditAction.DELETE,
        instance=choice,
        questionnaire=question.version.questionnaire,
        before=snapshot(choice, CHOICE_FIELDS),
    )
    choice.delete()
    _renumber(list(question.choices.all()))

"""Collecting answers: the public links (collection points) and storing one response, all or nothing.

:func:`response_submit` writes one response at once (the invited respondents' links); the public links accept theirs
into an inbox that :mod:`.inbox` stores in batches, with the same checks (:func:`submission_clean`). They check every
answer against the published version the respondent saw — unknown or tampered question ids, values outside a
question's scale or list, numbers and dates that do not read, oversize texts, required questions left empty, answers
to questions their condition hides — and raise one :class:`ServiceError` listing every problem in Vietnamese;
nothing is written then. A response and its answers are stored in one transaction and never change afterwards (see
the models); the same transaction adds them to the counts the results read (:mod:`cchc.surveys.counts`).

What answering a version needs — its questions in order with their choices and conditions — is read once per server
process and version (:func:`version_form`): a version's content never changes once it is published (every change
to a section, question or choice goes through ``services.ensure_draft``), only its state does, and the state is read
from the database on every submission. A new published version is a new key, so it is used at once.

Responses come from people without an account, so they are not written to the audit trail one by one: the response
itself, immutable and dated, is the record. Creating and switching collection points is audited.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import diff, record, snapshot
from cchc.lib.errors import ServiceError
from cchc.lib.prepared import PreparedRead
from cchc.lib.text import normalize
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit

from .counts import counts_add
from .models import (
    COUNTER_LABEL_MAX_LENGTH,
    DOSSIER_CODE_MAX_LENGTH,
    DOSSIER_CODE_QUESTION,
    RESPONDENT_GROUP_CODE,
    Answer,
    Channel,
    CollectionPoint,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseKey,
    VersionState,
)
from .selectors import ordered_questions, question_numbers

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 4000
NUMBER_LIMIT = Decimal("1e12")
DOSSIER_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
POINT_FIELDS = ("questionnaire", "unit", "channel", "counter_label", "active", "opens_on", "closes_on")
# Channels a public link may collect for; invited respondents answer through their own tokens (``invitations``).
PUBLIC_CHANNELS = (Channel.COUNTER, Channel.ONLINE, Channel.ADHOC)


# ---------------------------------------------------------------------------
# Collection points


@dataclass
class PointData:
    unit: Unit
    channel: str = Channel.COUNTER
    counter_label: str = ""
    opens_on: datetime.date | None = None
    closes_on: datetime.date | None = None


def published_version(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    # At most one (``questionnaire_one_published_version``): read without sorting.
    try:
        return questionnaire.versions.get(state=VersionState.PUBLISHED)
    except QuestionnaireVersion.DoesNotExist:
        return None


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    """What checking an answer needs of a question, copied out of the model once per version
    (:attr:`VersionForm.specs`): plain attributes, read at every submission without the model's descriptors."""

    pk: int
    code: str
    kind: str
    has_choices: bool
    required: bool
    label: str  # the question's number on the form, else its code: how the messages name it
    allowed: tuple[str, ...]
    condition: QuestionSpec | None  # the earlier question whose answer shows this one
    condition_value: str


@dataclass(frozen=True)
class VersionForm:
    """A version's questions as a respondent meets them (choices and conditions read with them), by id, their
    numbers, each question's allowed values and its :class:`QuestionSpec`, in order. Shared between requests: never
    change what it holds."""

    questions: tuple[Question, ...]
    by_pk: Mapping[int, Question]
    numbers: Mapping[int, int]
    allowed: Mapping[int, tuple[str, ...]]
    specs: tuple[QuestionSpec, ...]
    # The questions whose answer gives the response's respondent group and dossier code, in order.
    group_pks: tuple[int, ...]
    dossier_pks: tuple[int, ...]


# Forms of published (or closed) versions, per server process, least recently used first.
FORMS_KEPT = 64
_forms: OrderedDict[tuple[int, datetime.datetime], VersionForm] = OrderedDict()
_forms_lock = threading.Lock()


def _read_form(version: QuestionnaireVersion) -> VersionForm:
    questions = tuple(ordered_questions(version))
    numbers = question_numbers(list(questions))
    allowed = {question.pk: tuple(choice.value for choice in question.choices.all()) for question in questions}
    specs: dict[int, QuestionSpec] = {}
    for question in questions:
        target = question.condition_question_id
        specs[question.pk] = QuestionSpec(
            pk=question.pk,
            code=question.code,
            kind=str(question.kind),
            has_choices=question.has_choices,
            required=question.required and question.kind != QuestionKind.NOTE,
            label=str(numbers.get(question.pk, question.code)),
            allowed=allowed[question.pk],
            # A condition names an earlier question of the same version (``services``): read before this one.
            condition=None if target is None else specs.get(target) or _spec_of(question.condition_question),
            condition_value=question.condition_value,
        )
    return VersionForm(
        questions=questions,
        by_pk={question.pk: question for question in questions},
        numbers=numbers,
        allowed=allowed,
        specs=tuple(specs.values()),
        group_pks=tuple(q.pk for q in questions if q.code == RESPONDENT_GROUP_CODE),
        dossier_pks=tuple(q.pk for q in questions if q.code == DOSSIER_CODE_QUESTION),
    )


def _spec_of(question: Question | None) -> QuestionSpec | None:
    """The spec of a condition's question that is not among the form's questions (never shown: no answer to it)."""
    if question is None:
        return None
    return QuestionSpec(
        pk=question.pk,
        code=question.code,
        kind=str(question.kind),
        has_choices=question.has_choices,
        required=False,
        label=question.code,
        allowed=(),
        condition=None,
        condition_value="",
    )


def version_form(version: QuestionnaireVersion) -> VersionForm:
    """The :class:`VersionForm` of ``version``: read from the database for a draft (it may still change), otherwise
    kept per process by version id and publication time (no query after the first)."""
    if version.state == VersionState.DRAFT or version.published_at is None:
        return _read_form(version)
    key = (version.pk, version.published_at)
    with _forms_lock:
        form = _forms.get(key)
        if form is not None:
            _forms.move_to_end(key)
            return form
    form = _read_form(version)
    with _forms_lock:
        _forms[key] = form
        while len(_forms) > FORMS_KEPT:
            _forms.popitem(last=False)
    return form


_forms_by_id: dict[tuple[int, float], VersionForm] = {}


def published_form(version_id: int, published: float) -> VersionForm | None:
    """The :class:`VersionForm` of the version with this id published at this time (a POSIX timestamp, as the
    public form's token carries them), kept per process once read (no query after the first); ``None`` when there is
    no such version or it was published at another time since. Says nothing of whether the version is published now:
    the caller checks that where it writes (:func:`inbox.response_accept`)."""
    key = (version_id, published)
    form = _forms_by_id.get(key)
    if form is not None:
        return form
    version = QuestionnaireVersion.objects.filter(pk=version_id).exclude(state=VersionState.DRAFT).first()
    if version is None or version.published_at is None or version.published_at.timestamp() != published:
        return None
    form = version_form(version)
    with _forms_lock:
        _forms_by_id[key] = form
        while len(_forms_by_id) > FORMS_KEPT:
            del _forms_by_id[next(iter(_forms_by_id))]
    return form


def _clean_point(data: PointData) -> PointData:
    data.counter_label = normalize(data.counter_label or "")
    if data.channel not in PUBLIC_CHANNELS:
        raise ServiceError(_("Kênh thu thập không hợp lệ cho đường dẫn công khai."), field="channel")
    if len(data.counter_label) > COUNTER_LABEL_MAX_LENGTH:
        raise ServiceError(
            _("Tên quầy dài quá %(max)s ký tự.") % {"max": COUNTER_LABEL_MAX_LENGTH}, field="counter_label"
        )
    if data.opens_on and data.closes_on and data.closes_on < data.opens_on:
        raise ServiceError(_("Ngày đóng phải sau ngày mở."), field="closes_on")
    return data


def collection_point_create(*, actor: ActorOrSystem, questionnaire: Questionnaire, data: PointData) -> CollectionPoint:
    """A new public link for ``questionnaire`` and a unit; the questionnaire must have a published version."""
    data = _clean_point(data)
    if published_version(questionnaire) is None:
        raise ServiceError(
            _("Phiếu chưa có phiên bản đang ban hành nên chưa tạo được đường dẫn thu thập ý kiến."), code="conflict"
        )
    with transaction.atomic():
        point = CollectionPoint.objects.create(
            questionnaire=questionnaire,
            unit=data.unit,
            channel=data.channel,
            counter_label=data.counter_label,
            opens_on=data.opens_on,
            closes_on=data.closes_on,
            token=secrets.token_urlsafe(18),
        )
        record(
            actor=actor,
            action=AuditAction.CREATE,
            instance=point,
            changes=snapshot(point, POINT_FIELDS),
            unit=point.unit,
        )
    return point


def collection_point_set_active(*, actor: ActorOrSystem, point: CollectionPoint, active: bool) -> CollectionPoint:
    with transaction.atomic():
        point = CollectionPoint.objects.select_for_update().get(pk=point.pk)
        before = snapshot(point, POINT_FIELDS)
        point.active = active
        point.save(update_fields=["active"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=point,
            changes=diff(before, snapshot(point, POINT_FIELDS)),
            unit=point.unit,
        )
    return point


def _point_with_published_version(token: str) -> QuerySet[CollectionPoint]:
    published = FilteredRelation(
        "questionnaire__versions", condition=Q(questionnaire__versions__state=VersionState.PUBLISHED)
    )
    return (
        CollectionPoint.objects.annotate(published_version=published)
        .select_related("questionnaire", "unit", "published_version")  # type: ignore[misc]
        .filter(token=token)
        .order_by()  # the token is unique
    )


# Read on every opening of a public form: the statement built once per process (about half of the form's reading
# cost was the ORM building it).
_POINT_WITH_PUBLISHED_VERSION = PreparedRead(CollectionPoint, _point_with_published_version, key_is_text=True)


def point_with_published_version(token: str) -> tuple[CollectionPoint, QuestionnaireVersion | None] | None:
    """The link of ``token`` (with its questionnaire and unit) and the questionnaire's published version, in one
    query (the link is unique and a questionnaire has at most one published version); ``None`` for an unknown
    token."""
    point = _POINT_WITH_PUBLISHED_VERSION.one(token[:64])
    if point is None:
        return None
    version: QuestionnaireVersion | None = getattr(point, "published_version", None)
    if version is not None:
        version.questionnaire = point.questionnaire
    return point, version


_UNREAD = object()


def point_open_version(
    point: CollectionPoint, *, today: datetime.date | None = None, published: object = _UNREAD
) -> tuple[QuestionnaireVersion | None, str | None]:
    """The published version the link takes answers for now and ``None``, or ``None`` and why the link does not take
    answers now (a Vietnamese sentence). Reads the version once (none when the link is paused or out of its dates,
    or when the caller gives it as ``published``, read with the link by :func:`point_with_published_version`)."""
    today = today or timezone.localdate()
    if not point.active:
        return None, _("Đường dẫn khảo sát này đã tạm dừng.")
    if point.opens_on and today < point.opens_on:
        return None, _("Đợt khảo sát bắt đầu từ ngày %(date)s.") % {"date": point.opens_on.strftime("%d/%m/%Y")}
    if point.closes_on and today > point.closes_on:
        return None, _("Đợt khảo sát đã kết thúc ngày %(date)s.") % {"date": point.closes_on.strftime("%d/%m/%Y")}
    version = published_version(point.questionnaire) if published is _UNREAD else published
    if not isinstance(version, QuestionnaireVersion):
        return None, _("Phiếu khảo sát này hiện không nhận ý kiến.")
    return version, None


def point_closed_reason(point: CollectionPoint, *, today: datetime.date | None = None) -> str | None:
    """Why the link does not take answers now (a Vietnamese sentence), or ``None`` when it is open."""
    return point_open_version(point, today=today)[1]


# ---------------------------------------------------------------------------
# Responses


def fingerprint_of(address: str, device: str) -> str:
    """A salted hash of the network address and device cookie: enough to spot a flood, never the address itself."""
    salt = getattr(settings, "SURVEY_FINGERPRINT_SALT", "") or settings.SECRET_KEY
    message = f"{address}|{device}".encode()
    return hmac.new(f"surveys.fingerprint:{salt}".encode(), message, hashlib.sha256).hexdigest()


@dataclass
class Submission:
    """What a respondent sent: raw values per question id (as posted), and where the response comes from."""

    unit: Unit
    channel: str
    answers: Mapping[int, Sequence[str]] = field(default_factory=dict)
    collection_point: CollectionPoint | None = None
    counter_label: str = ""
    dossier_code: str = ""
    respondent_group: str = ""
    started_at: datetime.datetime | None = None
    fingerprint: str = ""
    idempotency_key: str = ""
    # True when answers to questions that the earlier answers hide are dropped (a form without JavaScript sends
    # them all); false when they are a problem to report.
    drop_hidden: bool = False


@dataclass
class _Cleaned:
    choice_value: str = ""
    choice_values: list[str] = field(default_factory=list)
    number_value: Decimal | None = None
    date_value: datetime.date | None = None
    text_value: str = ""

    @property
    def empty(self) -> bool:
        return not (
            self.choice_value
            or self.choice_values
            or self.number_value is not None
            or self.date_value is not None
            or self.text_value
        )


def _values(raw: Sequence[str] | None) -> list[str]:
    return [normalize(value) if isinstance(value, str) else "" for value in (raw or [])]


def _clean_answer(
    question: Question | QuestionSpec,
    raw: Sequence[str] | None,
    problems: list[str],
    label: str = "",
    allowed: Sequence[str] | None = None,
) -> _Cleaned:
    values = [value for value in _values(raw) if value]
    cleaned = _Cleaned()
    label = label or question.code
    if not values:
        return cleaned
    kind = question.kind
    if kind == QuestionKind.NOTE:
        problems.append(_("Câu %(code)s chỉ để đọc, không nhận câu trả lời.") % {"code": label})
        return cleaned
    if allowed is None:
        allowed = question.allowed if isinstance(question, QuestionSpec) else [c.value for c in question.choices.all()]
    if kind == QuestionKind.MULTIPLE:
        unknown = [value for value in values if value not in allowed]
        if unknown:
            problems.append(_("Câu %(code)s: có lựa chọn không thuộc danh sách.") % {"code": label})
            return cleaned
        cleaned.choice_values = [value for value in allowed if value in set(values)]
        return cleaned
    if len(values) > 1:
        problems.append(_("Câu %(code)s chỉ nhận một câu trả lời.") % {"code": label})
        return cleaned
    value = values[0]
    if question.has_choices:
        if value not in allowed:
            problems.append(_("Câu %(code)s: câu trả lời không thuộc thang hoặc danh sách lựa chọn.") % {"code": label})
        else:
            cleaned.choice_value = value
    elif kind == QuestionKind.NUMBER:
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or abs(number) >= NUMBER_LIMIT:
            problems.append(_("Câu %(code)s cần một số.") % {"code": label})
        else:
            cleaned.number_value = number.quantize(Decimal("0.0001"))
    elif kind == QuestionKind.DATE:
        try:
            cleaned.date_value = datetime.date.fromisoformat(value)
        except ValueError:
            problems.append(_("Câu %(code)s cần một ngày (năm-tháng-ngày).") % {"code": label})
    else:
        limit = LONG_TEXT_MAX if kind == QuestionKind.LONG_TEXT else SHORT_TEXT_MAX
        if len(value) > limit:
            problems.append(_("Câu %(code)s dài quá %(max)s ký tự.") % {"code": label, "max": limit})
        else:
            cleaned.text_value = value
    return cleaned


def _matches(question: Question | QuestionSpec, cleaned: _Cleaned, expected: str) -> bool:
    if question.kind == QuestionKind.MULTIPLE:
        return expected in cleaned.choice_values
    if question.kind == QuestionKind.NUMBER:
        try:
            return cleaned.number_value is not None and cleaned.number_value == Decimal(expected)
        except InvalidOperation:
            return False
    return expected in (cleaned.choice_value, cleaned.text_value)


def visible_questions(version: QuestionnaireVersion, answers: Mapping[int, Sequence[str]]) -> set[int]:
    """The ids of the questions shown for these answers: a condition shows its question when the earlier answer
    matches (and the earlier question is itself shown). Used by the form to hide questions without JavaScript."""
    shown: set[int] = set()
    cleaned: dict[int, _Cleaned] = {}
    form = version_form(version)
    for question in form.questions:
        cleaned[question.pk] = _clean_answer(question, answers.get(question.pk), [], allowed=form.allowed[question.pk])
        target = question.condition_question_id
        if target is None or (
            target in shown and _matches(question.condition_question, cleaned[target], question.condition_value)  # type: ignore[arg-type]
        ):
            shown.add(question.pk)
    return shown


def _clean_dossier_code(value: str, problems: list[str]) -> str:
    code = normalize(value or "")
    if code and (len(code) > DOSSIER_CODE_MAX_LENGTH or not DOSSIER_CODE.match(code)):
        problems.append(
            _("Mã hồ sơ tối đa %(max)s ký tự, gồm chữ không dấu, số và các dấu . _ / -.")
            % {"max": DOSSIER_CODE_MAX_LENGTH}
        )
        return ""
    return code


def duplicate_dossier_message() -> str:
    return _(
        "Hồ sơ này đã được đánh giá rồi, cảm ơn ông/bà. Mỗi hồ sơ chỉ đánh giá một lần; "
        "nếu có ý kiến thêm, xin góp ý trực tiếp với bộ phận một cửa."
    )


def _earlier_response(submission: Submission) -> Response | None:
    if not submission.idempotency_key:
        return None
    # Through the key table, the response is then read in its own year's partition (decision 26).
    key = ResponseKey.objects.filter(idempotency_key=submission.idempotency_key[:64]).first()
    if key is None:
        return None
    return Response.objects.filter(pk=key.response_id, submitted_at=key.submitted_at).first()


def response_submit(*, version: QuestionnaireVersion, submission: Submission) -> Response:
    """Store one response to ``version``, all or nothing; raise :class:`ServiceError` listing every problem.

    A submission whose idempotency key was already stored returns the response stored then (a double click, a
    resent form) instead of storing a second one. The key is looked up only when the submission cannot be stored
    (the unique key refuses the second one), so a first submission costs no lookup.
    """
    try:
        return _response_store(version=version, submission=submission)
    except ServiceError:
        earlier = _earlier_response(submission)
        if earlier is not None:
            return earlier
        raise


@dataclass
class CleanedSubmission:
    """A submission checked against its version: the answers to store (by question id, those shown only) and the
    values copied onto the response."""

    answers: dict[int, _Cleaned]
    dossier_code: str
    respondent_group: str


def submission_clean(
    form: VersionForm,
    answers: Mapping[int, Sequence[str]],
    *,
    dossier_code: str = "",
    respondent_group: str = "",
    drop_hidden: bool = False,
) -> CleanedSubmission:
    """Check the raw ``answers`` (and the dossier code given with them) against the version of ``form``, as
    :func:`response_submit` describes; raise :class:`ServiceError` listing every problem. Reads nothing from the
    database, so the public form checks a submission before it writes anything."""
    by_pk = form.by_pk
    problems: list[str] = []
    if any(key not in by_pk for key in answers):
        problems.append(_("Có câu trả lời cho câu hỏi không thuộc phiếu này. Hãy tải lại phiếu rồi trả lời lại."))
    dossier_code = _clean_dossier_code(dossier_code, problems)
    shown: set[int] = set()
    cleaned: dict[int, _Cleaned] = {}
    for spec in form.specs:  # plain attributes copied once per version (``_read_form``)
        pk, condition = spec.pk, spec.condition
        visible = condition is None or (
            condition.pk in shown and _matches(condition, cleaned[condition.pk], spec.condition_value)
        )
        if not visible and drop_hidden:
            cleaned[pk] = _Cleaned()
            continue
        answer = _clean_answer(spec, answers.get(pk), problems, spec.label, allowed=spec.allowed)
        cleaned[pk] = answer
        if visible:
            shown.add(pk)
            if spec.required and answer.empty:
                problems.append(_("Câu %(code)s là câu bắt buộc, xin trả lời.") % {"code": spec.label})
        elif not answer.empty:
            problems.append(
                _("Câu %(code)s không áp dụng với các câu trả lời trước đó, xin để trống.") % {"code": spec.label}
            )
    if problems:
        raise ServiceError(" ".join(dict.fromkeys(problems)))
    if not any(not cleaned[pk].empty for pk in shown):
        raise ServiceError(_("Phiếu chưa có câu trả lời nào."))
    for pk in form.group_pks:
        if pk in shown:
            respondent_group = cleaned[pk].choice_value or respondent_group
    for pk in form.dossier_pks:
        if pk in shown and not dossier_code:
            dossier_code = _clean_dossier_code(cleaned[pk].text_value, problems)
    if problems:
        raise ServiceError(" ".join(problems))
    return CleanedSubmission(
        answers={pk: answer for pk, answer in cleaned.items() if pk in shown and not answer.empty},
        dossier_code=dossier_code,
        respondent_group=respondent_group[:64],
    )


def answers_of(response: Response, form: VersionForm, cleaned: CleanedSubmission) -> list[Answer]:
    """The answers of ``response`` (not saved) from a cleaned submission, with their questions set."""
    return [
        Answer(
            response=response,
            question=form.by_pk[pk],
            choice_value=answer.choice_value,
            choice_values=answer.choice_values,
            number_value=answer.number_value,
            date_value=answer.date_value,
            text_value=answer.text_value,
        )
        for pk, answer in cleaned.answers.items()
    ]


def _response_store(*, version: QuestionnaireVersion, submission: Submission) -> Response:
    if version.state != VersionState.PUBLISHED:
        raise ServiceError(
            _("Phiếu khảo sát này đã đóng hoặc chưa ban hành nên không nhận câu trả lời."), code="closed"
        )
    if submission.channel not in Channel.values:
        raise ServiceError(_("Kênh thu thập không hợp lệ."), field="channel")
    form = version_form(version)
    checked = submission_clean(
        form,
        submission.answers,
        dossier_code=submission.dossier_code,
        respondent_group=submission.respondent_group,
        drop_hidden=submission.drop_hidden,
    )
    dossier_code = checked.dossier_code
    rated = ResponseKey.objects.filter(questionnaire=version.questionnaire_id, dossier_code=dossier_code)
    if dossier_code and rated.exists():
        raise ServiceError(duplicate_dossier_message(), code="duplicate", field="dossier_code")
    try:
        with transaction.atomic():
            response = Response.objects.create(
                questionnaire_id=version.questionnaire_id,
                version=version,
                unit=submission.unit,
                collection_point=submission.collection_point,
                channel=submission.channel,
                counter_label=normalize(submission.counter_label or "")[:COUNTER_LABEL_MAX_LENGTH],
                dossier_code=dossier_code,
                respondent_group=checked.respondent_group,
                started_at=submission.started_at,
                submitted_at=timezone.now(),
                fingerprint=submission.fingerprint[:64],
                idempotency_key=submission.idempotency_key[:64],
            )
            stored = Answer.objects.bulk_create(answers_of(response, form, checked))
            # Last, so that the rows every submission about this unit and day shares stay locked only briefly.
            counts_add(response, stored)
    except IntegrityError:
        # A second submission with the same key (or the same dossier) meanwhile: the unique keys refused it.
        earlier = _earlier_response(submission)
        if earlier is not None:
            return earlier
        if dossier_code:
            raise ServiceError(duplicate_dossier_message(), code="duplicate", field="dossier_code") from None
        raise
    return response

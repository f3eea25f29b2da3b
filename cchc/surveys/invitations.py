"""Invitations: one-time links that let named respondents (officials, deputies, leaders) answer a questionnaire once.

A campaign groups the invitations of one questionnaire about one unit and closes at a deadline (that day included).
Respondents come from an Excel file (:func:`invitations_import`), all or nothing. Each invitation has its own link;
the database keeps only a SHA-256 hash of the link's token. The token is derived from the secret key and a random
nonce kept with the invitation, so a reminder can repeat the same link while a copy of the database alone cannot
rebuild any link.

A token answers once: :func:`invitation_answer` locks the invitation (``select_for_update``), stores the response
with channel ``invited`` and marks the invitation answered in the same transaction, so two simultaneous submits
store one response. E-mails are sent after the transaction commits; reminders go only to those who have not answered
and were not reminded in the last 24 hours, and the marking happens under a lock so a double click sends one round.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import logging
import secrets
import smtplib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import record, snapshot
from cchc.lib import spreadsheet
from cchc.lib.errors import ServiceError
from cchc.lib.text import normalize
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit

from .collection import Submission, published_version, response_submit
from .models import (
    RESPONDENT_GROUP_CODE,
    RESPONDENT_NAME_MAX_LENGTH,
    VALUE_MAX_LENGTH,
    Channel,
    Invitation,
    InvitationCampaign,
    InvitationState,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    RetiredInvitationLink,
    RetiredLinkReason,
)

logger = logging.getLogger(__name__)

REMINDER_GAP = datetime.timedelta(hours=24)
CAMPAIGN_FIELDS = ("questionnaire", "unit", "title", "closes_on", "remind_days_before")
MAX_REMIND_DAYS_BEFORE = 60
TOKEN_LENGTH = 32
# The columns of the respondents' file: key, header as written in the template, other accepted headers.
COLUMNS = (
    ("name", "Họ và tên", ("Ho ten", "Họ tên")),
    ("email", "Thư điện tử", ("Email", "E-mail", "Thư điện tử (email)")),
    ("group", "Nhóm đối tượng", ("Nhóm",)),
    ("unit", "Đơn vị (mã)", ("Mã đơn vị", "Đơn vị")),
)


# ---------------------------------------------------------------------------
# Tokens


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_of(invitation: Invitation) -> str:
    """The link's token: rebuilt from the secret key and the invitation's nonce, never stored."""
    key = f"cchc.surveys.invitation:{settings.SECRET_KEY}".encode()
    digest = hmac.new(key, f"{invitation.pk}:{invitation.nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:TOKEN_LENGTH]


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation whose link carries ``token``; ``None`` for a mistyped, tampered or unknown token."""
    if not token or len(token) != TOKEN_LENGTH:
        return None
    return (
        Invitation.objects.select_related("campaign__questionnaire", "campaign__unit", "unit")
        .filter(token_hash=token_hash(token))
        .first()
    )


def campaign_closed(campaign: InvitationCampaign, *, today: datetime.date | None = None) -> bool:
    """Past its deadline, or closed by the scheduled run (which closes only campaigns past their deadline)."""
    return campaign.closed_at is not None or (today or timezone.localdate()) > campaign.closes_on


def retired_link_message(token: str) -> str | None:
    """Why a link that once worked no longer does (a Vietnamese sentence), or ``None`` for a link never issued."""
    if not token or len(token) != TOKEN_LENGTH:
        return None
    retired = RetiredInvitationLink.objects.filter(token_hash=token_hash(token)).first()
    if retired is None:
        return None
    if retired.reason == RetiredLinkReason.REPLACED:
        return _(
            "Đường dẫn này đã được thay bằng đường dẫn mới gửi ngày %(date)s. Xin mở đường dẫn trong thư mời mới nhất "
            "ông/bà nhận được."
        ) % {"date": timezone.localtime(retired.retired_at).strftime("%d/%m/%Y")}
    return _("Lời mời này đã được hủy nên đường dẫn không còn dùng được.")


def closed_reason(invitation: Invitation, *, today: datetime.date | None = None) -> str | None:
    """Why the link does not take an answer now (a Vietnamese sentence), or ``None`` when it is open."""
    if invitation.state == InvitationState.ANSWERED:
        return already_answered_message()
    campaign = invitation.campaign
    if campaign_closed(campaign, today=today):
        return _("Đợt khảo sát đã kết thúc ngày %(date)s, phiếu không còn nhận câu trả lời.") % {
            "date": campaign.closes_on.strftime("%d/%m/%Y")
        }
    if published_version(campaign.questionnaire) is None:
        return _("Phiếu khảo sát này hiện không nhận ý kiến.")
    return None


def already_answered_message() -> str:
    return _("Bạn đã trả lời phiếu này. Mỗi lời mời chỉ dùng để trả lời một lần; cảm ơn ông/bà đã tham gia.")


# ---------------------------------------------------------------------------
# Campaigns


def campaign_create(
    *,
    actor: ActorOrSystem,
    questionnaire: Questionnaire,
    unit: Unit,
    title: str,
    closes_on: datetime.date,
    remind_days_before: int | None = None,
) -> InvitationCampaign:
    title = normalize(title or "")
    if not title:
        raise ServiceError(_("Hãy đặt tên cho đợt mời."), field="title")
    if len(title) > 200:
        raise ServiceError(_("Tên đợt mời dài quá 200 ký tự."), field="title")
    if closes_on < timezone.localdate():
        raise ServiceError(_("Hạn trả lời không được ở trong quá khứ."), field="closes_on")
    if remind_days_before is not None and not 0 <= remind_days_before <= MAX_REMIND_DAYS_BEFORE:
        raise ServiceError(
            _("Số ngày nhắc trước hạn phải từ 0 đến %(max)s.") % {"max": MAX_REMIND_DAYS_BEFORE},
            field="remind_days_before",
        )
    if published_version(questionnaire) is None:
        raise ServiceError(
            _("Phiếu chưa có phiên bản đang ban hành nên chưa mời trả lời được."), code="conflict", field="title"
        )
    with transaction.atomic():
        campaign = InvitationCampaign.objects.create(
            questionnaire=questionnaire,
            unit=unit,
            title=title,
            closes_on=closes_on,
            remind_days_before=remind_days_before,
        )
        record(
            actor=actor,
            action=AuditAction.CREATE,
            instance=campaign,
            changes=snapshot(campaign, CAMPAIGN_FIELDS),
            unit=unit,
        )
    return campaign


@dataclass(frozen=True)
class Counts:
    """How the tokens of a campaign were used."""

    total: int = 0
    created: int = 0
    sent: int = 0
    answered: int = 0
    reminded: int = 0

    @property
    def not_answered(self) -> int:
        return self.sent

    @property
    def delivered(self) -> int:
        return self.sent + self.answered


def campaign_counts(campaign: InvitationCampaign) -> Counts:
    row = campaign.invitations.aggregate(
        total=Count("pk"),
        created=Count("pk", filter=Q(state=InvitationState.CREATED)),
        sent=Count("pk", filter=Q(state=InvitationState.SENT)),
        answered=Count("pk", filter=Q(state=InvitationState.ANSWERED)),
        reminded=Count("pk", filter=Q(reminder_count__gt=0)),
    )
    return Counts(**row)


# ---------------------------------------------------------------------------
# Importing respondents


def group_question(version: QuestionnaireVersion | None) -> Question | None:
    if version is None:
        return None
    return version.questions.filter(code=RESPONDENT_GROUP_CODE).prefetch_related("choices").first()


def template_bytes() -> bytes:
    """The Excel template of the respondents' file, with one example row."""
    header = [label for _key, label, _aliases in COLUMNS]
    example = ["Nguyễn Văn A", "nguyenvana@example.gov.vn", "Lãnh đạo sở, ban, ngành", ""]
    return spreadsheet.table_bytes(title=_("Danh sách mời"), header=header, rows=[example], widths=[30, 34, 40, 16])


class InvitationImportError(ServiceError):
    """The respondents' file was refused; ``problems`` lists every reason (one per row problem), in Vietnamese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            _("Không nhập được danh sách, chưa có ai được thêm: %(problems)s") % {"problems": " ".join(problems[:50])},
            field="file",
        )
        self.problems = problems


@dataclass
class _Row:
    number: int
    name: str
    email: str
    group: str
    unit: Unit | None


def _group_value(text: str, question: Question | None) -> str | None:
    """The stored value of a respondent group: the choice's value when the questionnaire asks for it (its label or
    value may be written), else the text itself; ``None`` when it is not one of the questionnaire's groups."""
    if question is None or not text:
        return text
    for choice in question.choices.all():
        if spreadsheet.header_key(text) in (spreadsheet.header_key(choice.label), spreadsheet.header_key(choice.value)):
            return choice.value
    return None


def invitations_import(*, actor: ActorOrSystem, campaign: InvitationCampaign, data: bytes) -> list[Invitation]:
    """Add the respondents listed in an Excel file to ``campaign``: all rows, or none with every problem listed."""
    if campaign_closed(campaign):
        raise ServiceError(_("Đợt mời đã quá hạn trả lời nên không thêm người được nữa."), code="closed", field="file")
    rows = spreadsheet.read_rows(data, max_rows=spreadsheet.max_import_rows())
    if not rows:
        raise ServiceError(_("Tệp không có dòng nào."))
    header, body = rows[0], rows[1:]
    columns = spreadsheet.map_columns(header.values, {key: (label, *aliases) for key, label, aliases in COLUMNS})
    missing = [label for key, label, _aliases in COLUMNS if key in ("name", "email") and key not in columns]
    if missing:
        raise ServiceError(
            _("Tệp thiếu cột: %(columns)s. Hãy dùng tệp mẫu.") % {"columns": ", ".join(missing)}, field="file"
        )
    if not body:
        raise ServiceError(_("Tệp chưa có người nào để mời."), field="file")
    question = group_question(published_version(campaign.questionnaire))
    invited = {email.lower() for email in campaign.invitations.values_list("email", flat=True)}
    codes = {normalize(spreadsheet.cell_text(spreadsheet.cell(row.values, columns.get("unit")))) for row in body}
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=[code for code in codes if code])}
    problems: list[str] = []
    seen: dict[str, int] = {}
    parsed: list[_Row] = []

    def text(row: spreadsheet.SheetRow, key: str) -> str:
        return normalize(spreadsheet.cell_text(spreadsheet.cell(row.values, columns.get(key))))

    for row in body:
        line = row.number
        name, email, group_text, code = (
            text(row, "name"),
            text(row, "email").lower(),
            text(row, "group"),
            text(row, "unit"),
        )
        if not name:
            problems.append(_("Dòng %(row)s: thiếu họ và tên.") % {"row": line})
        elif len(name) > RESPONDENT_NAME_MAX_LENGTH:
            problems.append(
                _("Dòng %(row)s: họ và tên dài quá %(max)s ký tự.") % {"row": line, "max": RESPONDENT_NAME_MAX_LENGTH}
            )
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("Dòng %(row)s: thư điện tử «%(email)s» không hợp lệ.") % {"row": line, "email": email})
        else:
            if email in seen:
                problems.append(
                    _("Dòng %(row)s: thư điện tử %(email)s trùng với dòng %(first)s.")
                    % {"row": line, "email": email, "first": seen[email]}
                )
            elif email in invited:
                problems.append(
                    _("Dòng %(row)s: %(email)s đã có trong danh sách mời của đợt này.") % {"row": line, "email": email}
                )
            seen.setdefault(email, line)
        group = _group_value(group_text, question)
        if group is None:
            problems.append(
                _("Dòng %(row)s: nhóm đối tượng «%(group)s» không có trong phiếu.") % {"row": line, "group": group_text}
            )
        elif len(group) > VALUE_MAX_LENGTH:
            problems.append(_("Dòng %(row)s: nhóm đối tượng dài quá.") % {"row": line})
        unit = units.get(code) if code else None
        if code and unit is None:
            problems.append(_("Dòng %(row)s: không có đơn vị mã «%(code)s».") % {"row": line, "code": code})
        parsed.append(_Row(line, name, email, group or "", unit))
    if problems:
        raise InvitationImportError(problems)
    with transaction.atomic():
        created = Invitation.objects.bulk_create(
            Invitation(
                campaign=campaign,
                name=row.name,
                email=row.email,
                respondent_group=row.group,
                unit=row.unit,
                nonce=secrets.token_hex(16),
                token_hash=secrets.token_hex(32),  # replaced below once the id is known
            )
            for row in parsed
        )
        if any(invitation.pk is None for invitation in created):  # databases that do not return ids
            created = list(campaign.invitations.filter(email__in=[row.email for row in parsed]))
        for invitation in created:
            invitation.token_hash = token_hash(token_of(invitation))
        Invitation.objects.bulk_update(created, ["token_hash"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=campaign,
            changes={"invitations": [len(invited), len(invited) + len(created)]},
            unit=campaign.unit,
        )
    return created


# ---------------------------------------------------------------------------
# Sending and reminding


LinkBuilder = Callable[[str], str]
# An e-mail as (subject, body, sender, recipients).
Message = tuple[str, str, str, list[str]]


def _message(invitation: Invitation, link: str, *, reminder: bool) -> tuple[int, Message]:
    campaign = invitation.campaign
    context = {
        "name": invitation.name,
        "title": campaign.questionnaire.title,
        "unit": campaign.unit.name,
        "deadline": campaign.closes_on.strftime("%d/%m/%Y"),
        "link": link,
    }
    subject = (
        _("Nhắc: mời ông/bà trả lời phiếu «%(title)s» trước ngày %(deadline)s")
        if reminder
        else _("Mời ông/bà trả lời phiếu «%(title)s» (hạn %(deadline)s)")
    ) % context
    body = (
        _(
            "Kính gửi ông/bà %(name)s,\n\n"
            "%(unit)s trân trọng mời ông/bà trả lời phiếu «%(title)s». "
            "Phiếu nhận câu trả lời đến hết ngày %(deadline)s.\n\n"
            "Đường dẫn riêng của ông/bà (chỉ dùng một lần, xin không chuyển cho người khác):\n%(link)s\n\n"
            "Trân trọng cảm ơn."
        )
        % context
    )
    if reminder:
        body = _("Chúng tôi chưa nhận được câu trả lời của ông/bà.") + "\n\n" + body
    return invitation.pk, (subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def _deliver(messages: list[tuple[int, Message]], *, reminder: bool) -> int:
    """Send the e-mails one by one; a failed e-mail is logged, never raised (the marking is already stored). An
    invitation whose first e-mail failed goes back to "not sent", so sending again retries it. Returns how many went."""
    connection = get_connection(fail_silently=False)
    failed: list[int] = []
    for pk, (subject, body, sender, recipients) in messages:
        try:
            EmailMessage(subject, body, sender, recipients, connection=connection).send()
        except (OSError, smtplib.SMTPException):
            logger.exception("Invitation %s: the e-mail could not be sent", pk)
            failed.append(pk)
    if failed and not reminder:
        Invitation.objects.filter(pk__in=failed, state=InvitationState.SENT).update(
            state=InvitationState.CREATED, sent_at=None
        )
    return len(messages) - len(failed)


def _send_after_commit(messages: list[tuple[int, Message]], *, reminder: bool) -> None:
    if messages:
        transaction.on_commit(lambda: _deliver(messages, reminder=reminder))


def invitations_send(*, actor: ActorOrSystem, campaign: InvitationCampaign, link: LinkBuilder) -> int:
    """E-mail the link to every invitation of ``campaign`` not sent yet; return how many were sent."""
    if campaign_closed(campaign):
        raise ServiceError(_("Đợt mời đã quá hạn trả lời nên không gửi thư được nữa."), code="closed")
    now = timezone.now()
    with transaction.atomic():
        pending = list(
            Invitation.objects.select_for_update(of=("self",))
            .filter(campaign=campaign, state=InvitationState.CREATED)
            .select_related("campaign__questionnaire", "campaign__unit")
        )
        Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(state=InvitationState.SENT, sent_at=now)
        if pending:
            record(
                actor=actor,
                action=AuditAction.UPDATE,
                instance=campaign,
                changes={"sent": [None, len(pending)]},
                unit=campaign.unit,
            )
        _send_after_commit([_message(i, link(token_of(i)), reminder=False) for i in pending], reminder=False)
    return len(pending)


def remindable(campaign: InvitationCampaign, *, now: datetime.datetime | None = None) -> QuerySet[Invitation]:
    """Invitations sent but not answered, neither sent nor reminded in the last 24 hours."""
    cutoff = (now or timezone.now()) - REMINDER_GAP
    return campaign.invitations.filter(state=InvitationState.SENT, sent_at__lte=cutoff).filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lte=cutoff)
    )


def invitations_remind(*, actor: ActorOrSystem, campaign: InvitationCampaign, link: LinkBuilder) -> int:
    """Remind those who have not answered (at most once in 24 hours each); return how many were reminded."""
    if campaign_closed(campaign):
        raise ServiceError(_("Đợt mời đã quá hạn trả lời nên không nhắc được nữa."), code="closed")
    now = timezone.now()
    with transaction.atomic():
        due = list(
            remindable(campaign, now=now)
            .select_for_update(of=("self",))
            .select_related("campaign__questionnaire", "campaign__unit")
        )
        for invitation in due:
            invitation.reminded_at = now
            invitation.reminder_count += 1
        Invitation.objects.bulk_update(due, ["reminded_at", "reminder_count"])
        if due:
            record(
                actor=actor,
                action=AuditAction.UPDATE,
                instance=campaign,
                changes={"reminded": [None, len(due)]},
                unit=campaign.unit,
            )
        _send_after_commit([_message(i, link(token_of(i)), reminder=True) for i in due], reminder=True)
    return len(due)


# ---------------------------------------------------------------------------
# Answering


def prefilled_answers(invitation: Invitation, version: QuestionnaireVersion) -> dict[int, list[str]]:
    """The answers the invitation already knows: the respondent group, when the questionnaire asks for it."""
    question = group_question(version)
    if question is None or not invitation.respondent_group:
        return {}
    if invitation.respondent_group not in {choice.value for choice in question.choices.all()}:
        return {}
    return {question.pk: [invitation.respondent_group]}


def invitation_answer(
    *,
    token: str,
    answers: Mapping[int, Sequence[str]],
    started_at: datetime.datetime | None = None,
    idempotency_key: str = "",
) -> Response:
    """Store the invited respondent's response and mark the invitation answered, in one transaction.

    Raises :class:`ServiceError` with code ``answered`` (the token was used), ``closed`` (deadline passed or no
    published version), ``not_found`` (unknown token) or the problems of the answers.
    """
    found = invitation_for_token(token)
    if found is None:
        raise ServiceError(_("Không tìm thấy lời mời."), code="not_found")
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("campaign__questionnaire", "campaign__unit", "unit")
            .get(pk=found.pk)
        )
        reason = closed_reason(invitation)
        if reason is not None:
            code = "answered" if invitation.state == InvitationState.ANSWERED else "closed"
            raise ServiceError(reason, code=code)
        version = published_version(invitation.campaign.questionnaire)
        assert version is not None  # checked by closed_reason
        merged = {**dict(answers), **prefilled_answers(invitation, version)}
        response = response_submit(
            version=version,
            submission=Submission(
                unit=invitation.campaign.unit,  # the unit evaluated; the invitation's unit is where they work
                channel=Channel.INVITED,
                answers=merged,
                respondent_group=invitation.respondent_group,
                started_at=started_at,
                idempotency_key=idempotency_key,
            ),
        )
        invitation.state = InvitationState.ANSWERED
        invitation.answered_at = response.submitted_at
        invitation.response = response
        invitation.save(update_fields=["state", "answered_at", "response"])
    return response


# ---------------------------------------------------------------------------
# One invitation: resending its link, correcting it, removing it


def group_labels(campaign: InvitationCampaign) -> dict[str, str]:
    """The labels of the respondent groups of the campaign's questionnaire, by stored value (empty without one)."""
    question = group_question(published_version(campaign.questionnaire))
    if question is None:
        return {}
    return {choice.value: choice.label for choice in question.choices.all()}


def _locked(invitation: Invitation) -> Invitation:
    """The invitation again, locked for this transaction; refused once answered or when the campaign is closed."""
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("campaign__questionnaire", "campaign__unit")
        .filter(pk=invitation.pk)
        .first()
    )
    if locked is None:
        raise ServiceError(_("Người này không còn trong danh sách mời."), code="not_found")
    if locked.state == InvitationState.ANSWERED:
        raise ServiceError(
            _("%(name)s đã trả lời phiếu nên không thay đổi lời mời được nữa.") % {"name": locked.name},
            code="answered",
        )
    if campaign_closed(locked.campaign):
        raise ServiceError(_("Đợt mời đã quá hạn trả lời nên không thay đổi được nữa."), code="closed")
    return locked


def _retire_link(invitation: Invitation, reason: RetiredLinkReason) -> None:
    RetiredInvitationLink.objects.create(
        campaign_id=invitation.campaign_id, token_hash=invitation.token_hash, reason=reason
    )


def invitation_resend(*, actor: ActorOrSystem, invitation: Invitation, link: LinkBuilder) -> Invitation:
    """Send the person a new link (a new token); the link sent before stops working and says so when opened."""
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(invitation)
        _retire_link(locked, RetiredLinkReason.REPLACED)
        old_state, old_sent = locked.state, locked.sent_at
        locked.nonce = secrets.token_hex(16)
        locked.token_hash = token_hash(token_of(locked))
        locked.state = InvitationState.SENT
        locked.sent_at = now
        locked.save(update_fields=["nonce", "token_hash", "state", "sent_at"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=locked,
            changes={"link": [None, "new"], "state": [old_state, locked.state], "sent_at": [old_sent, now]},
            reason=_("Gửi lại đường dẫn mới"),
            unit=locked.campaign.unit,
        )
        _send_after_commit([_message(locked, link(token_of(locked)), reminder=False)], reminder=False)
    return locked


_KEEP_UNIT: Any = object()


def invitation_update(
    *,
    actor: ActorOrSystem,
    invitation: Invitation,
    name: str,
    email: str,
    group: str,
    unit: Unit | None = _KEEP_UNIT,
) -> Invitation:
    """Correct the name, e-mail, respondent group or workplace unit (``None``: none recorded; left out: unchanged) of
    someone who has not answered yet."""
    name, email, group_text = normalize(name or ""), normalize(email or "").lower(), normalize(group or "")
    if not name:
        raise ServiceError(_("Hãy ghi họ và tên."), field="name")
    if len(name) > RESPONDENT_NAME_MAX_LENGTH:
        raise ServiceError(_("Họ và tên dài quá %(max)s ký tự.") % {"max": RESPONDENT_NAME_MAX_LENGTH}, field="name")
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError(_("Thư điện tử «%(email)s» không hợp lệ.") % {"email": email}, field="email") from None
    with transaction.atomic():
        locked = _locked(invitation)
        campaign = locked.campaign
        if campaign.invitations.filter(email__iexact=email).exclude(pk=locked.pk).exists():
            raise ServiceError(_("%(email)s đã có trong danh sách mời của đợt này.") % {"email": email}, field="email")
        value = _group_value(group_text, group_question(published_version(campaign.questionnaire)))
        if value is None:
            raise ServiceError(
                _("Nhóm đối tượng «%(group)s» không có trong phiếu.") % {"group": group_text}, field="group"
            )
        if len(value) > VALUE_MAX_LENGTH:
            raise ServiceError(_("Nhóm đối tượng dài quá."), field="group")
        fields = ("name", "email", "respondent_group", "unit")
        before = snapshot(locked, fields)
        locked.name, locked.email, locked.respondent_group = name, email, value
        if unit is not _KEEP_UNIT:
            locked.unit = unit
        after = snapshot(locked, fields)
        changes = {key: [before[key], after[key]] for key in fields if before[key] != after[key]}
        if changes:
            locked.save(update_fields=list(fields))
            record(actor=actor, action=AuditAction.UPDATE, instance=locked, changes=changes, unit=campaign.unit)
    return locked


def invitation_remove(*, actor: ActorOrSystem, invitation: Invitation) -> None:
    """Take someone who has not answered off the list; their link stops working and says the invitation was
    cancelled."""
    with transaction.atomic():
        locked = _locked(invitation)
        _retire_link(locked, RetiredLinkReason.REMOVED)
        record(
            actor=actor,
            action=AuditAction.DELETE,
            instance=locked,
            changes=snapshot(locked, ("name", "email", "respondent_group", "state")),
            unit=locked.campaign.unit,
        )
        locked.delete()


# ---------------------------------------------------------------------------
# Exporting the list


def export_rows(campaign: InvitationCampaign) -> list[list[str | int]]:
    """The campaign's invitations as rows of text (never the token); formula-like cells neutralised."""
    labels = group_labels(campaign)
    zone = timezone.get_current_timezone()

    def when(moment: datetime.datetime | None) -> str:
        return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M") if moment else ""

    rows: list[list[str | int]] = []
    for invitation in campaign.invitations.select_related("unit").order_by("name", "pk"):
        texts = [
            invitation.name,
            invitation.email,
            labels.get(invitation.respondent_group, invitation.respondent_group),
            invitation.unit.name if invitation.unit else "",
            str(invitation.get_state_display()),
            when(invitation.sent_at),
        ]
        rows.append(
            [spreadsheet.formula_safe(text) for text in texts]
            + [invitation.reminder_count, when(invitation.reminded_at), when(invitation.answered_at)]
        )
    return rows


def export_bytes(campaign: InvitationCampaign) -> bytes:
    return spreadsheet.table_bytes(
        title=_("Danh sách mời"),
        header=[
            _("Họ và tên"),
            _("Thư điện tử"),
            _("Nhóm đối tượng"),
            _("Đơn vị công tác"),
            _("Trạng thái"),
            _("Gửi thư lúc"),
            _("Số lần nhắc"),
            _("Nhắc lần cuối lúc"),
            _("Trả lời lúc"),
        ],
        rows=export_rows(campaign),
        widths=[28, 32, 30, 30, 22, 18, 12, 18, 18],
    )


# ---------------------------------------------------------------------------
# The scheduled run: reminders close to the deadline, closing campaigns past it


def remind_days_before(campaign: InvitationCampaign) -> int:
    """How many days before the deadline the automatic reminders start (0: none)."""
    if campaign.remind_days_before is not None:
        return campaign.remind_days_before
    return max(0, int(getattr(settings, "SURVEY_REMIND_DAYS_BEFORE", 3)))


def scheduled_remindable(campaign: InvitationCampaign, *, today: datetime.date) -> QuerySet[Invitation]:
    """Invitations the scheduled run reminds on ``today``: sent before today, not answered, not reminded today, while
    ``today`` is within the campaign's reminder days before its deadline (the deadline included)."""
    days = remind_days_before(campaign)
    if days <= 0 or campaign_closed(campaign, today=today):
        return campaign.invitations.none()
    if today < campaign.closes_on - datetime.timedelta(days=days):
        return campaign.invitations.none()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    return campaign.invitations.filter(state=InvitationState.SENT, sent_at__lt=start).filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lt=start)
    )


@dataclass(frozen=True)
class ScheduledRun:
    reminded: int = 0
    campaigns_reminded: int = 0
    closed: int = 0


def scheduled_run(*, link: LinkBuilder, today: datetime.date | None = None) -> ScheduledRun:
    """For every open campaign: close it when its deadline has passed, else remind who is due today. Running twice
    on the same day reminds nobody twice and closes nothing twice."""
    today = today or timezone.localdate()
    now = timezone.now()
    reminded = campaigns_reminded = closed = 0
    open_campaigns = InvitationCampaign.objects.filter(closed_at__isnull=True).select_related("questionnaire", "unit")
    for campaign in open_campaigns:
        with transaction.atomic():
            if campaign.closes_on < today:
                updated = InvitationCampaign.objects.filter(pk=campaign.pk, closed_at__isnull=True).update(
                    closed_at=now
                )
                if updated:
                    record(
                        actor=None,
                        action=AuditAction.UPDATE,
                        instance=campaign,
                        changes={"closed_at": [None, now]},
                        reason=_("Đóng đợt mời khi đã quá hạn trả lời"),
                        unit=campaign.unit,
                    )
                    closed += 1
                continue
            due = list(
                scheduled_remindable(campaign, today=today)
                .select_for_update(of=("self",))
                .select_related("campaign__questionnaire", "campaign__unit")
            )
            if not due:
                continue
            for invitation in due:
                invitation.reminded_at = now
                invitation.reminder_count += 1
            Invitation.objects.bulk_update(due, ["reminded_at", "reminder_count"])
            record(
                actor=None,
                action=AuditAction.UPDATE,
                instance=campaign,
                changes={"reminded": [None, len(due)]},
                reason=_("Nhắc tự động theo lịch"),
                unit=campaign.unit,
            )
            _send_after_commit([_message(i, link(token_of(i)), reminder=True) for i in due], reminder=True)
            reminded += len(due)
            campaigns_reminded += 1
    return ScheduledRun(reminded=reminded, campaigns_reminded=campaigns_reminded, closed=closed)

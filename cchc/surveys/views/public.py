"""The public form behind a collection point's link: no login, server-rendered, light enough for a slow phone.

Integrity without accounts, in this order on every submission:

1. throttling per network address and per device cookie (counted in the cache; a Vietnamese page with status 429);
2. CSRF (Django's middleware);
3. a hidden honeypot field: when a robot fills it, the thank-you page is shown and nothing is stored;
4. a signed form token issued with the page: it carries the link, the version shown and when it was published, when
   the form was opened (a form sent sooner than ``SURVEY_MIN_FILL_SECONDS`` is refused) and an idempotency key
   (sending the same form twice stores one response);
5. every answer checked against that version (:func:`collection.submission_clean`, in memory), then the response
   accepted into the inbox by one statement that also checks the link and the version (:mod:`..inbox`), stored in
   batches by a background job. What that statement does not accept takes the full path, which reads the link and
   its published version and says what is wrong.

Conditions are applied on the server: the service drops the answers to questions the earlier answers hide
(``Submission.drop_hidden``; a browser without JavaScript shows every question with its condition written out), in
the one pass that checks the answers; a small static script
hides them as the respondent answers. ``?kiosk=1`` shows the form for a tablet at the counter: no page chrome, back
to the start after each response and after a while without a touch.
"""

from __future__ import annotations

import datetime
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cchc.lib.errors import ServiceError

from .. import collection, inbox
from ..models import CollectionPoint, Question, QuestionKind, QuestionnaireVersion, Section, VersionState

FORM_SALT = "cchc.surveys.public-form"
FORM_MAX_AGE = 12 * 3600
DEVICE_COOKIE = "cchc_survey_device"
HONEYPOT = "website"
# Set on a request by the quick path of a sent form: the throttling's answer, and that the quick path was tried.
_THROTTLED = "_cchc_survey_throttled"
_QUICK_TRIED = "_cchc_survey_quick_tried"
TEXT_LIMITS = {QuestionKind.SHORT_TEXT: collection.SHORT_TEXT_MAX, QuestionKind.LONG_TEXT: collection.LONG_TEXT_MAX}


@dataclass
class FieldView:
    question: Question
    number: int | None
    values: list[str]
    shown: bool
    condition: Question | None = None
    condition_label: str = ""

    @property
    def name(self) -> str:
        return f"q{self.question.pk}"

    @property
    def value(self) -> str:
        return self.values[0] if self.values else ""

    @property
    def max_length(self) -> int | None:
        return TEXT_LIMITS.get(self.question.kind)  # type: ignore[call-overload]


@dataclass
class SectionFields:
    section: Section
    fields: list[FieldView] = field(default_factory=list)


def _sections(version: QuestionnaireVersion, answers: dict[int, list[str]]) -> list[SectionFields]:
    shown = collection.visible_questions(version, answers) if answers else set()
    form = collection.version_form(version)
    numbers, by_pk = form.numbers, form.by_pk
    sections: dict[int, SectionFields] = {}
    for question in form.questions:
        target = by_pk.get(question.condition_question_id or 0)
        label = ""
        if target is not None:
            choice = next((c.label for c in target.choices.all() if c.value == question.condition_value), None)
            label = _("Chỉ trả lời khi câu %(number)s là «%(value)s».") % {
                "number": numbers.get(target.pk, target.code),
                "value": choice or question.condition_value,
            }
        view = FieldView(
            question=question,
            number=numbers.get(question.pk),
            values=answers.get(question.pk, []),
            shown=target is None or not answers or question.pk in shown,
            condition=target,
            condition_label=label,
        )
        sections.setdefault(question.section_id, SectionFields(question.section)).fields.append(view)
    return list(sections.values())


def _address(request: HttpRequest) -> str:
    """The client's address, read behind ``PROXY_COUNT`` trusted proxies like the login throttle does."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def _device(request: HttpRequest) -> str:
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    return value if len(value) == 32 and value.isalnum() else ""


def _throttled(request: HttpRequest) -> bool:
    """Count this submission against the address and the device; true when either is over its limit. Counted once
    per request: the quick path (:func:`accept_quickly`) and the view it hands over to read the same answer."""
    over: bool | None = getattr(request, _THROTTLED, None)
    if over is None:
        over = _count_submission(request)
        setattr(request, _THROTTLED, over)
    return over


def _count_submission(request: HttpRequest) -> bool:
    window = max(1, settings.SURVEY_THROTTLE_WINDOW_SECONDS)
    keys = [("a:" + collection.fingerprint_of(_address(request), ""), settings.SURVEY_THROTTLE_PER_ADDRESS)]
    if device := _device(request):
        keys.append(("d:" + device, settings.SURVEY_THROTTLE_PER_DEVICE))
    over = False
    store = caches[DEFAULT_CACHE_ALIAS]  # once: each use of the ``cache`` proxy is a context lookup
    for key, limit in keys:
        cache_key = f"cchc.surveys.throttle:{key}"
        try:
            count = store.incr(cache_key)  # one operation for every submission but the first of the window
        except ValueError:  # the first of the window (or the counter expired a moment ago)
            if store.add(cache_key, 1, window):
                count = 1
            else:  # another request started it meanwhile
                try:
                    count = store.incr(cache_key)
                except ValueError:
                    store.set(cache_key, 1, window)
                    count = 1
        over = over or count > limit
    return over


def _new_form_token(point: CollectionPoint, version: QuestionnaireVersion) -> str:
    """The signed token of a form: its link, the version it shows and when that was published, when the form was
    opened, its idempotency key."""
    published = version.published_at.timestamp() if version.published_at else None
    data = {"p": point.pk, "v": version.pk, "w": published, "t": time.time(), "k": uuid.uuid4().hex}
    return signing.dumps(data, salt=FORM_SALT, compress=True)


def _read_form_token(token: str, point: CollectionPoint | None = None) -> dict[str, Any] | None:
    """The token's data if it is ours, not expired and (when ``point`` is given) of that link; else ``None``.
    Without ``point`` the caller checks the link itself (:func:`inbox.response_accept` does, with the version)."""
    try:
        data = signing.loads(token, salt=FORM_SALT, max_age=FORM_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int) or not isinstance(data.get("t"), int | float):
        return None
    if point is not None and data["p"] != point.pk:
        return None
    return data


def _posted_answers(request: HttpRequest) -> dict[int, list[str]]:
    answers: dict[int, list[str]] = {}
    for key in request.POST:
        if not key.startswith("q"):
            continue
        pk = int(key[1:]) if key[1:].isdigit() else 0  # an id that is no number is an unknown question
        answers[pk] = [value for value in request.POST.getlist(key) if value.strip()]
    return {pk: values for pk, values in answers.items() if values}


def _kiosk(request: HttpRequest) -> bool:
    # The query string parsed only when there is one (a sent form has none: its redirect is built on every submission).
    in_query = request.GET.get("kiosk") if request.META.get("QUERY_STRING") else None
    return (in_query or request.POST.get("kiosk")) == "1"


def _point(token: str) -> CollectionPoint | None:
    """The link of ``token`` (unique: read without sorting)."""
    try:
        return CollectionPoint.objects.select_related("questionnaire", "unit").get(token=token[:64])
    except CollectionPoint.DoesNotExist:
        return None


def _point_or_page(request: HttpRequest, token: str) -> tuple[CollectionPoint, QuestionnaireVersion] | HttpResponse:
    """The open link and its published version (one query), or the page that says why it takes no answers."""
    found = collection.point_with_published_version(token)
    if found is None:
        return _closed(request, None, _("Không tìm thấy phiếu khảo sát. Đường dẫn có thể đã bị gõ sai."), status=404)
    point, published = found
    version, reason = collection.point_open_version(point, published=published)
    if version is None:
        return _closed(request, point, reason or "", status=410)
    return point, version


def _closed(request: HttpRequest, point: CollectionPoint | None, reason: str, *, status: int) -> HttpResponse:
    return render(request, "surveys/public_closed.html", {"point": point, "reason": reason}, status=status)


# The questions of a published version as a first visitor sees them (nothing answered), rendered once per process and
# language: a published version does not change (``collection.version_form`` keeps its questions on the same terms).
_blank_questions: OrderedDict[tuple[int, datetime.datetime, str], str] = OrderedDict()
_blank_lock = threading.Lock()


def _questions_html(version: QuestionnaireVersion, answers: dict[int, list[str]]) -> str:
    """The questions' part of the form, rendered from the template's ``questions`` partial; for a published version
    with nothing answered, the copy rendered at its first request in this language."""
    if answers or version.state == VersionState.DRAFT or version.published_at is None:
        return _render_questions(version, answers)
    key = (version.pk, version.published_at, translation.get_language() or "")
    with _blank_lock:
        found = _blank_questions.get(key)
        if found is not None:
            _blank_questions.move_to_end(key)
            return found
    found = _render_questions(version, answers)
    with _blank_lock:
        _blank_questions[key] = found
        while len(_blank_questions) > collection.FORMS_KEPT:
            _blank_questions.popitem(last=False)
    return found


def _render_questions(version: QuestionnaireVersion, answers: dict[int, list[str]]) -> str:
    return mark_safe(  # noqa: S308 - rendered by the template engine, which escaped every value
        render_to_string("surveys/public_form.html#questions", {"sections": _sections(version, answers)})
    )


def _form_page(
    request: HttpRequest,
    point: CollectionPoint,
    version: QuestionnaireVersion,
    *,
    form_token: str,
    answers: dict[int, list[str]] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    kiosk = _kiosk(request)
    start = reverse("survey_public:form", args=[point.token]) + ("?kiosk=1" if kiosk else "")
    response = render(
        request,
        "surveys/public_form.html",
        {
            "point": point,
            "version": version,
            "questions": _questions_html(version, answers or {}),
            "form_token": form_token,
            "error": error,
            "kiosk": kiosk,
            "start_url": start,
            "idle_seconds": settings.SURVEY_KIOSK_IDLE_SECONDS,
            "honeypot": HONEYPOT,
        },
        status=status,
    )
    if not _device(request):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_hex(16),
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


# Shared with the form of the invited respondents (``views.invitations``), which has no collection point.
sections_for = _sections
posted_answers = _posted_answers


@require_http_methods(["GET", "POST"])
def public_form(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, token)
    found = _point_or_page(request, token)
    if isinstance(found, HttpResponse):
        return found
    point, version = found
    return _form_page(request, point, version, form_token=_new_form_token(point, version))


_thanks_pattern: tuple[str, str] | None = None


def _thanks_url(request: HttpRequest, token: str) -> str:
    """The thank-you page of the link ``token``: its address read once from the URL configuration, the token quoted
    as :func:`django.urls.reverse` quotes it (about 40 µs less per submission than reversing it each time)."""
    global _thanks_pattern
    if _thanks_pattern is None:
        prefix, _marker, suffix = reverse("survey_public:thanks", args=["TOKEN"]).partition("TOKEN")
        _thanks_pattern = (prefix, suffix)
    prefix, suffix = _thanks_pattern
    return prefix + quote(token, safe=RFC3986_SUBDELIMS + "~:@") + suffix + ("?kiosk=1" if _kiosk(request) else "")


def _to_thanks(request: HttpRequest, token: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(_thanks_url(request, token))


def _submit(request: HttpRequest, token: str) -> HttpResponse:
    """A sent form: the quick path first (:func:`accept_quickly`, unless :class:`.early.PublicSubmitMiddleware`
    tried it already for this request); anything it does not accept takes the full path, which reads the link and
    says what is wrong."""
    if not getattr(request, _QUICK_TRIED, False):
        accepted = accept_quickly(request, token)
        if accepted is not None:
            return accepted
    if _throttled(request):
        found = _point_or_page(request, token)
        point = None if isinstance(found, HttpResponse) else found[0]
        return render(request, "surveys/public_throttled.html", {"point": point}, status=429)
    return _submit_checked(request, token, _posted_answers(request))


def accept_quickly(request: HttpRequest, token: str) -> HttpResponse | None:
    """The quick path of a sent form: the checks that need no database, then, for a form token of the current kind
    whose answers are right, the one statement that accepts it (:func:`inbox.response_accept`). Returns the redirect
    to the thank-you page when the form is accepted (or caught by the honeypot), ``None`` for anything else — over
    the limits, a token too old, too quick or of another link, a wrong answer, a closed link: the full path then
    reads the link and answers in Vietnamese. Counts the submission against the throttling limits once per request.
    Reads only ``request.POST``, the cookies and the address; nothing here renders a page."""
    setattr(request, _QUICK_TRIED, True)
    if _throttled(request):
        return None
    if request.POST.get(HONEYPOT, "").strip():
        return _to_thanks(request, token)
    data = _read_form_token(request.POST.get("form_token", ""))
    current = data is not None and isinstance(data.get("v"), int) and isinstance(data.get("w"), float)
    if data is None or not current or not _filled_long_enough(data):
        return None
    form = collection.published_form(data["v"], data["w"])
    if form is None:
        return None
    answers = _posted_answers(request)
    try:
        checked = collection.submission_clean(form, answers, drop_hidden=True)
        accepted = inbox.response_accept(_acceptance(request, token, data, answers, checked.dossier_code))
    except ServiceError:
        return None  # the full path says what is wrong
    if accepted is None:
        return None
    if accepted:
        inbox.process_soon()
    return _to_thanks(request, token)


def _filled_long_enough(data: dict[str, Any]) -> bool:
    return bool(time.time() - data["t"] >= settings.SURVEY_MIN_FILL_SECONDS)


def _acceptance(
    request: HttpRequest, token: str, data: dict[str, Any], answers: dict[int, list[str]], dossier_code: str
) -> inbox.Acceptance:
    return inbox.Acceptance(
        point_id=int(data["p"]),
        token=token,
        version_id=int(data["v"]),
        answers=answers,
        dossier_code=dossier_code,
        started_at=datetime.datetime.fromtimestamp(data["t"], tz=datetime.UTC),
        fingerprint=collection.fingerprint_of(_address(request), _device(request)),
        idempotency_key=str(data["k"]),
    )


def _submit_checked(request: HttpRequest, token: str, answers: dict[int, list[str]]) -> HttpResponse:
    """The full path of a sent form: the link and its published version read, each problem said in Vietnamese."""
    found = _point_or_page(request, token)
    if isinstance(found, HttpResponse):
        return found
    point, version = found
    posted_token = request.POST.get("form_token", "")
    data = _read_form_token(posted_token, point)
    if data is None:
        return _form_page(
            request,
            point,
            version,
            form_token=_new_form_token(point, version),
            answers=answers,
            error=_("Phiếu đã mở quá lâu hoặc không hợp lệ. Xin kiểm tra lại các câu trả lời rồi bấm gửi lần nữa."),
            status=400,
        )
    if not _filled_long_enough(data):
        return _form_page(
            request,
            point,
            version,
            form_token=posted_token,
            answers=answers,
            error=_("Ông/bà gửi nhanh quá. Xin đọc lại các câu hỏi rồi bấm gửi lần nữa."),
            status=400,
        )
    try:
        checked = collection.submission_clean(collection.version_form(version), answers, drop_hidden=True)
        if inbox.already_accepted(str(data["k"])):
            return _to_thanks(request, token)
        if inbox.dossier_rated(point.questionnaire_id, checked.dossier_code):
            raise ServiceError(collection.duplicate_dossier_message(), code="duplicate", field="dossier_code")
        data = {**data, "p": point.pk, "v": version.pk}
        accepted = inbox.response_accept(_acceptance(request, token, data, answers, checked.dossier_code))
    except ServiceError as error:
        return _form_page(
            request, point, version, form_token=posted_token, answers=answers, error=error.message, status=400
        )
    if accepted is None:  # closed, paused or replaced a moment ago
        return _closed(request, point, _("Phiếu khảo sát này hiện không nhận ý kiến."), status=410)
    if accepted:
        inbox.process_soon()
    return _to_thanks(request, token)


@require_GET
def public_thanks(request: HttpRequest, token: str) -> HttpResponse:
    point = _point(token)
    if point is None:
        return _closed(request, None, _("Không tìm thấy phiếu khảo sát. Đường dẫn có thể đã bị gõ sai."), status=404)
    kiosk = _kiosk(request)
    return render(
        request,
        "surveys/public_thanks.html",
        {
            "point": point,
            "kiosk": kiosk,
            "start_url": reverse("survey_public:form", args=[point.token]) + ("?kiosk=1" if kiosk else ""),
            "reset_seconds": settings.SURVEY_KIOSK_THANKS_SECONDS,
            "now": timezone.now(),
        },
    )

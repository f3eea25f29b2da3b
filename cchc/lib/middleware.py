"""Request-wide Vietnamese text hygiene."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable
from typing import Any

from csp.constants import HEADER as CSP_HEADER
from csp.constants import HEADER_REPORT_ONLY as CSP_HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, QueryDict
from django.http.request import RawPostDataException
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from cchc.lib.validators import NUL, nul_message


def nfc_querydict(data: QueryDict) -> Any:
    """``data`` with every key and value in Unicode NFC: ``data`` itself when they all are already (most requests:
    checking costs a fraction of building a new dictionary), else a new immutable copy."""
    if all(
        unicodedata.is_normalized("NFC", key) and all(unicodedata.is_normalized("NFC", v) for v in values)
        for key, values in data.lists()
    ):
        return data
    normalized = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        # Two keys equal in NFC (one typed composed, one decomposed) keep both their values.
        normalized.setlistdefault(unicodedata.normalize("NFC", key)).extend(
            unicodedata.normalize("NFC", v) for v in values
        )
    normalized._mutable = False
    return normalized


class NFCMiddleware:
    """Every form and query value reaches the views in Unicode NFC, and none holds a NUL character.

    Vietnamese typed on some keyboards or pasted from old documents arrives
    decomposed (a base letter followed by combining marks); normalising at the
    edge means equal words are stored and compared equal everywhere.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = nfc_querydict(request.GET)
        if request.method == "POST" and request.content_type in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            request.POST = nfc_querydict(request.POST)
            if has_nul(request.POST):
                return _nul_refused(request)
        if has_nul(request.GET) or (request.content_type == "application/json" and _json_has_nul(request)):
            return _nul_refused(request)
        return self.get_response(request)


# A JSON string holds U+0000 as ``\u0000`` after an even number of backslashes (an odd number escapes the
# backslash itself), or as a raw NUL byte, which is not JSON at all.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000|\x00", re.IGNORECASE)


def has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


def _json_has_nul(request: HttpRequest) -> bool:
    try:
        return bool(_JSON_NUL.search(request.body))
    except RawPostDataException:  # the body was already read as a stream: the view parses it itself
        return False


def _nul_refused(request: HttpRequest) -> HttpResponse:
    """No text anywhere may hold NUL (U+0000): refused before any view sees it, in the page's or the API's shape."""
    message = nul_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "invalid", "field": None}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


class LanguageMiddleware:
    """Vietnamese unless the person chose another language with the switch.

    Unlike Django's ``LocaleMiddleware`` this ignores the browser's
    ``Accept-Language``: officials on English-language computers still get the
    Vietnamese interface until they pick English themselves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Restore the thread's language afterwards, so an English request does not
        # leave English active for whatever this thread runs next.
        with translation.override(language):
            response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class SessionRefreshMiddleware:
    """Moves a session's idle deadline on at most once every ``SESSION_REFRESH_SECONDS``.

    Sessions are saved only when they change (``SESSION_SAVE_EVERY_REQUEST`` is off), so without this a session
    would end ``SESSION_COOKIE_AGE`` after it was last changed, however active its owner. Writing the time of the
    last refresh changes the session once a minute at most instead of on every page: the deadline is then between
    ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and ``SESSION_COOKIE_AGE`` after the last request.
    """

    KEY = "_refreshed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not (session.modified or settings.SESSION_COOKIE_NAME in request.COOKIES):
            return response  # no session was sent or started: nothing to read
        refreshed_at = session.get(self.KEY)
        if session.is_empty():  # no session, an ended one, or one flushed by this request (logout)
            return response
        now = int(time.time())
        stale = refreshed_at is None or now - refreshed_at >= settings.SESSION_REFRESH_SECONDS
        if stale or session.modified:  # a session saved anyway (a login) takes the time along for free
            session[self.KEY] = now
        return response


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every page shown to a signed-in person and on every API answer.

    What someone saw behind the login must not stay in a shared proxy or in the
    browser's cache for the next person on the same computer (back button after
    logging out). Public pages seen anonymously keep their default caching;
    static files never reach this middleware (WhiteNoise answers them first).
    """

    API_PREFIX = "/api/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path_info.startswith(self.API_PREFIX) or (user is not None and user.is_authenticated):
            # Replaces whatever a view set: nothing of these responses may be stored, so no other directive matters.
            response.headers["Cache-Control"] = "private, no-store"
        return response


class MethodNotAllowedPageMiddleware:
    """A page address that only takes a form (POST) answers a GET with a Vietnamese page, not an empty 405.

    People reach such addresses by reloading a page that showed a form's errors, or from a bookmark; the browser
    would otherwise show its own English error page. API answers keep their JSON shape.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or request.method not in ("GET", "HEAD") or request.path.startswith("/api/"):
            return response
        if response.content:
            return response
        referer = request.META.get("HTTP_REFERER", "")
        back = referer if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) else ""
        page = render(request, "405.html", {"back": back}, status=405)
        if "Allow" in response.headers:
            page["Allow"] = response["Allow"]
        return page


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy of the settings built once rather than twice per response.

    django-csp builds the header from ``CONTENT_SECURITY_POLICY`` (and the report-only one) on every response,
    copying every directive. Here a response that asks for nothing of its own (no ``csp_update``/``csp_replace``
    decorator, no ``@csp`` override, no nonce used) takes the header built from the settings the first time; any
    other response is built by django-csp as before. A change of the settings (tests) builds it again.
    """

    _built: dict[bool, str] = {}

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _CSP_RESPONSE_ATTRIBUTES
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for report_only, header, setting in (
            (False, CSP_HEADER, "CONTENT_SECURITY_POLICY"),
            (True, CSP_HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = self._built.get(report_only)
            if policy is None:
                policy = self._built[report_only] = build_policy(report_only=report_only)
            if not policy or header in response:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


# What django-csp's decorators set on a response to change or lift its policy.
_CSP_RESPONSE_ATTRIBUTES = (
    "_csp_exempt",
    "_csp_exempt_ro",
    "_csp_config",
    "_csp_config_ro",
    "_csp_update",
    "_csp_update_ro",
    "_csp_replace",
    "_csp_replace_ro",
)


@receiver(setting_changed)
def _forget_built_policy(*, setting: str, **_kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        ContentSecurityPolicyMiddleware._built.clear()

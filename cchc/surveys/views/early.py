"""The public survey form's sent answers taken early, outside the middleware the form has no use for.

A sent public form (``POST /s/<token>/``) that is accepted gets nothing from most of the middleware every page goes
through: it has no session, no signed-in user, no flash message, no language choice to read, no page to put a content
security policy, a frame rule or a private cache header on (its answer is a redirect with no body), and it writes, so
no replica routing. :class:`PublicSubmitMiddleware` sits right after the security headers and the static files and,
for such a request, runs only what the form's acceptance needs:

* the CSRF check, Django's own (:class:`django.middleware.csrf.CsrfViewMiddleware`, the same cookie and field as
  every form). The signed form token alone would not do: anyone may open a form and get one, so a page elsewhere
  could make its visitors' browsers send forms filled in advance, from their addresses (past the per-address limit);
* the same text hygiene as every form (Unicode NFC, no NUL: :class:`cchc.lib.middleware.NFCMiddleware`);
* :func:`views.public.accept_quickly` — the throttling, the honeypot, the signed form token, every answer, and the
  one statement that accepts the response.

Whatever the quick path does not accept — a CSRF failure, over the limits, a token too old or too quick, a wrong
answer, a closed link, a NUL — goes on through the whole middleware to the view, which says what is wrong on a page
like before (the throttling is counted once per request: the view reads the quick path's answer). Every other
request passes through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse

from cchc.lib.middleware import has_nul, nfc_querydict

from .public import accept_quickly, public_form

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class PublicSubmitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if settings.CSRF_USE_SESSIONS:  # the CSRF secret would be in the session, which is not read here
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)
        self._pattern: re.Pattern[str] | None = None

    def _form_path(self) -> re.Pattern[str]:
        """The public form's address (``/s/<token>/``) as the URL configuration gives it, read once."""
        if self._pattern is None:
            prefix, _, suffix = reverse("survey_public:form", args=["TOKEN"]).partition("TOKEN")
            self._pattern = re.compile(re.escape(prefix) + r"(?P<token>[^/]+)" + re.escape(suffix) + r"\Z")
        return self._pattern

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == FORM_CONTENT_TYPE:
            found = self._form_path().match(request.path)
            if found is not None:
                accepted = self._accept(request, found["token"])
                if accepted is not None:
                    return accepted
        return self.get_response(request)

    def _accept(self, request: HttpRequest, token: str) -> HttpResponse | None:
        self.csrf.process_request(request)
        if self.csrf.process_view(request, public_form, (token,), {}) is not None:
            return None  # refused: the whole stack refuses it again, with the site's page
        request.POST = nfc_querydict(request.POST)
        if has_nul(request.POST):
            return None
        return accept_quickly(request, token)

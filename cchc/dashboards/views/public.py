"""The public page: what the province has published, for everybody, without logging in.

Published PAR INDEX rankings, the published satisfaction results, the service figures the secretariat chose to make
public and the survey links open today — nothing else (``selectors_public``). The page is the same for every visitor,
so it is rendered once per version of the data and language, kept in the cache under that version, and sent with an
``ETag``: a browser or proxy revalidates it with a conditional request (answered ``304`` without rendering), and a new
publication changes the version, so it shows at the next request.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from cchc.lib.replica import use_replica

from .. import selectors_public

__all__ = ["public_page"]

# How long a rendered version stays in the server's cache; a new version is rendered anyway whenever the data changes.
CACHE_SECONDS = 60 * 60


def _etag(version: str, language: str) -> str:
    return f'"{version}-{language}"'


@require_safe
@use_replica()
def public_page(request: HttpRequest) -> HttpResponse:
    """The public page (no login; the same for everybody)."""
    today = timezone.localdate()
    language = translation.get_language() or settings.LANGUAGE_CODE
    version = selectors_public.data_version(today)
    etag = _etag(version, language)
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        key = f"dashboards.public:{language}:{version}"
        html = cache.get(key)
        if html is None:
            context = {
                "page": selectors_public.public_page(today),
                "site_name": settings.CCHC_SITE_NAME,
                "now_shown": timezone.now(),
                "LANGUAGE_CODE": language,
            }
            html = render_to_string("dashboards/public/page.html", context)
            cache.set(key, html, CACHE_SECONDS)
        response = HttpResponse(html)
    response.headers["ETag"] = etag
    # Stored by browsers and shared proxies, but checked with the server (a cheap 304) before each reuse.
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response

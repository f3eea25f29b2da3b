"""The product's URLs plus ``/bench/noop/``, the reference view of ``surveys.py``: it answers through the same
middleware (sessions, CSRF, security headers) without doing anything. Used only by the benchmark's own settings
(:mod:`surveys_settings`); the product's URL configuration never includes it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from cchc.urls import urlpatterns as product_urlpatterns


def noop(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/noop/", noop), *product_urlpatterns]

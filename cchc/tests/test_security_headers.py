"""Every page carries the strict Content-Security-Policy; what is behind the login, and every API answer, is never
kept by a browser or proxy cache; public pages and static files are left to the usual caching."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.template import loader
from django.test import Client
from django.urls import reverse

from cchc.accounts.services import api_token_create
from cchc.assessments.tests.test_results_views import _round as published_round
from cchc.frameworks import samples

STRICT_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    directives = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {directive[0]: directive[1] for directive in directives}


def _assert_nothing_inline(html: str) -> None:
    assert " style=" not in html
    assert INLINE_SCRIPT.findall(html) == []


@pytest.mark.parametrize(
    ("persona", "path", "status"),
    [
        ("anonymous", "/accounts/login/", 200),
        ("secretariat", "/", 200),
        ("secretariat", "/units/", 200),
        ("secretariat", "/units/999999/", 404),
        ("focal_a", "/audit/", 403),
        ("anonymous", "/api/units/", 401),
    ],
)
def test_every_page_and_api_answer_carries_the_strict_content_security_policy(personas, persona, path, status):
    response = personas.client(persona).get(path)
    assert response.status_code == status
    assert _policy(response) == STRICT_POLICY


@pytest.mark.parametrize("path", ["/", "/units/", "/units/999999/", "/audit/", "/frameworks/"])
def test_pages_behind_the_login_are_never_stored_by_a_cache(personas, path):
    response = personas.client("secretariat").get(path)
    assert response.headers["Cache-Control"] == "private, no-store"


def test_api_answers_are_never_stored_by_a_cache_signed_in_or_not(personas):
    _token, raw = api_token_create(actor=personas.focal_a, user=personas.focal_a, name="Thử")
    with_token = Client().get("/api/units/", headers={"Authorization": f"Bearer {raw}"})
    assert with_token.status_code == 200
    assert with_token.headers["Cache-Control"] == "private, no-store"
    anonymous = Client().get("/api/units/")
    assert anonymous.status_code == 401
    assert anonymous.headers["Cache-Control"] == "private, no-store"


def test_public_pages_seen_anonymously_and_static_files_keep_their_caching(personas):
    public_round = published_round(personas, is_public=True)[0]
    public_page = personas.client("anonymous").get(reverse("assessments:results_public", args=[public_round.pk]))
    assert public_page.status_code == 200
    assert "Cache-Control" not in public_page.headers
    assert (
        "no-store"
        in personas.client("secretariat")
        .get(reverse("assessments:results_public", args=[public_round.pk]))
        .headers["Cache-Control"]
    )
    assert finders.find("cchc/app.css")
    static = Client().get("/static/cchc/app.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")
    assert "Content-Security-Policy" not in static.headers


def test_the_pages_that_indented_rows_inline_now_use_classes(personas):
    client = personas.client("secretariat")
    installed = samples.install_sample(actor=None, key=samples.SAMPLES[0], year=2025, owner=personas.province)
    framework = installed.framework
    for path in ["/units/", "/frameworks/", f"/frameworks/{framework.pk}/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_nothing_inline(response.content.decode())
    assert 'class="tree-indent depth-1"' in client.get("/units/").content.decode()
    assert '<div class="depth-1">' in client.get(f"/frameworks/{framework.pk}/").content.decode()


@pytest.mark.django_db
def test_the_server_error_page_styles_itself_from_a_file():
    html = loader.get_template("500.html").render()
    _assert_nothing_inline(html)
    assert "cchc/layout.css" in html
    assert INLINE_HANDLER.findall(html) == []


def test_answers_refused_before_the_view_are_covered_too(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.secretariat)
    refused = client.post("/units/new/", {"name": "Sở Mới"})
    assert refused.status_code == 403
    assert refused.headers["Cache-Control"] == "private, no-store"
    assert _policy(refused) == STRICT_POLICY


def _headers(middleware, request):
    """The headers of the answer ``middleware`` gives ``request`` (a synchronous one here)."""
    from django.http import HttpResponseBase

    response = middleware(request)
    assert isinstance(response, HttpResponseBase)
    return response.headers


def test_the_policy_built_once_is_the_one_django_csp_builds_and_follows_a_change_of_the_settings(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.test import override_settings

    from cchc.lib.middleware import ContentSecurityPolicyMiddleware

    def answer(_request):
        return HttpResponse("ok")

    ours, theirs = ContentSecurityPolicyMiddleware(answer), CSPMiddleware(answer)
    for _ in range(2):  # the second answer takes the header built at the first
        assert (
            _headers(ours, rf.get("/"))["Content-Security-Policy"]
            == _headers(theirs, rf.get("/"))["Content-Security-Policy"]
        )
    looser = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "https://tiles.example"]}}
    with override_settings(CONTENT_SECURITY_POLICY=looser, CONTENT_SECURITY_POLICY_REPORT_ONLY=looser):
        headers = _headers(ours, rf.get("/"))
        assert "https://tiles.example" in headers["Content-Security-Policy"]
        assert "https://tiles.example" in headers["Content-Security-Policy-Report-Only"]
    headers = _headers(ours, rf.get("/"))
    assert "tiles.example" not in headers["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in headers


def test_an_answer_that_changes_its_own_policy_or_uses_a_nonce_still_gets_it(rf):
    from csp.decorators import csp_exempt, csp_update
    from django.http import HttpResponse

    from cchc.lib.middleware import ContentSecurityPolicyMiddleware

    @csp_update({"img-src": ["https://maps.example"]})
    def with_maps(_request):
        return HttpResponse("ok")

    @csp_exempt()
    def exempt(_request):
        return HttpResponse("ok")

    assert (
        "https://maps.example"
        in _headers(ContentSecurityPolicyMiddleware(with_maps), rf.get("/"))["Content-Security-Policy"]
    )
    assert "Content-Security-Policy" not in _headers(ContentSecurityPolicyMiddleware(exempt), rf.get("/"))

    def with_nonce(request):
        return HttpResponse(str(request.csp_nonce))

    from csp.constants import NONCE, SELF
    from django.test import override_settings

    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": [SELF, NONCE]}}):
        middleware = ContentSecurityPolicyMiddleware(with_nonce)
        for _ in range(2):
            request = rf.get("/")
            middleware.process_request(request)
            answer = with_nonce(request)
            headers = middleware.process_response(request, answer).headers
            assert f"'nonce-{answer.content.decode()}'" in headers["Content-Security-Policy"]

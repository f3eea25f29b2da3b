"""The quality of the extraction on real use, for the secretariat: how often each proposed field was corrected, and
the confirmed directives as labelled data for the extractor's development set."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cchc.directives import access

from .. import selectors
from ..forms import ExtractionQualityForm
from ..labelled import labelled_zip


@require_GET
@login_required
def extraction_quality(request: HttpRequest) -> HttpResponse:
    directives = access.get_reviewed_directives_for_user(request.user)
    form = ExtractionQualityForm(request.GET or None)
    filters = form.filters()
    quality = selectors.extraction_quality(directives, **filters)
    query = urlencode({key: value for key, value in request.GET.items() if key in form.fields and value})
    return render(
        request,
        "directives/extraction_quality.html",
        {"form": form, "quality": quality, "query": query, "nav_active": "tracker"},
    )


@require_GET
@login_required
def extraction_quality_export(request: HttpRequest) -> HttpResponse:
    """The confirmed directives shown on the page (same filters), as a .zip of labelled data."""
    directives = access.get_reviewed_directives_for_user(request.user)
    filters = ExtractionQualityForm(request.GET or None).filters()
    documents = selectors.labelled_documents(selectors.reviewed_directives(directives, **filters))
    name = f"van-ban-gan-nhan-{timezone.localdate().isoformat()}.zip"
    response = HttpResponse(labelled_zip(documents), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

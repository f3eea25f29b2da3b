"""Small readers of a request that several apps' pages share."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

FIRST_YEAR, LAST_YEAR = 2000, 2200


def posted(request: HttpRequest) -> Any:
    """The submitted data on POST (even when empty, so that required fields are reported), else ``None``."""
    return request.POST if request.method == "POST" else None


def requested_year(request: HttpRequest) -> int:
    """The ``year`` of the query string when it is a plausible year, else the current year."""
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR else timezone.localdate().year

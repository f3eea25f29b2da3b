"""Request-wide Vietnamese text hygiene."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict


def _nfc_querydict(data: QueryDict) -> Any:
    normalized = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        normalized.setlist(unicodedata.normalize("NFC", key), [unicodedata.normalize("NFC", v) for v in values])
    normalized._mutable = False
    return normalized


class NFCMiddleware:
    """Every form and query value reaches the views in Unicode NFC.

    Vietnamese typed on some keyboards or pasted from old documents arrives
    decomposed (a base letter followed by combining marks); normalising at the
    edge means equal words are stored and compared equal everywhere.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = _nfc_querydict(request.GET)
        if request.method == "POST" and request.content_type in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            request.POST = _nfc_querydict(request.POST)
        return self.get_response(request)

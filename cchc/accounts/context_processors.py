from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .navigation import items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {
        "nav_items": items_for(getattr(request, "user", None)),
        "site_name": settings.CCHC_SITE_NAME,
    }

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static

from .navigation import items_for


def emblem_url(setting: str) -> str:
    """The address of the configured emblem: a full URL or an absolute path as written, else a static file."""
    if not setting:
        return ""
    if setting.startswith(("http://", "https://", "/")):
        return setting
    return static(setting)


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {
        "nav_items": items_for(getattr(request, "user", None)),
        "site_name": settings.CCHC_SITE_NAME,
        "site_emblem": emblem_url(settings.CCHC_EMBLEM),
    }

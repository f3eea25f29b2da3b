"""The Jinja2 environment of the few templates drawn with Jinja2 (``<app>/jinja2/``): the hottest fragments only.

Most pages are Django templates. A fragment drawn many times per page (the rows of the task tracker) is a Jinja2
template, which compiles to Python and draws the same HTML several times faster; a Django template includes it
through a template tag. The environment offers what those fragments need and nothing else: Django's translations
(``{% trans %}``, ``_()``, ``gettext``, with ``{% trans count=n %}`` for plurals), ``url()`` (Django's
``reverse``), and the filters ``day`` and ``truncatechars`` as the Django templates write them. Autoescaping is on
(Django's Jinja2 backend turns it on), and Django's safe strings stay safe.
"""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import date, truncatechars
from django.urls import reverse
from django.utils.translation import gettext, ngettext, npgettext, pgettext
from jinja2 import Environment


def day(value: Any) -> str:
    """A date as pages write it (``05/03/2026``), like the Django templates' ``day`` filter (``lib/templatetags``)."""
    return date(value, "d/m/Y")


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options: Any) -> Environment:
    options.setdefault("extensions", ["jinja2.ext.i18n"])
    env = Environment(**options)  # noqa: S701 - Django's Jinja2 backend passes autoescape=True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )
    env.globals["url"] = url
    env.filters["day"] = day
    env.filters["truncatechars"] = truncatechars
    return env

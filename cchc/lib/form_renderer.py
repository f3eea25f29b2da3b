"""A form renderer that draws Django's own widgets with their Jinja2 templates and everything else as before.

Django draws every field of a form with a template: the widget (``django/forms/widgets/select.html``, one
``select_option.html`` per option), its attributes and its label. Through the Django template language each of them
costs a template lookup, a context and a render; the sheet page draws about a hundred of them and the tracker's unit
filter one per unit. Django ships the same templates for Jinja2 (``django/forms/jinja2``), which compile to Python
and draw the same HTML several times faster.

:class:`FastFormRenderer` takes a widget template from Django's Jinja2 set when it has one, and from the project's
templates otherwise (the unit and criterion pickers, whose templates extend one another in the Django template
language). It is the renderer of the forms of the busiest pages (``default_renderer``), not of every form: the
HTML is the same, the choice per form keeps the change where it was measured (``docs/performance.md``).
"""

from __future__ import annotations

import functools
from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FastFormRenderer(BaseRenderer):
    """Django's widget templates through Jinja2; any other template (our own widgets) through Django templates."""

    def __init__(self) -> None:
        self._jinja = Jinja2()
        self._django = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        if template_name.startswith("django/forms/"):
            try:
                return self._jinja.get_template(template_name)
            except TemplateDoesNotExist:
                pass
        return self._django.get_template(template_name)


@functools.cache
def fast_renderer() -> FastFormRenderer:
    """One renderer per process: its engines keep their compiled templates."""
    return FastFormRenderer()

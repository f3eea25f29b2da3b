"""``{% per_language %}…{% endper_language %}``: a part of the layout drawn once per language in each process.

For the parts of the layout every page draws that depend on nothing of the request but its language: the links to
the style sheets and scripts, the error messages the scripts show, the footer. Their ``{% translate %}``,
``{% static %}`` and ``{% url %}`` tags cost more, drawn again on every page, than anything else in the layout. A
part that shows a variable of the page (``{{ … }}``) is refused when the template is read.
"""

from __future__ import annotations

import threading
from typing import Any

from django import template
from django.template.base import NodeList, Parser, Token, VariableNode
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


class PerLanguageNode(template.Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist
        self.made: dict[tuple[str | None, str], SafeString] = {}
        self.lock = threading.Lock()

    def render(self, context: Any) -> SafeString:
        key = (get_language(), get_script_prefix())
        found = self.made.get(key)
        if found is None:
            found = mark_safe(self.nodelist.render(context))  # noqa: S308 - drawn by the template engine, escaped there
            with self.lock:
                self.made[key] = found
        return found


@register.tag
def per_language(parser: Parser, token: Token) -> PerLanguageNode:
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(VariableNode):
        raise template.TemplateSyntaxError("{% per_language %} may not show variables of the page")
    return PerLanguageNode(nodelist)

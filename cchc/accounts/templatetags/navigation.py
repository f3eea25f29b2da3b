"""The navigation menu's entries as HTML, made once per menu and active entry in each process."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from cchc.accounts.navigation import menu_html

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_entries(context: Any) -> SafeString:
    """``<li>`` entries of the menu ``nav_items``, the one whose key is the page's ``nav_active`` marked as the
    current page (a page may name none)."""
    return menu_html(context.get("nav_items") or (), context.get("nav_active") or "")

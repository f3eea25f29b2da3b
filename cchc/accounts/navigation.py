"""The navigation menu, built from the user's roles."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from django.urls import get_script_prefix, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from cchc.audit import access as audit_access
from cchc.directives import access as directives_access
from cchc.initiatives import access as initiatives_access
from cchc.inspections import access as inspections_access
from cchc.lib.types import Viewer
from cchc.organisations import access as organisations_access
from cchc.reports import access as reports_access

from . import roles


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    key: str


# The menus made in this process, per (roles held with their scopes, administrator or not, language, address
# prefix): every entry below depends on nothing else, so people with the same roles share one menu.
_MADE: dict[tuple[object, ...], tuple[NavItem, ...]] = {}
_MADE_MAX = 1024
_lock = threading.Lock()


def items_for(user: Viewer | None) -> list[NavItem]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    held = tuple(sorted((str(a.role), a.scope_id or 0) for a in roles.role_assignments(user)))
    key = (held, roles.is_admin(user), get_language(), get_script_prefix())
    found = _MADE.get(key)
    if found is None:
        found = tuple(_make(user))
        with _lock:
            if len(_MADE) >= _MADE_MAX:
                _MADE.clear()
            _MADE[key] = found
    return list(found)


# The entries of each menu as HTML, per active entry: the same menus and pages come back on every request.
_HTML: dict[tuple[tuple[NavItem, ...], str], SafeString] = {}
# Between two entries, as the layout template wrote them.
_BETWEEN = "\n          "
_CURRENT = mark_safe(' aria-current="page"')


def menu_html(items: Sequence[NavItem], active: str) -> SafeString:
    """The ``<li>`` entries of the menu ``items``, the one whose key is ``active`` marked as the current page."""
    key = (tuple(items), active)
    found = _HTML.get(key)
    if found is None:
        found = format_html_join(
            _BETWEEN,
            '<li><a href="{}"{}>{}</a></li>',
            ((item.url, _CURRENT if item.key == active else "", item.label) for item in items),
        )
        with _lock:
            if len(_HTML) >= _MADE_MAX:
                _HTML.clear()
            _HTML[key] = found
    return found


def _make(user: Viewer) -> list[NavItem]:
    """The menu of ``user``: only ever a function of their roles (with scopes) and of being an administrator."""
    items = [NavItem(_("Trang chủ"), reverse("dashboards:home"), "home")]
    if roles.roles_of(user) or roles.is_admin(user):
        items.append(NavItem(pgettext("list", "Đơn vị"), reverse("organisations:unit_list"), "units"))
        items.append(NavItem(_("Bộ tiêu chí"), reverse("frameworks:framework_list"), "frameworks"))
        items.append(NavItem(_("Chỉ số CCHC"), reverse("assessments:round_list"), "assessments"))
        items.append(NavItem(_("Kết quả, xếp hạng"), reverse("assessments:results_index"), "results"))
        items.append(NavItem(_("Nhiệm vụ của đơn vị"), reverse("directives:my_tasks"), "my_tasks"))
        items.append(NavItem(_("Văn bản chỉ đạo"), reverse("directives:directive_list"), "directives"))
        items.append(NavItem(_("Chỉ số, chỉ tiêu"), reverse("indicators:indicator_list"), "indicators"))
        items.append(NavItem(_("PAR INDEX, SIPAS, PAPI"), reverse("indicators:external_index"), "external"))
        items.append(NavItem(_("Thủ tục, hồ sơ"), reverse("procedures:dossier_list"), "procedures"))
        items.append(NavItem(_("Chỉ số phục vụ"), reverse("procedures:kpi_table"), "kpis"))
        items.append(NavItem(_("Khảo sát"), reverse("surveys:questionnaire_list"), "surveys"))
    if inspections_access.can_view_register(user):
        items.append(NavItem(_("Kiểm tra CCHC"), reverse("inspections:plan_list"), "inspections"))
    if initiatives_access.can_view_register(user):
        items.append(NavItem(_("Sáng kiến CCHC"), reverse("initiatives:initiative_list"), "initiatives"))
    if directives_access.can_view_task_tracker(user):
        items.append(NavItem(_("Theo dõi nhiệm vụ"), reverse("directives:tracker"), "tracker"))
    if reports_access.shows_reports_menu(user):
        items.append(NavItem(_("Báo cáo định kỳ"), reverse("reports:report_list"), "reports"))
    if organisations_access.can_manage_units(user):
        items.append(NavItem(pgettext("list", "Người dùng"), reverse("accounts:user_list"), "users"))
    if audit_access.can_view_audit(user):
        items.append(NavItem(_("Nhật ký thay đổi"), reverse("audit:entry_list"), "audit"))
    return items

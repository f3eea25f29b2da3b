"""The navigation menu drawn in the layout: the entries of the person's roles, the current page's marked."""

from __future__ import annotations

import re

from django.urls import reverse

from cchc.accounts.navigation import items_for
from cchc.testing.personas import Personas


def _menu(page: str) -> str:
    return page[page.index('<nav class="mainnav"') : page.index("</nav>")]


def test_the_menu_lists_the_persons_entries_in_order_and_marks_only_the_current_page(personas: Personas) -> None:
    answer = personas.client("secretariat").get(reverse("dashboards:home"))
    menu = _menu(answer.content.decode())
    expected = [(item.url, item.label) for item in items_for(answer.wsgi_request.user)]
    assert re.findall(r'<li><a href="([^"]+)"(?: aria-current="page")?>([^<]+)</a></li>', menu) == expected
    assert re.findall(r'href="([^"]+)" aria-current="page"', menu) == [reverse("dashboards:home")]


def test_a_page_that_names_no_current_entry_draws_the_menu_with_none_marked(personas: Personas) -> None:
    page = personas.client("focal_a").get(reverse("accounts:profile")).content.decode()
    menu = _menu(page)
    assert f'href="{reverse("dashboards:home")}"' in menu and "aria-current" not in menu


def test_people_with_other_roles_get_their_own_menus(personas: Personas) -> None:
    secretariat = _menu(personas.client("secretariat").get(reverse("dashboards:home")).content.decode())
    focal = _menu(personas.client("focal_a").get(reverse("dashboards:home")).content.decode())
    assert reverse("accounts:user_list") in secretariat and reverse("accounts:user_list") not in focal

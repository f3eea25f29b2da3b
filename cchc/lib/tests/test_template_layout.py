"""The parts of the layout drawn once per language: the same page in each language, and no page variable in them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.urls import reverse
from django.utils import translation

VIETNAMESE_FOOTER = "cchc — hệ thống quản lý cải cách hành chính, mã nguồn mở."
ENGLISH_FOOTER = "cchc — open-source public administration reform management system."


@pytest.mark.django_db
def test_the_layouts_parts_follow_the_language_of_each_request() -> None:
    vietnamese, english = Client(), Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _round in range(2):  # the second time from what the first drew
        assert VIETNAMESE_FOOTER in vietnamese.get(reverse("accounts:login")).content.decode()
        page = english.get(reverse("accounts:login")).content.decode()
        assert ENGLISH_FOOTER in page and VIETNAMESE_FOOTER not in page
        assert 'data-error-offline="Chưa lưu được' not in page


def test_a_part_drawn_once_per_language_draws_its_translations_and_links_in_each() -> None:
    part = Template('{% load i18n layout %}{% per_language %}<p>{% translate "Ngôn ngữ" %}</p>{% endper_language %}')
    with translation.override("vi"):
        assert part.render(Context()) == "<p>Ngôn ngữ</p>"
    with translation.override("en"):
        assert part.render(Context()) == "<p>Language</p>"
    with translation.override("vi"):
        assert part.render(Context()) == "<p>Ngôn ngữ</p>"


def test_a_part_drawn_once_per_language_may_not_show_a_variable_of_the_page() -> None:
    with pytest.raises(TemplateSyntaxError):
        Template("{% load layout %}{% per_language %}<p>{{ user.display_name }}</p>{% endper_language %}")

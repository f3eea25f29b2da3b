"""The fast form renderer draws the same HTML as Django's template renderer, our own widgets included."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.backends.django import Template as DjangoBackendTemplate
from django.test import SimpleTestCase

from cchc.lib.form_renderer import FastFormRenderer


class _Sample(forms.Form):
    name = forms.CharField(label="Tên đơn vị", max_length=20, help_text="Gõ tên <b>đầy đủ</b>")
    kind = forms.ChoiceField(label="Loại", choices=[("a", "Sở & ban"), ("b", "Xã")])
    choice = forms.ChoiceField(label="Kết quả", choices=[("yes", "Có"), ("no", "Không")], widget=forms.RadioSelect)
    note = forms.CharField(label="Ghi chú", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    tick = forms.BooleanField(label="Đồng ý", required=False)


class FastFormRendererTests(SimpleTestCase):
    def _both(self, data: dict[str, str] | None = None) -> tuple[str, str]:
        fast = _Sample(data, renderer=FastFormRenderer())
        plain = _Sample(data, renderer=DjangoTemplates())
        return str(fast), str(plain)

    def test_a_form_is_drawn_with_the_same_html_as_with_django_templates(self) -> None:
        fast, plain = self._both()
        self.assertHTMLEqual(fast, plain)
        self.assertIn('<option value="a">Sở &amp; ban</option>', fast)

    def test_a_bound_form_with_errors_and_chosen_values_is_drawn_the_same(self) -> None:
        fast, plain = self._both({"name": "<script>", "kind": "b", "choice": "maybe", "tick": "on"})
        self.assertHTMLEqual(fast, plain)
        self.assertIn("&lt;script&gt;", fast)
        self.assertNotIn("<script>", fast)

    def test_our_own_widget_templates_still_come_from_the_django_template_language(self) -> None:
        renderer = FastFormRenderer()
        picker = renderer.get_template("frameworks/widgets/criterion_picker.html")
        select = renderer.get_template("django/forms/widgets/select.html")
        self.assertIsInstance(picker, DjangoBackendTemplate)
        self.assertNotIsInstance(select, DjangoBackendTemplate)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "cchc.assessments"
    verbose_name = _("Chỉ số cải cách hành chính")

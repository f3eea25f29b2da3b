from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "cchc.initiatives"
    verbose_name = _("Sáng kiến, giải pháp cải cách hành chính")

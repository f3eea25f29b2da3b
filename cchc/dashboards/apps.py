from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "cchc.dashboards"
    verbose_name = _("Trang tổng quan")

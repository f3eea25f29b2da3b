from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "cchc.maintenance"
    verbose_name = _("Vận hành")

    def ready(self) -> None:
        from cchc.maintenance import checks  # noqa: F401  (registers the deployment checks)

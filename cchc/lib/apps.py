from django.apps import AppConfig


class LibConfig(AppConfig):
    """Shared helpers; an app only so that the database lookups of :mod:`cchc.lib.ids` are registered at start-up."""

    name = "cchc.lib"
    label = "cchc_lib"

    def ready(self) -> None:
        from .ids import register_lookups

        register_lookups()

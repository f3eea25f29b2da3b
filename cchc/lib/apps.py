from django.apps import AppConfig


class LibConfig(AppConfig):
    """Shared helpers; an app so that the database lookups of :mod:`cchc.lib.ids` are registered at start-up, every
    database connection is watched for writes and the versions of the data are stored (:mod:`cchc.lib.page_cache`)."""

    name = "cchc.lib"
    label = "cchc_lib"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db import connections
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from . import page_cache
        from .ids import register_lookups

        register_lookups()
        connection_created.connect(page_cache.install, dispatch_uid="cchc.lib.page_cache")
        for connection in connections.all(initialized_only=True):
            page_cache.install(connection)
        pre_migrate.connect(page_cache.pause_for_migrations, dispatch_uid="cchc.lib.page_cache.pre")
        post_migrate.connect(page_cache.resume_after_migrations, sender=self, dispatch_uid="cchc.lib.page_cache.post")
        request_started.connect(page_cache.begin_request, dispatch_uid="cchc.lib.page_cache.begin")
        request_finished.connect(page_cache.end_request, dispatch_uid="cchc.lib.page_cache.end")

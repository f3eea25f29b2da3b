from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cchc.accounts"
    verbose_name = _("Tài khoản")

    def ready(self) -> None:
        from cchc.lib import page_cache

        from .models import ApiToken, User

        # Written at every sign-in and at most once a minute per API token, shown only on pages that are not cached
        # (a person's page, one's tokens): they move no version of the accounts' data (cchc.lib.page_cache).
        page_cache.shown_by_no_section(User._meta.db_table, "last_login")
        page_cache.shown_by_no_section(ApiToken._meta.db_table, "last_used_at")

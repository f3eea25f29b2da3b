"""The one table of the shared helpers: the version of each app's data, for :mod:`cchc.lib.page_cache`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """A counter per app (its label) that moves on after every committed write to one of that app's tables."""

    area = models.CharField(_("phân hệ"), primary_key=True, max_length=60)
    counter = models.BigIntegerField(_("số phiên bản"), default=0)

    class Meta:
        verbose_name = _("phiên bản dữ liệu")
        verbose_name_plural = _("phiên bản dữ liệu")

    def __str__(self) -> str:
        return f"{self.area}: {self.counter}"

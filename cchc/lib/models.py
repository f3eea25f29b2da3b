"""The one table of the shared helpers: the version of each app's data, for :mod:`cchc.lib.page_cache`."""

from __future__ import annotations

from django.db import models


class DataVersion(models.Model):
    """A counter per app (its label) that moves on after every committed write to one of that app's tables."""

    area = models.CharField(primary_key=True, max_length=60)
    counter = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.area}: {self.counter}"

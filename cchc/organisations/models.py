"""The unit tree (đơn vị) and the people who work in units.

The tree is stored as a materialised path: every unit keeps ``path``, the
concatenation of fixed-width segments for each of its ancestors and itself.
A subtree is then one indexed range query (``path`` starts with the unit's
path), ancestors are parsed from the path without touching the database, and
a move rewrites the paths of a whole subtree with a single ``UPDATE``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SEGMENT_WIDTH = 7
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def encode_segment(pk: int) -> str:
    """Fixed-width base-36 segment for a primary key (``42`` → ``"0000016"``)."""
    if pk < 0:
        raise ValueError("primary keys are positive")
    digits = []
    value = pk
    while value:
        value, remainder = divmod(value, 36)
        digits.append(_DIGITS[remainder])
    encoded = "".join(reversed(digits)) or "0"
    if len(encoded) > SEGMENT_WIDTH:
        raise ValueError("primary key too large for a path segment")
    return encoded.rjust(SEGMENT_WIDTH, "0")


def decode_path(path: str) -> list[int]:
    """Primary keys of the units along ``path``, root first."""
    return [int(path[i : i + SEGMENT_WIDTH], 36) for i in range(0, len(path), SEGMENT_WIDTH)]


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố trực thuộc Trung ương")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    DISTRICT = "district", _("Huyện, thị xã, thành phố thuộc tỉnh (trước 01/7/2025)")
    COMMUNE = "commune", _("Xã, phường, đặc khu, thị trấn")
    OFFICE = "office", _("Phòng chuyên môn")
    PUBLIC_SERVICE_UNIT = "public_service_unit", _("Đơn vị sự nghiệp")
    OTHER = "other", _("Tổ chức khác")


class CommuneSubtype(models.TextChoices):
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")
    TOWNSHIP = "township", _("Thị trấn")


class UnitQuerySet(models.QuerySet["Unit"]):
    def active(self, on: datetime.date | None = None) -> UnitQuerySet:
        """Units valid on ``on`` (today by default)."""
        day = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def subtree_of(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        """``unit`` and everything below it, in one indexed range query."""
        queryset = self.filter(path__startswith=unit.path)
        if not include_self:
            queryset = queryset.exclude(pk=unit.pk)
        return queryset

    def in_subtrees(self, paths: list[str]) -> UnitQuerySet:
        """Units below any of the given paths (an empty list gives nothing)."""
        if not paths:
            return self.none()
        return self.filter(subtree_condition(paths))


def subtree_condition(paths: Iterable[str], field: str = "") -> Q:
    """The condition "the unit reached through ``field`` lies in one of the subtrees at ``paths``".

    ``field`` is the lookup from the filtered model to a unit (``"unit"``, ``"directive__issuing_unit"``; empty for
    units themselves). No paths gives a condition that matches nothing. Every subtree filter on another model goes
    through this function (or ``path_condition`` for a stored path column), so scoping is written once.
    """
    return path_condition(paths, f"{field}__path" if field else "path")


def path_condition(paths: Iterable[str], column: str) -> Q:
    """The condition "the unit path stored in ``column`` lies in one of the subtrees at ``paths``"."""
    kept = _outermost(list(paths))
    if not kept:
        return Q(pk__in=[])
    condition = Q()
    for path in kept:
        condition |= Q(**{f"{column}__startswith": path})
    return condition


def path_is_within(path: str, paths: Iterable[str]) -> bool:
    """True when the unit path ``path`` lies in one of the subtrees at ``paths`` (the Python twin of the above)."""
    return any(path.startswith(root) for root in paths)


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths already covered by a shorter one, to keep the SQL small."""
    result: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result


class Unit(models.Model):
    name = models.CharField(_("tên đơn vị"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    code = models.CharField(
        _("mã đơn vị"),
        max_length=50,
        unique=True,
        help_text=_("Mã định danh chính thức (ví dụ mã đơn vị hành chính hoặc mã định danh điện tử)."),
    )
    kind = models.CharField(_("loại đơn vị"), max_length=32, choices=UnitKind.choices)
    subtype = models.CharField(_("loại xã"), max_length=32, choices=CommuneSubtype.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    valid_from = models.DateField(_("hiệu lực từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến ngày"), null=True, blank=True)
    search_key = models.CharField(max_length=400, db_index=True, editable=False, default="")
    successors: models.ManyToManyField[Unit, UnitSuccession] = models.ManyToManyField(
        "self",
        through="UnitSuccession",
        symmetrical=False,
        related_name="predecessors",
        verbose_name=_("đơn vị kế thừa"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_to_after_valid_from",
            ),
            models.CheckConstraint(
                condition=Q(subtype="") | Q(kind="commune"),
                name="unit_subtype_only_for_communes",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        """Primary keys of the ancestors, root first (no query)."""
        return decode_path(self.path)[:-1]

    def ancestors(self) -> UnitQuerySet:
        return Unit.objects.filter(pk__in=self.ancestor_ids).order_by("depth")

    def is_active(self, on: datetime.date | None = None) -> bool:
        day = on or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)

    def is_within(self, other: Unit) -> bool:
        """True when this unit is ``other`` or below it."""
        return self.path.startswith(other.path)

    def is_within_any(self, paths: Iterable[str]) -> bool:
        """True when this unit lies in one of the subtrees at ``paths``."""
        return path_is_within(self.path, paths)

    @property
    def display_kind(self) -> str:
        if self.kind == UnitKind.COMMUNE and self.subtype:
            return str(self.get_subtype_display())
        return str(self.get_kind_display())


class SuccessionKind(models.TextChoices):
    MERGE = "merge", _("Hợp nhất, sáp nhập")
    SPLIT = "split", _("Chia, tách")
    RENAME = "rename", _("Đổi tên")
    TRANSFER = "transfer", _("Điều chuyển")


class UnitSuccession(models.Model):
    """A predecessor → successor link: history follows units through reorganisations."""

    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="succession_links_out")
    successor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="succession_links_in")
    kind = models.CharField(_("hình thức"), max_length=16, choices=SuccessionKind.choices)
    effective_date = models.DateField(_("ngày có hiệu lực"))
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unit_succession_unique_pair"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="unit_succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class Membership(models.Model):
    """A person working in a unit (công tác tại đơn vị)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("đơn vị"))
    position = models.CharField(_("chức vụ"), max_length=200, blank=True)
    is_head = models.BooleanField(_("là người đứng đầu"), default=False)
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("công tác tại đơn vị")
        verbose_name_plural = _("công tác tại đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_unique_user_unit"),
        ]

    def __str__(self) -> str:
        return gettext("%(user)s tại %(unit)s") % {"user": self.user, "unit": self.unit}

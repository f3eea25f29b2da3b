"""Reads for the procedures pages: the dossier list's filters and the catalogue search.

The querysets come in already limited to the reader (``access.get_dossiers_for_user``); these functions only narrow
them.
"""

from __future__ import annotations

import datetime

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from cchc.imports.models import ImportKind, ImportRun, ImportStatus
from cchc.lib.text import fold
from cchc.organisations.models import Unit, subtree_condition

from .models import DataImport, Dossier, DossierAggregate, DossierStatus, Procedure

# A dossier still open in these states is not waiting for the administration (withdrawn, suspended, refused).
_CLOSED = (DossierStatus.WITHDRAWN, DossierStatus.SUSPENDED, DossierStatus.REJECTED, DossierStatus.NEW)


def late_condition(today: datetime.date) -> Q:
    """Finished after its due date, or still open past it on ``today``."""
    finished_late = Q(finished_on__isnull=False, due_on__isnull=False, finished_on__gt=F("due_on"))
    open_late = Q(finished_on__isnull=True, returned_on__isnull=True, due_on__lt=today) & ~Q(status__in=_CLOSED)
    return finished_late | open_late


def filter_aggregates(
    rows: QuerySet[DossierAggregate],
    *,
    unit: Unit | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    source: str = "",
) -> QuerySet[DossierAggregate]:
    """Aggregate figures of a unit's subtree, whose report period lies within [start, end], from one source; the
    latest periods first, then by unit and field."""
    if unit is not None:
        rows = rows.filter(subtree_condition([unit.path], "unit"))
    if start is not None:
        rows = rows.filter(period_start__gte=start)
    if end is not None:
        rows = rows.filter(period_end__lte=end)
    if source:
        rows = rows.filter(source=source)
    return rows.select_related("unit").order_by("-period_end", "-period_start", "unit__path", "field", "source", "pk")


def filter_dossiers(
    dossiers: QuerySet[Dossier],
    *,
    code: str = "",
    unit: Unit | None = None,
    status: str = "",
    channel: str = "",
    procedure: str = "",
    received_from: datetime.date | None = None,
    received_to: datetime.date | None = None,
    late: bool = False,
) -> QuerySet[Dossier]:
    """The dossiers of the list, newest received first."""
    if code:
        dossiers = dossiers.filter(code__icontains=code.strip())
    if unit is not None:
        dossiers = dossiers.filter(subtree_condition([unit.path], "unit"))
    if status:
        dossiers = dossiers.filter(status=status)
    if channel:
        dossiers = dossiers.filter(channel=channel)
    if procedure:
        text = procedure.strip()
        dossiers = dossiers.filter(Q(procedure__code=text) | Q(procedure__name_key__contains=fold(text)))
    if received_from:
        dossiers = dossiers.filter(received_on__gte=received_from)
    if received_to:
        dossiers = dossiers.filter(received_on__lte=received_to)
    if late:
        dossiers = dossiers.filter(late_condition(timezone.localdate()))
    return dossiers.select_related("procedure", "unit").order_by("-received_on", "-pk")


def is_late(dossier: Dossier, today: datetime.date | None = None) -> bool:
    """The list's rule for one dossier (see :func:`late_condition`)."""
    if dossier.due_on is None:
        return False
    if dossier.finished_on is not None:
        return dossier.finished_on > dossier.due_on
    if dossier.returned_on is not None or dossier.status in _CLOSED:
        return False
    return dossier.due_on < (today or timezone.localdate())


def search_procedures(text: str = "", online_level: str = "") -> QuerySet[Procedure]:
    procedures = Procedure.objects.all()
    if text.strip():
        folded = fold(text.strip())
        procedures = procedures.filter(
            Q(code__icontains=text.strip()) | Q(name_key__contains=folded) | Q(field__icontains=text.strip())
        )
    if online_level:
        procedures = procedures.filter(online_level=online_level)
    return procedures.order_by("code")


def import_history(imports: QuerySet[DataImport]) -> QuerySet[DataImport]:
    return imports.select_related("author").order_by("-at", "-pk")


def runs_using_preset(name: str) -> QuerySet[ImportRun]:
    """The dossier imports waiting for a worker or running with the preset ``name`` (oldest first)."""
    return ImportRun.objects.filter(
        kind=ImportKind.DOSSIERS, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING], options__preset=name
    ).order_by("created_at", "pk")


__all__ = [
    "filter_aggregates",
    "filter_dossiers",
    "import_history",
    "is_late",
    "late_condition",
    "runs_using_preset",
    "search_procedures",
]

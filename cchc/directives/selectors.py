"""Reads for the directive pages, the tracker, the API and the statistics."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.ids import parse_id
from cchc.lib.periods import Period
from cchc.lib.text import fold, sort_key
from cchc.organisations.models import Unit
from cchc.organisations.selectors import search

from .models import (
    CORRECTED_FIELDS,
    Assignment,
    AssignmentQuerySet,
    Directive,
    ExtractionReview,
    ReviewedTask,
    ReviewOutcome,
    Status,
    Task,
    status_expression,
)
from .services import on_time_counts

# Not one of the five categories: every assignment not yet done (not started, in progress, overdue).
OPEN = "open"


@dataclass
class TrackerFilters:
    directive: int | None = None
    unit: int | None = None
    status: str = ""
    period: Period | None = None
    waiting: bool = False
    unit_query: str = ""

    @classmethod
    def from_params(cls, params: Any) -> TrackerFilters:
        """Read the query string; unknown or malformed values are ignored, never an error page."""

        def number(name: str) -> int | None:
            return parse_id(params.get(name))

        status = params.get("status", "")
        period: Period | None = None
        if params.get("period"):
            try:
                period = Period.from_key(params["period"])
            except ValueError:
                period = None
        return cls(
            directive=number("directive"),
            unit=number("unit"),
            status=status if status in Status.values or status == OPEN else "",
            period=period,
            waiting=params.get("waiting") == "1",
            unit_query=(params.get("unit_q") or "").strip()[:100],
        )


def tracker(assignments: AssignmentQuerySet, filters: TrackerFilters, *, day: datetime.date | None = None) -> Any:
    """The secretariat's tracker: visible assignments narrowed by the filters, soonest due first.

    Cancelled tasks stay on their directive's page (with the reason) but leave the tracker.
    """
    today = day or timezone.localdate()
    rows = assignments.live()
    if filters.directive:
        rows = rows.filter(directive_id=filters.directive)
    if filters.unit:
        rows = rows.filter(unit_id=filters.unit)
    if filters.unit_query:
        rows = rows.filter(unit__in=search(Unit.objects.all(), filters.unit_query))
    if filters.status == OPEN:
        rows = rows.open()
    elif filters.status:
        rows = rows.in_status(filters.status, today)
    if filters.period:
        rows = rows.due_between(filters.period.start, filters.period.end)
    if filters.waiting:
        rows = rows.filter(review_pending=True)
    return rows.with_status(today).select_related("task", "directive", "unit", "occurrence").in_tracker_order()


DIRECTIVE_CHOICES = 100


def directive_choices(directives: Any, chosen: int | None = None) -> list[tuple[int, str]]:
    """``(id, label)`` of the most recent directives for the tracker's filter, plus the chosen one."""
    rows = list(directives.order_by("-issued_on", "-pk").values_list("pk", "reference", "subject")[:DIRECTIVE_CHOICES])
    if chosen and chosen not in {row[0] for row in rows}:
        rows += list(directives.filter(pk=chosen).values_list("pk", "reference", "subject"))
    return [
        (pk, reference or (subject[:57] + "…" if len(subject) > 60 else subject)) for pk, reference, subject in rows
    ]


def tracker_page(rows: Any, number: Any, *, size: int = 50) -> Page:
    """One page of tracker rows, fetched in two steps so that deep pages stay cheap.

    The page's primary keys come from a narrow query that the indexes on
    ``(due_date, id)`` serve without joins; only those 50 rows are then read
    with their task, directive, unit and occurrence.
    """
    page = Paginator(rows.values_list("pk", flat=True), size).get_page(number)
    ids = list(page.object_list)
    found = {row.pk: row for row in rows.filter(pk__in=ids)}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


@dataclass
class Rollup:
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return self.counts.get(Status.DONE_ON_TIME, 0) + self.counts.get(Status.DONE_LATE, 0)

    def items(self) -> list[tuple[str, str, int]]:
        return [(value, str(label), self.counts.get(value, 0)) for value, label in Status.choices]


def rollups(assignments: AssignmentQuerySet, *, day: datetime.date | None = None) -> dict[int, Rollup]:
    """Counts by status per task, in one query."""
    result: dict[int, Rollup] = defaultdict(Rollup)
    rows = (
        assignments.annotate(status_code=status_expression(day))
        .order_by()
        .values("task_id", "status_code")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        rollup = result[row["task_id"]]
        rollup.counts[row["status_code"]] = row["n"]
        rollup.total += row["n"]
    return result


def total_rollup(assignments: AssignmentQuerySet, *, day: datetime.date | None = None) -> Rollup:
    rollup = Rollup()
    for row in (
        assignments.annotate(status_code=status_expression(day))
        .order_by()
        .values("status_code")
        .annotate(n=Count("pk"))
    ):
        rollup.counts[row["status_code"]] = row["n"]
        rollup.total += row["n"]
    return rollup


def directive_tasks(directive: Directive) -> list[Task]:
    """Tasks in document order, each sub-task right after its parent."""
    tasks = list(directive.tasks.select_related("lead_unit").prefetch_related("supporting_units"))
    children: dict[int | None, list[Task]] = defaultdict(list)
    for task in tasks:
        children[task.parent_id].append(task)

    def walk(parent: int | None, depth: int) -> Iterator[Task]:
        for task in children.get(parent, []):
            task.depth = depth  # type: ignore[attr-defined]
            yield task
            yield from walk(task.pk, depth + 1)

    return list(walk(None, 0))


@dataclass
class MyTasks:
    overdue: list[Assignment]
    due_soon: list[Assignment]
    waiting: list[Assignment]
    later: list[Assignment]
    returned: list[Assignment]


SOON_DAYS = 14


def my_tasks(assignments: AssignmentQuerySet, *, day: datetime.date | None = None) -> MyTasks:
    """A unit's open work: overdue, due within two weeks, waiting for acceptance, the rest."""
    today = day or timezone.localdate()
    rows = list(
        assignments.live()
        .open()
        .with_status(today)
        .select_related("task", "directive", "unit", "occurrence")
        .in_tracker_order()[:500]
    )
    soon = today + datetime.timedelta(days=SOON_DAYS)
    returned_ids = set(
        assignments.open()
        .filter(reports__review_state="returned", review_pending=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    waiting = [row for row in rows if row.review_pending]
    other = [row for row in rows if not row.review_pending]
    return MyTasks(
        overdue=[row for row in other if row.due_date and row.due_date < today],
        due_soon=[row for row in other if row.due_date and today <= row.due_date <= soon],
        waiting=waiting,
        later=[row for row in other if row.due_date is None or row.due_date > soon],
        returned=[row for row in other if row.pk in returned_ids],
    )


@dataclass
class UnitStats:
    unit: Unit
    due: int
    on_time: int
    counts: dict[str, int]

    @property
    def rate(self) -> Decimal | None:
        if not self.due:
            return None
        return (Decimal(self.on_time) * 100 / Decimal(self.due)).quantize(Decimal("0.1"))

    @property
    def late(self) -> int:
        return self.counts.get(Status.DONE_LATE, 0)

    @property
    def overdue(self) -> int:
        return self.counts.get(Status.OVERDUE, 0)

    @property
    def open(self) -> int:
        return self.counts.get(Status.IN_PROGRESS, 0) + self.counts.get(Status.NOT_STARTED, 0)


def unit_stats(assignments: AssignmentQuerySet, period: Period) -> list[UnitStats]:
    """Per unit: the on-time rate of assignments due in ``period`` and counts by status."""
    rows = assignments.live().due_between(period.start, period.end)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        rows.annotate(status_code=status_expression())
        .order_by()
        .values("unit_id", "status_code")
        .annotate(n=Count("pk"))
    ):
        counts[row["unit_id"]][row["status_code"]] = row["n"]
    rates = on_time_counts(period, unit_ids=list(counts))
    units = Unit.objects.in_bulk(list(counts))
    result = [
        UnitStats(
            unit=units[unit_id], due=rates.get(unit_id, (0, 0))[1], on_time=rates.get(unit_id, (0, 0))[0], counts=c
        )
        for unit_id, c in counts.items()
    ]
    return sorted(result, key=lambda stats: (-(stats.rate or Decimal(-1)), sort_key(stats.unit.name)))


def tracker_export_rows(rows: QuerySet[Assignment]) -> Iterable[list[Any]]:
    for assignment in rows.iterator(chunk_size=2000):
        yield [
            assignment.directive.reference,
            assignment.task.section,
            assignment.task.content,
            assignment.unit.name,
            str(assignment.occurrence) if assignment.occurrence_id else "",
            assignment.due_date,
            assignment.percent,
            assignment.completed_on,
            str(assignment.status.label),
            _("Có") if assignment.review_pending else "",
        ]


def tracker_export_header() -> list[str]:
    return [
        _("Số, ký hiệu văn bản"),
        _("Mục"),
        _("Nội dung nhiệm vụ"),
        _("Đơn vị thực hiện"),
        _("Kỳ"),
        _("Hạn hoàn thành"),
        _("Tiến độ (%)"),
        _("Ngày hoàn thành"),
        _("Tình trạng"),
        _("Chờ xác nhận"),
    ]


# ---------------------------------------------------------------------------
# Quality of the extraction, from confirmed reviews of uploaded directives


def _correction_labels() -> dict[str, str]:
    return {
        "lead": _("Đơn vị chủ trì"),
        "supporting": _("Đơn vị phối hợp"),
        "deadline": _("Thời hạn"),
        "recurrence": _("Tính lặp lại"),
        "content": _("Nội dung"),
    }


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1")) if whole else None


@dataclass(frozen=True)
class FieldCorrections:
    field: str
    label: str
    count: int
    rate: Decimal | None  # percent of the kept proposals


@dataclass(frozen=True)
class ReviewedDocument:
    directive_id: int
    reference: str
    subject: str
    issuing_unit: str
    issued_on: datetime.date | None
    confirmed_at: datetime.datetime
    extractor_version: str
    proposed: int
    kept: int
    added: int
    discarded: int
    corrected: int  # kept proposals with at least one field corrected
    corrections: dict[str, int]


@dataclass(frozen=True)
class ExtractionQuality:
    documents: list[ReviewedDocument]
    years: list[int]
    proposed: int = 0
    kept: int = 0
    added: int = 0
    discarded: int = 0
    corrected: int = 0
    fields: list[FieldCorrections] = field(default_factory=list)

    @property
    def precision(self) -> Decimal | None:
        """Share of the proposals that were kept."""
        return _rate(self.kept, self.proposed)

    @property
    def recall(self) -> Decimal | None:
        """Share of the confirmed tasks that the extractor had proposed."""
        return _rate(self.kept, self.kept + self.added)

    @property
    def unchanged(self) -> int:
        return self.kept - self.corrected

    @property
    def untouched(self) -> Decimal | None:
        """Share of the kept proposals confirmed without any correction."""
        return _rate(self.kept - self.corrected, self.kept)


def reviewed_directives(
    directives: QuerySet[Directive],
    *,
    year: int | None = None,
    issuer_kind: str = "",
    since: datetime.date | None = None,
) -> QuerySet[Directive]:
    """``directives`` issued in ``year`` (confirmed that year when the date is unknown) by units of ``issuer_kind``,
    confirmed on or after ``since``."""
    if since is not None:
        directives = directives.filter(extraction_review__confirmed_at__date__gte=since)
    if year is not None:
        directives = directives.filter(
            Q(issued_on__year=year) | Q(issued_on__isnull=True, extraction_review__confirmed_at__year=year)
        )
    if issuer_kind:
        directives = directives.filter(issuing_unit__kind=issuer_kind)
    return directives


def extraction_quality(
    directives: QuerySet[Directive],
    *,
    year: int | None = None,
    issuer_kind: str = "",
    since: datetime.date | None = None,
) -> ExtractionQuality:
    """How often the user corrected each field of the proposals, over the confirmed reviews of ``directives``.

    ``year``, ``issuer_kind`` and ``since`` narrow the directives as :func:`reviewed_directives` does. Two queries:
    the years on offer, and one row per review with its counts.
    """
    reviews = ExtractionReview.objects.filter(directive__in=directives.values("pk"))
    years = sorted(
        {
            (issued.year if issued else confirmed.year)
            for issued, confirmed in reviews.values_list("directive__issued_on", "confirmed_at")
        },
        reverse=True,
    )
    if year is not None or issuer_kind or since is not None:
        chosen = reviewed_directives(directives, year=year, issuer_kind=issuer_kind, since=since)
        reviews = reviews.filter(directive__in=chosen.values("pk"))
    kept = Q(rows__outcome=ReviewOutcome.KEPT)
    counts = {
        "proposed": Count("rows", filter=~Q(rows__outcome=ReviewOutcome.ADDED)),
        "kept": Count("rows", filter=kept),
        "added": Count("rows", filter=Q(rows__outcome=ReviewOutcome.ADDED)),
        "discarded": Count("rows", filter=Q(rows__outcome=ReviewOutcome.DISCARDED)),
        "corrected": Count(
            "rows",
            filter=kept
            & (
                Q(rows__lead_corrected=True)
                | Q(rows__supporting_corrected=True)
                | Q(rows__deadline_corrected=True)
                | Q(rows__recurrence_corrected=True)
                | Q(rows__content_corrected=True)
            ),
        ),
        **{
            f"fix_{name}": Count("rows", filter=kept & Q(**{f"rows__{name}_corrected": True}))
            for name in CORRECTED_FIELDS
        },
    }
    rows = (
        reviews.values(
            "pk",
            "directive_id",
            "directive__reference",
            "directive__subject",
            "directive__issuing_unit__name",
            "directive__issued_on",
            "confirmed_at",
            "extractor_version",
        )
        .annotate(**counts)
        .order_by("-confirmed_at", "-pk")
    )
    documents = [
        ReviewedDocument(
            directive_id=row["directive_id"],
            reference=row["directive__reference"],
            subject=row["directive__subject"],
            issuing_unit=row["directive__issuing_unit__name"],
            issued_on=row["directive__issued_on"],
            confirmed_at=row["confirmed_at"],
            extractor_version=row["extractor_version"],
            proposed=row["proposed"],
            kept=row["kept"],
            added=row["added"],
            discarded=row["discarded"],
            corrected=row["corrected"],
            corrections={name: row[f"fix_{name}"] for name in CORRECTED_FIELDS},
        )
        for row in rows
    ]
    kept_total = sum(document.kept for document in documents)
    labels = _correction_labels()
    fields = []
    for name in CORRECTED_FIELDS:
        count = sum(document.corrections[name] for document in documents)
        fields.append(FieldCorrections(field=name, label=labels[name], count=count, rate=_rate(count, kept_total)))
    return ExtractionQuality(
        documents=documents,
        years=years,
        proposed=sum(document.proposed for document in documents),
        kept=kept_total,
        added=sum(document.added for document in documents),
        discarded=sum(document.discarded for document in documents),
        corrected=sum(document.corrected for document in documents),
        fields=fields,
    )


@dataclass(frozen=True)
class LabelledDocument:
    """A confirmed directive as labelled data: its text and its expected extraction (``*.expected.json``)."""

    slug: str
    text: str
    expected: dict[str, Any]
    issuing_unit: str
    source: str


def _slug(review: ExtractionReview) -> str:
    directive = review.directive
    year = directive.issued_on.year if directive.issued_on else review.confirmed_at.year
    words = f"{directive.issuing_unit.code} {year} {directive.kind} {directive.reference or ''} {directive.pk}"
    return re.sub(r"[^a-z0-9]+", "-", fold(words)).strip("-")[:120]


def labelled_documents(
    directives: QuerySet[Directive], *, since: datetime.date | None = None
) -> list[LabelledDocument]:
    """The confirmed reviews of ``directives`` in the format of the extraction tests' labelled set.

    The tasks are those confirmed on the review page (kept and added, in order), as confirmed then, whatever was
    edited since. Three queries whatever the number of documents.
    """
    reviews = (
        ExtractionReview.objects.filter(directive__in=directives.values("pk"))
        .select_related("directive__issuing_unit")
        .prefetch_related(
            Prefetch(
                "rows",
                queryset=ReviewedTask.objects.exclude(outcome=ReviewOutcome.DISCARDED).order_by("position", "pk"),
                to_attr="confirmed_rows",
            )
        )
        .order_by("confirmed_at", "pk")
    )
    if since is not None:
        reviews = reviews.filter(confirmed_at__date__gte=since)
    result = []
    for review in reviews:
        directive = review.directive
        addressees = [line.strip(" -;.") for line in directive.addressees.splitlines() if line.strip(" -;.")]
        expected = {
            "reference": directive.reference,
            "date": directive.issued_on.isoformat() if directive.issued_on else None,
            "issuer": directive.issuing_unit.name,
            "signer": directive.signer,
            "subject": directive.subject,
            "addressees": addressees,
            "kind": directive.kind,
            "tasks": [row.confirmed for row in review.confirmed_rows],  # type: ignore[attr-defined]
        }
        confirmed = timezone.localtime(review.confirmed_at).date().isoformat()
        result.append(
            LabelledDocument(
                slug=_slug(review),
                text=directive.text,
                expected=expected,
                issuing_unit=directive.issuing_unit.code,
                source=f"Confirmed on the review page on {confirmed}; proposed by extractor "
                f"{review.extractor_version or '?'}; directive {directive.pk}.",
            )
        )
    return result


def directives_issued(directives: QuerySet[Directive], period: Period) -> dict[str, int]:
    """How many of ``directives`` were issued in ``period``, by kind (the periodic report's count of documents)."""
    rows = (
        directives.filter(issued_on__gte=period.start, issued_on__lte=period.end)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
    )
    return {row["kind"]: row["n"] for row in rows}


def assignment_for_period(assignments: AssignmentQuerySet, unit: Unit, period: Period) -> Assignment | None:
    """The unit's assignment of a recurring task for the occurrence of ``period`` (the report's deadline)."""
    return (
        assignments.filter(unit=unit, occurrence__period_key=period.key)
        .select_related("task", "occurrence")
        .order_by("pk")
        .first()
    )


@dataclass(frozen=True)
class UnitWork:
    """One unit's assignments that need attention: overdue and not done, and reports waiting for acceptance."""

    unit: Unit
    overdue: int
    waiting: int


@dataclass(frozen=True)
class Attention:
    """:class:`UnitWork` of the units that need most attention, and the totals over every unit."""

    rows: list[UnitWork]
    overdue: int
    waiting: int


def attention(
    assignments: AssignmentQuerySet, *, day: datetime.date | None = None, top: int | None = None
) -> Attention:
    """Per unit among ``assignments`` (the reader's): how many live assignments are overdue (the tracker's status
    "quá hạn chưa hoàn thành") and how many wait for the secretariat to accept a report (the tracker's "chờ xác
    nhận" filter). Units with neither are left out; most overdue first, then most waiting, then by name; ``top``
    keeps the first rows (the totals count every unit). Three queries whatever the number of units: the counts, the
    names of the units that may reach the first ``top`` rows, those units."""
    rows = (
        assignments.live()
        .annotate(status_code=status_expression(day))
        .filter(Q(status_code=Status.OVERDUE) | Q(review_pending=True))
        .order_by()
        .values("unit_id")
        .annotate(
            overdue=Count("pk", filter=Q(status_code=Status.OVERDUE)),
            waiting=Count("pk", filter=Q(review_pending=True)),
        )
    )
    counts = {row["unit_id"]: (row["overdue"], row["waiting"]) for row in rows}
    by_count = sorted(counts, key=lambda pk: (-counts[pk][0], -counts[pk][1]))
    if top is not None and len(by_count) > top:
        # Names decide only among units tied with the last row kept.
        last = counts[by_count[top - 1]]
        by_count = [pk for pk in by_count if counts[pk] >= last]
    names = dict(Unit.objects.filter(pk__in=by_count).values_list("pk", "name")) if by_count else {}
    ordered = sorted(names, key=lambda pk: (-counts[pk][0], -counts[pk][1], sort_key(names[pk])))[:top]
    units = Unit.objects.in_bulk(ordered) if ordered else {}
    return Attention(
        rows=[UnitWork(unit=units[pk], overdue=counts[pk][0], waiting=counts[pk][1]) for pk in ordered if pk in units],
        overdue=sum(overdue for overdue, _waiting in counts.values()),
        waiting=sum(waiting for _overdue, waiting in counts.values()),
    )


def attention_by_unit(assignments: AssignmentQuerySet, *, day: datetime.date | None = None) -> list[UnitWork]:
    """:func:`attention` for every unit."""
    return attention(assignments, day=day).rows

"""PAR INDEX demonstration data: the published rounds of the demo calendar and a round in self-assessment.

The years and deadlines follow the day the demo is loaded (:func:`cchc.demo.data.calendar`): the round in progress
has its self-assessment deadline a few weeks ahead, last year's round is published, and so are the round of the
year before the 1 July 2025 merger (on the former district's communes) and that of the merger year, so that the
results of today's communes compare with those of the communes they continue.

Everything goes through the workflow's services, so the demo has the same audit trail (and per-leaf
history) a real round would have. Scores come from a seeded random generator: running the loader again
on the same data gives the same numbers, and a round that already exists is left untouched.

The frameworks come from the frameworks demo (a framework per year and unit kind); when last year's is
missing, this year's is cloned for it. Without any framework the loader says so and does nothing.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.models import Role, User
from cchc.demo.data import DemoCalendar, calendar
from cchc.frameworks.models import Criterion, CriterionCategory, Framework
from cchc.frameworks.services import framework_clone
from cchc.indicators.models import IndicatorValue
from cchc.indicators.services import indicator_ensure, value_publish
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit, UnitKind

from . import services
from .models import Assessment, Round, RuleChoice, Score, Stage

PROVINCE_CODE = "PT"
SEED = 20250701
REASON = "Dữ liệu minh họa"
# Units whose demo focal points should find their sheet still open, half done.
LEFT_OPEN = ("PT-STP", "PT-X-DOANHUNG")

APPRAISAL_REASONS = (
    "Tài liệu kiểm chứng chưa thể hiện đầy đủ kết quả thực hiện.",
    "Văn bản ban hành sau thời hạn quy định.",
    "Báo cáo gửi chậm so với thời hạn.",
    "Tỷ lệ thực hiện thực tế thấp hơn số liệu đơn vị tự chấm.",
    "Chưa có văn bản chứng minh đã triển khai.",
)
EXPLANATIONS = (
    "Đơn vị đã ban hành văn bản đúng hạn; bổ sung bản chụp sổ văn bản đi.",
    "Số liệu tự chấm lấy theo hệ thống quản lý văn bản đến ngày 15/12; đề nghị xem xét lại.",
    "Báo cáo gửi qua hệ thống đúng hạn nhưng đính kèm nhầm tệp; đã gửi lại ngay trong ngày.",
)


def _stage_dates(year: int) -> dict[str, Any]:
    """The usual calendar of a published round: self-assessment until mid-January of the next year."""
    return {
        "self_assessment_deadline": datetime.date(year + 1, 1, 15),
        "appraisal_deadline": datetime.date(year + 1, 2, 10),
        "explanation_deadline": datetime.date(year + 1, 2, 25),
        "council_deadline": datetime.date(year + 1, 3, 10),
        "publication_date": datetime.date(year + 1, 3, 20),
    }


def _running_dates(demo: DemoCalendar) -> dict[str, Any]:
    """The calendar of the round in progress: its self-assessment deadline a few weeks after the day of loading."""
    deadline = demo.self_assessment_deadline
    return {
        "self_assessment_deadline": deadline,
        "appraisal_deadline": deadline + datetime.timedelta(days=26),
        "explanation_deadline": deadline + datetime.timedelta(days=41),
        "council_deadline": deadline + datetime.timedelta(days=54),
        "publication_date": deadline + datetime.timedelta(days=64),
    }


def _round_name(year: int) -> str:
    return f"Chỉ số cải cách hành chính năm {year} của các sở, ban, ngành và UBND các xã, phường"


def _frameworks(year: int, stdout: Any) -> list[Framework]:
    """One framework per participating unit kind for ``year`` (last year's cloned from this year's if missing)."""
    chosen = []
    for kind in (UnitKind.DEPARTMENT, UnitKind.COMMUNE):
        framework = Framework.objects.filter(year=year, unit_kind=kind).order_by("is_sample", "-pk").first()
        if framework is None:
            source = Framework.objects.filter(unit_kind=kind).order_by("-year", "is_sample", "-pk").first()
            if source is None:
                continue
            name = source.name.replace(str(source.year), str(year))
            if name == source.name:
                name = f"{source.name} ({year})"
            framework = framework_clone(actor=None, framework=source, year=year, name=name, reason=REASON)
        chosen.append(framework)
    return chosen


def _participants(province: Unit, year: int) -> list[Unit]:
    day = datetime.date(year, 12, 31)
    units = Unit.objects.subtree_of(province).active(day).filter(kind__in=(UnitKind.DEPARTMENT, UnitKind.COMMUNE))
    return list(units.order_by("kind", "code"))


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _focal_points() -> dict[int, User]:
    """The demo focal point of each unit that has one."""
    result: dict[int, User] = {}
    for user in User.objects.filter(role_assignments__role=Role.FOCAL_POINT).prefetch_related("role_assignments"):
        for assignment in user.role_assignments.all():
            if assignment.role == Role.FOCAL_POINT and assignment.scope_id:
                result[assignment.scope_id] = user
    return result


def _on_step(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding="ROUND_FLOOR") * step


def _self_points(rng: random.Random, criterion: Criterion) -> Decimal:
    maximum = criterion.max_points
    if criterion.category == CriterionCategory.PENALTY:
        return maximum if rng.random() < 0.1 else Decimal(0)
    share = Decimal(str(rng.choice((1, 1, 1, 1, 0.75, 0.75, 0.5, 0.25, 0))))
    return _on_step(maximum * share, services.step_of(criterion))


RATES = (100, 100, 100, 95, 90, 85, 80, 70, 55, 40)
TIMELINESS = (
    RuleChoice.ON_TIME,
    RuleChoice.ON_TIME,
    RuleChoice.ON_TIME,
    RuleChoice.ON_TIME,
    RuleChoice.LATE,
    RuleChoice.MISSING,
)


def _self_entry(rng: random.Random, criterion: Criterion) -> dict[str, Any]:
    """What a unit enters for a leaf, as its rule asks: the points, a choice or a rate in percent (never points
    for a leaf whose rule computes them, so the sheet shows the choice ticked or the rate filled)."""
    kind = services.input_kind(criterion)
    if kind == services.InputKind.YES_NO:
        chance = 0.1 if criterion.category == CriterionCategory.PENALTY else 0.85
        return {"choice": RuleChoice.YES.value if rng.random() < chance else RuleChoice.NO.value}
    if kind == services.InputKind.TIMELINESS:
        return {"choice": rng.choice(TIMELINESS).value}
    if kind == services.InputKind.RATE:
        return {"value": Decimal(rng.choice(RATES))}
    return {"points": _self_points(rng, criterion)}


def _publish_indicator_values(criteria: list[Criterion], units: list[Unit], year: int, rng: random.Random) -> None:
    """Values for the leaves scored from indicators, where the store has none for the year (demo only)."""
    period = Period(year, PeriodKind.YEAR)
    codes = sorted({str(c.rule_params.get("indicator")) for c in criteria if (c.rule_params or {}).get("indicator")})
    for code in codes:
        title = next(c.title for c in criteria if (c.rule_params or {}).get("indicator") == code)
        indicator = indicator_ensure(code=code, name=title[:300])
        present = set(
            IndicatorValue.objects.filter(indicator=indicator, period_key=period.key).values_list("unit_id", flat=True)
        )
        for unit in units:
            if unit.pk in present:
                continue
            value = Decimal(rng.randint(600, 1000)) / 10
            value_publish(actor=None, indicator=indicator, unit=unit, period=period, value=value, note=REASON)


def _self_assess(
    rng: random.Random, assessment: Assessment, actor: ActorOrSystem, year: int, *, share: float = 1.0
) -> list[Score]:
    """Self-score ``share`` of the manual leaves, all supported by one reference to the unit's annual report."""
    scored = []
    scores = list(assessment.scores.select_related("criterion", "assessment__round", "assessment__unit"))
    for score in scores:
        if services.is_auto(score.criterion) or rng.random() > share:
            continue
        services.score_self_set(actor=actor, score=score, **_self_entry(rng, score.criterion))
        scored.append(score)
    if scored:
        unit = assessment.unit
        services.evidence_add_reference(
            actor=actor,
            assessment=assessment,
            title=f"Báo cáo kết quả thực hiện công tác cải cách hành chính năm {year}",
            scores=scored,
            document_number=f"{rng.randint(100, 450)}/BC-{unit.short_name or unit.code}".replace(" ", ""),
            document_date=datetime.date(year, 12, rng.randint(5, 20)),
            issuer=unit.name,
        )
    return scored


def _submit_at(deadline: datetime.date, days: int) -> datetime.datetime:
    day = deadline + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(16, 30)))


def _fresh(score: Score) -> Score:
    return Score.objects.select_related("criterion", "assessment__round", "assessment__unit").get(pk=score.pk)


def _appraise(rng: random.Random, scores: list[Score], appraiser: Any) -> list[Score]:
    """Lower about one leaf in eight by one or two steps, with a reason; the rest keep the self-score."""
    adjusted = []
    for score in scores:
        score = _fresh(score)
        if score.self_score is None or score.self_score == 0 or rng.random() > 0.125:
            continue
        entry = _lowered_entry(rng, score)
        if entry is None:
            continue
        score = services.score_appraise(
            actor=appraiser, score=score, version=score.version, **entry, reason=rng.choice(APPRAISAL_REASONS)
        )
        if score.appraised_score != score.self_score:  # a lower rate may still fall in the same band
            adjusted.append(score)
    return adjusted


LOWER_CHOICE = {RuleChoice.YES: RuleChoice.NO, RuleChoice.ON_TIME: RuleChoice.LATE, RuleChoice.LATE: RuleChoice.MISSING}


def _lowered_entry(rng: random.Random, score: Score) -> dict[str, Any] | None:
    """An appraiser's adjustment, entered as the leaf's rule asks: a lower choice, a lower rate or fewer points
    (``None`` for a choice that has nothing lower)."""
    if score.self_choice:
        lower = LOWER_CHOICE.get(RuleChoice(score.self_choice))
        return None if lower is None else {"choice": lower.value}
    if score.self_value is not None:
        return {"value": max(Decimal(0), score.self_value - rng.choice((10, 20)))}
    assert score.self_score is not None
    step = services.step_of(score.criterion)
    return {"points": max(Decimal(0), score.self_score - step * rng.choice((1, 2)))}


def _settled_entry(score: Score) -> dict[str, Any]:
    """After an explanation: one step back up for points typed directly, the unit's own choice or rate otherwise."""
    if score.self_choice:
        return {"choice": score.self_choice}
    if score.self_value is not None:
        return {"value": score.self_value}
    raised = (score.appraised_score or Decimal(0)) + services.step_of(score.criterion)
    return {"points": min(score.self_score or raised, raised)}


def _accept_the_rest(round_: Round, appraiser: Any) -> None:
    """Accept every leaf not adjusted, so each sheet is fully appraised before the council (a leaf the unit left
    unscored is appraised at 0, with a reason)."""
    pending = Score.objects.filter(assessment__round=round_, appraised_score__isnull=True)
    for score in pending.select_related("criterion", "assessment__round", "assessment__unit").order_by("pk"):
        if score.self_score is None:
            services.score_appraise(
                actor=appraiser, score=score, version=score.version, points=Decimal(0), reason="Không có số liệu."
            )
        else:
            services.score_appraise(actor=appraiser, score=score, version=score.version, accept=True)


def _build_published(
    province: Unit, year: int, frameworks: list[Framework], previous: Round | None, stdout: Any
) -> Round:
    """The round of ``year`` run through every stage to publication, on the units active at the end of ``year``."""
    rng = random.Random(SEED + year)
    secretariat, appraiser, council = _user("thuongtruc"), _user("thamdinh"), _user("hoidong")
    units = [unit for unit in _participants(province, year) if any(f.unit_kind == unit.kind for f in frameworks)]
    dates = _stage_dates(year)
    round_ = services.round_create(
        actor=secretariat,
        data=services.RoundData(name=_round_name(year), year=year, is_public=True, **dates),
        organiser=province,
        frameworks=frameworks,
        units=units,
        previous_round=previous,
        reason=REASON,
    )
    leaves = list(Criterion.objects.filter(framework__in=frameworks, children__isnull=True))
    _publish_indicator_values(leaves, units, year, rng)
    services.round_advance(actor=secretariat, round_=round_, to_stage=Stage.SELF_ASSESSMENT, reason=REASON)
    focal_points = _focal_points()
    scored: dict[int, list[Score]] = {}
    for assessment in round_.assessments.select_related("unit", "round").order_by("unit__code"):
        actor = focal_points.get(assessment.unit_id)
        scored[assessment.pk] = _self_assess(rng, assessment, actor, year)
        late = rng.random() < 0.15
        at = _submit_at(dates["self_assessment_deadline"], rng.randint(1, 4) if late else -rng.randint(0, 6))
        services.assessment_submit(actor=actor, assessment=assessment, at=at)
    services.round_advance(actor=secretariat, round_=round_, to_stage=Stage.APPRAISAL, reason=REASON)
    adjusted = {pk: _appraise(rng, scores, appraiser) for pk, scores in scored.items()}
    _accept_the_rest(round_, appraiser)
    services.round_advance(actor=secretariat, round_=round_, to_stage=Stage.EXPLANATION, reason=REASON)
    for assessment in round_.assessments.select_related("unit").order_by("unit__code"):
        actor = focal_points.get(assessment.unit_id)
        for score in adjusted.get(assessment.pk, []):
            if rng.random() > 0.4:
                continue
            score = _fresh(score)
            assert score.self_score is not None
            services.explanation_add(
                actor=actor,
                score=score,
                text=rng.choice(EXPLANATIONS),
                # Points are proposed for a leaf scored by points; a choice or a rate is explained in words.
                proposed_score=score.self_score if not (score.self_choice or score.self_value is not None) else None,
                at=dates["explanation_deadline"] - datetime.timedelta(days=rng.randint(1, 8)),
            )
            if rng.random() < 0.5:
                score = _fresh(score)
                services.score_appraise(
                    actor=appraiser,
                    score=score,
                    version=score.version,
                    **_settled_entry(score),
                    reason="Chấp nhận một phần nội dung giải trình của đơn vị.",
                )
    services.round_advance(actor=secretariat, round_=round_, to_stage=Stage.COUNCIL, reason=REASON)
    minutes = dates["council_deadline"].strftime("%d/%m/%Y")
    services.round_approve(actor=council, round_=round_, reason=f"Biên bản họp Hội đồng thẩm định ngày {minutes}")
    services.round_advance(actor=secretariat, round_=round_, to_stage=Stage.PUBLISHED, reason=REASON)
    # A demo round stands for one published in its own year: its publication day is its calendar's, not the day the
    # demo was loaded (never later than that day).
    published_on = min(dates["publication_date"], timezone.localdate())
    published_at = timezone.make_aware(datetime.datetime.combine(published_on, datetime.time(9)))
    Round.objects.filter(pk=round_.pk).update(published_at=published_at)
    stdout.write(_("Chỉ số CCHC năm %(year)s: %(units)s đơn vị, đã công bố.") % {"year": year, "units": len(units)})
    return round_


def _build_in_progress(
    province: Unit, frameworks: list[Framework], previous: Round | None, demo: DemoCalendar, stdout: Any
) -> None:
    """The round of the demo calendar's year in self-assessment, its deadline ahead: about half the units have
    submitted (on the days before loading), a few have not started, the others are part way through."""
    year = demo.round_year
    rng = random.Random(SEED + year)
    secretariat = _user("thuongtruc")
    units = [unit for unit in _participants(province, year) if any(f.unit_kind == unit.kind for f in frameworks)]
    dates = _running_dates(demo)
    round_ = services.round_create(
        actor=secretariat,
        data=services.RoundData(name=_round_name(year), year=year, is_public=True, **dates),
        organiser=province,
        frameworks=frameworks,
        units=units,
        previous_round=previous,
        reason=REASON,
    )
    leaves = list(Criterion.objects.filter(framework__in=frameworks, children__isnull=True))
    _publish_indicator_values(leaves, units, year, rng)
    services.round_advance(actor=secretariat, round_=round_, to_stage=Stage.SELF_ASSESSMENT, reason=REASON)
    focal_points = _focal_points()
    submitted = not_started = 0
    now = timezone.now()
    for assessment in round_.assessments.select_related("unit", "round").order_by("unit__code"):
        actor = focal_points.get(assessment.unit_id)
        if assessment.unit.code in LEFT_OPEN:
            _self_assess(rng, assessment, actor, year, share=0.4)
            continue
        draw = rng.random()
        if draw < 0.5:
            _self_assess(rng, assessment, actor, year)
            at = min(now, _submit_at(demo.today, -rng.randint(1, 12)))
            services.assessment_submit(actor=actor, assessment=assessment, at=at)
            submitted += 1
        elif draw < 0.62:
            not_started += 1  # nothing entered yet
        else:
            _self_assess(rng, assessment, actor, year, share=rng.choice((0.3, 0.6, 0.9)))
    stdout.write(
        _(
            "Chỉ số CCHC năm %(year)s: %(units)s đơn vị, đang tự đánh giá đến ngày %(deadline)s (%(submitted)s đã "
            "nộp, %(not_started)s chưa bắt đầu)."
        )
        % {
            "year": year,
            "units": len(units),
            "deadline": dates["self_assessment_deadline"].strftime("%d/%m/%Y"),
            "submitted": submitted,
            "not_started": not_started,
        }
    )


def _existing(province: Unit, year: int) -> Round | None:
    return Round.objects.filter(organiser=province, year=year, name=_round_name(year)).first()


def load_demo(*, stdout: Any, password: str | None = None, today: datetime.date | None = None) -> None:
    """The published rounds and the round in progress of the demo calendar of ``today``, for the province demo.

    Each round compares with the round of the year before it when the demo has one, so the round after the merger
    follows today's communes back to the former communes they continue."""
    province = Unit.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        stdout.write(_("Chỉ số CCHC: chưa có dữ liệu tỉnh minh họa; bỏ qua."))
        return
    demo = calendar(today)
    with transaction.atomic():
        if not Framework.objects.filter(year=demo.round_year).exists():
            stdout.write(
                _("Chỉ số CCHC: chưa có bộ tiêu chí năm %(year)s; bỏ qua kỳ đánh giá minh họa.")
                % {"year": demo.round_year}
            )
            return
        for year in demo.published_years:
            if _existing(province, year) is not None:
                continue
            frameworks = _frameworks(year, stdout)
            if frameworks:
                _build_published(province, year, frameworks, _existing(province, year - 1), stdout)
        if _existing(province, demo.round_year) is None:
            frameworks = _frameworks(demo.round_year, stdout)
            if frameworks:
                _build_in_progress(province, frameworks, _existing(province, demo.round_year - 1), demo, stdout)

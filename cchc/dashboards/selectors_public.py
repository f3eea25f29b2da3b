"""Reads of the public page (no login): what each owning app has published, and the version of that data.

Every figure comes from the selector of the app that owns it (``assessments`` for the rankings, ``surveys`` for the
satisfaction results and the open survey links, ``indicators`` for the service figures the province chose to show);
nothing here counts or computes a number. Everything is limited to the province the site serves
(``organisations.province.home_province``): another province in the tree (one ranked nationally, a former one, a
second one sharing the server) never shows; with no province decided the page shows nothing published.
``data_version`` changes whenever anything shown may have changed, so the
page cached under it is never stale: a new publication shows at the next request.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.utils import timezone

from cchc.assessments import analysis
from cchc.assessments import selectors as assessments_selectors
from cchc.assessments.access import can_view_public_round_results
from cchc.assessments.models import Round
from cchc.audit.models import AuditEntry
from cchc.indicators import selectors as indicators_selectors
from cchc.indicators.selectors import PublishedIndicator
from cchc.lib import page_cache
from cchc.organisations.models import Unit
from cchc.organisations.province import home_province
from cchc.surveys import selectors as surveys_selectors
from cchc.surveys.selectors import ADHOC_CODE, REGULAR_CODE, OpenSurvey

SATISFACTION_CODES = (REGULAR_CODE, ADHOC_CODE)
# The apps whose tables the public page reads (``cchc.lib.page_cache``).
PUBLIC_READS = ("assessments", "frameworks", "indicators", "organisations", "surveys")


@dataclass(frozen=True)
class PublicPage:
    province: Unit | None
    rounds: list[Round]
    latest_round: Round | None
    ranking: list[analysis.RankingGroup]
    satisfaction: list[PublishedIndicator]
    indicators: list[PublishedIndicator]
    surveys: list[OpenSurvey]


def public_page(today: datetime.date | None = None) -> PublicPage:
    """Everything the public page shows of the home province, published data only."""
    province = home_province(today)
    if province is None:
        return PublicPage(
            province=None, rounds=[], latest_round=None, ranking=[], satisfaction=[], indicators=[], surveys=[]
        )
    rounds = [
        round_
        for round_ in assessments_selectors.public_rounds(within=province)
        if can_view_public_round_results(round_)
    ]
    latest = rounds[0] if rounds else None
    shown = [
        indicators_selectors.published_values(indicator, within=province)
        for indicator in indicators_selectors.public_indicators(exclude_codes=SATISFACTION_CODES)
    ]
    return PublicPage(
        province=province,
        rounds=rounds,
        latest_round=latest,
        ranking=analysis.ranking(latest) if latest is not None else [],
        satisfaction=surveys_selectors.published_satisfaction(within=province),
        indicators=[item for item in shown if item.rows],
        surveys=surveys_selectors.open_public_surveys(today, within=province),
    )


def data_version(today: datetime.date | None = None) -> str:
    """A short fingerprint of everything the public page reads; it changes with any publication or audited change."""
    today = today or timezone.localdate()
    latest_audit = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    province = home_province(today)
    parts = (
        province.pk if province is not None else None,
        assessments_selectors.public_results_version(),
        indicators_selectors.published_values_version(SATISFACTION_CODES),
        surveys_selectors.open_public_surveys_version(today),
        latest_audit,
        # Writes that go round the fingerprints above (a queryset's ``update()``, an import) move these.
        page_cache.versions(PUBLIC_READS),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

"""The API keeps its own OpenAPI contract whatever a client sends: Schemathesis against the WSGI application.

The schema served at ``/api/openapi.json`` is loaded through the WSGI application itself, and every operation in
it is tried with requests generated from the schema — valid ones and deliberately invalid ones (wrong types,
missing fields, out-of-range numbers, odd text) — by two people with real API tokens: the reform secretariat
and the focal point of unit A. The database holds a round in self-assessment (with leaves scored by rule), last
year's round published with its results, a directive with tasks, a progress report waiting for acceptance and an
indicator with a value; ids, codes and a few meaningful values generated for the path, the query and the body are
often swapped for real ones, so the requests reach the services and not only the "not found" answer.

Every answer must:

- not be a server error (``not_a_server_error``);
- have a status code the operation declares (``status_code_conformance``);
- have the content type the operation declares for it (``content_type_conformance``);
- match the declared schema of its body (``response_schema_conformance``).

The run is bounded and repeatable: a fixed number of examples per operation, a fixed seed and Hypothesis
derandomised, no shrinking and no example database, so CI sees the same requests every time. To dig deeper by hand,
``CCHC_API_FUZZ_EXAMPLES=100`` raises the number of examples and ``CCHC_API_FUZZ_COVERAGE=1`` adds Schemathesis'
coverage phase (every boundary value of every parameter, and unexpected methods); see ``docs/api.md``.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.db.models import Model
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cchc.accounts.models import ApiToken, User
from cchc.accounts.services import api_token_create
from cchc.assessments.models import Assessment, Round, Score
from cchc.assessments.results import compute_round
from cchc.assessments.tests.conftest import build_workflow
from cchc.assessments.tests.factories import build_assessment, build_framework, build_round
from cchc.assessments.tests.test_api_rules import LEAVES as RULE_LEAVES
from cchc.directives import services as directive_services
from cchc.directives.models import Assignment, DeadlineKind, Directive, ProgressReport, Task
from cchc.directives.tests.conftest import make_directive, make_task
from cchc.frameworks.models import Criterion, Framework
from cchc.indicators import services as indicator_services
from cchc.indicators.models import EntryMode, Indicator
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit, UnitKind
from cchc.testing.personas import build_personas

EXAMPLES_PER_OPERATION = int(os.environ.get("CCHC_API_FUZZ_EXAMPLES", "15"))
SEED = 14_2025
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PEOPLE = ("secretariat", "focal_a")
KNOWN_IDS = 50
SPARE_TOKEN = "Mã dự phòng"

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": EXAMPLES_PER_OPERATION,
            "no-shrink": True,
            "deterministic": True,
            "with-security-parameters": False,
        },
        "phases": {
            "stateful": {"enabled": False},
            "coverage": {"enabled": os.environ.get("CCHC_API_FUZZ_COVERAGE", "") == "1"},
        },
    }
)

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application(), config=CONFIG)


@dataclass
class FuzzData:
    """The raw tokens of the people who call the API, and the real values a request may name, by kind and type."""

    tokens: dict[str, str] = field(default_factory=dict)
    known: dict[str, dict[type, list[Any]]] = field(default_factory=dict)


_data = FuzzData()

# Path, query and body fields that name a record or take one of a few meaningful values, and the kind of value.
# A generated value is often swapped for a real one of the same JSON type (an id for an integer, a code for a
# text), so that requests reach the services and not only the "not found" answer.
_KNOWN_FIELDS = {
    "unit_id": "unit",
    "user_id": "user",
    "token_id": "token",
    "framework_id": "framework",
    "round_id": "round",
    "assessment_id": "assessment",
    "score_id": "score",
    "assignment_id": "assignment",
    "report_id": "report",
    "task_id": "task",
    "directive_id": "directive",
    "province_code": "province",
    "root": "unit",
    "unit": "unit",
    "unit_ids": "unit",
    "supporting_unit_ids": "unit",
    "directive": "directive",
    "province": "province",
    "indicator": "indicator",
    "indicator_ids": "indicator",
    "criterion_ids": "criterion",
    "version": "version",
    "period": "period",
    "deadline_kind": "deadline_kind",
    "choice": "choice",
}
_MODELS: dict[str, type[Model]] = {
    "unit": Unit,
    "user": User,
    "framework": Framework,
    "criterion": Criterion,
    "round": Round,
    "assessment": Assessment,
    "score": Score,
    "assignment": Assignment,
    "report": ProgressReport,
    "task": Task,
    "directive": Directive,
    "indicator": Indicator,
}


def _load() -> None:
    personas = build_personas()
    workflow = build_workflow(personas)
    # Leaves scored by rule (yes/no, bands, proportion, timeliness) in unit A's sheet, beside the direct ones.
    area = Criterion.objects.get(framework=workflow.a.framework, code="1")
    for position, (code, rule) in enumerate(RULE_LEAVES.items(), start=60):
        leaf = Criterion.objects.create(
            framework=workflow.a.framework,
            parent=area,
            code=code,
            position=position,
            depth=1,
            title=f"Tiêu chí theo quy tắc {code}",
            lead_unit=personas.home_affairs,
            **rule,
        )
        Score.objects.create(assessment=workflow.a, criterion=leaf)
    # Last year's round, published, for the results endpoints.
    departments = build_framework(year=2024)
    communes = build_framework(year=2024, unit_kind=UnitKind.COMMUNE)
    published = build_round(organiser=personas.province, year=2024, frameworks=[departments, communes])
    build_assessment(published, personas.unit_a, departments, {"1.1.2": 7.5, "2.1": 20})
    build_assessment(published, personas.home_affairs, departments, {"1.2": 15})
    build_assessment(published, personas.unit_b, communes, {"2.2": 10})
    compute_round(published)

    directive = make_directive(personas)
    make_task(personas, directive, personas.unit_a, personas.unit_b)
    task = make_task(personas, directive, personas.unit_b, content="Báo cáo kết quả thực hiện hằng quý")
    assignment = Assignment.objects.get(task=task)
    directive_services.report_submit(actor=personas.focal_b, assignment=assignment, percent=100, text="Đã xong")
    indicator = indicator_services.indicator_create(
        actor=personas.secretariat,
        data=indicator_services.IndicatorData(
            code="tthc.digitised_results", name="Tỷ lệ số hóa kết quả giải quyết TTHC", entry=EntryMode.UNIT
        ),
    )
    indicator_services.value_save(
        actor=personas.focal_a,
        indicator=indicator,
        unit=personas.unit_a,
        period=Period(2025, PeriodKind.YEAR),
        value=80,
    )

    for name in PEOPLE:
        person = getattr(personas, name)
        _data.tokens[name] = api_token_create(actor=person, user=person, name="Kiểm thử API")[1]
        # A second token each, which the fuzzed revoke operations may revoke without locking the caller out.
        api_token_create(actor=person, user=person, name=SPARE_TOKEN)
    known: dict[str, dict[type, list[Any]]] = {
        kind: {int: list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:KNOWN_IDS])}
        for kind, model in _MODELS.items()
    }
    known["unit"][str] = list(Unit.objects.values_list("code", flat=True))
    known["indicator"][str] = [indicator.code]
    provinces = Unit.objects.filter(kind=UnitKind.PROVINCE)
    known["province"] = {int: [unit.pk for unit in provinces], str: [unit.code for unit in provinces]}
    known["token"] = {int: list(ApiToken.objects.filter(name=SPARE_TOKEN).values_list("pk", flat=True))}
    known["version"] = {int: [0, 1, 2]}
    known["period"] = {str: ["2025", "2025-H1", "2025-Q3", "2025-08"]}
    known["deadline_kind"] = {str: list(DeadlineKind.values)}
    known["choice"] = {str: ["yes", "no", "on_time", "late", "missing"]}
    _data.known.update(known)


@pytest.fixture(scope="module", autouse=True)
def fuzz_data(
    module_database: Callable[[Callable[[], object]], AbstractContextManager[None]],
) -> Iterator[FuzzData]:
    with module_database(_load):
        yield _data
    _data.tokens.clear()
    _data.known.clear()


def _real(value: Any, kind: str) -> st.SearchStrategy[Any] | None:
    """Real values of the kind with the JSON type of the generated value (a list of them for a list)."""
    pools = _data.known.get(kind, {})
    if isinstance(value, list):
        return st.lists(st.sampled_from(pools[int]), min_size=1, max_size=3) if pools.get(int) else None
    pool = pools.get(type(value)) if type(value) in (int, str) else None
    return st.sampled_from(pool) if pool else None


def _with_real_values(values: Any) -> st.SearchStrategy[Any]:
    """The generated values as they are, or with every field that names a record set to a real one."""
    if not isinstance(values, dict) or not _data.known:
        return st.just(values)
    real = {
        key: strategy
        for key, value in values.items()
        if key in _KNOWN_FIELDS and (strategy := _real(value, _KNOWN_FIELDS[key])) is not None
    }
    if not real:
        return st.just(values)
    replaced = st.fixed_dictionaries({key: real.get(key, st.just(value)) for key, value in values.items()})
    return st.one_of(replaced, st.just(values))


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: Any) -> st.SearchStrategy[Any]:
    return _with_real_values(path_parameters)


@schema.hook
def flatmap_query(context: Any, query: Any) -> st.SearchStrategy[Any]:
    return _with_real_values(query)


@schema.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    return _with_real_values(body)


@pytest.fixture
def connection_kept() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request; the test's transaction needs it open.

    Django's test client does the same for the requests it sends.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def server_errors() -> Iterator[list[str]]:
    """The exceptions a view raised, so that a 500 is reported with its cause."""
    raised: list[str] = []

    def record(sender: Any, request: Any = None, **kwargs: Any) -> None:
        raised.append("".join(traceback.format_exception(*sys.exc_info())))

    got_request_exception.connect(record)
    yield raised
    got_request_exception.disconnect(record)


@pytest.mark.django_db
@pytest.mark.parametrize("person", PEOPLE)
@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
def test_every_api_operation_answers_within_its_schema_for_any_request(
    case: schemathesis.Case, person: str, connection_kept: None, server_errors: list[str]
) -> None:
    headers = {"Authorization": f"Bearer {_data.tokens[person]}"}
    try:
        case.call_and_validate(headers=headers, checks=CHECKS)
    except Exception as failure:
        if server_errors:
            failure.add_note(server_errors[-1])
        raise

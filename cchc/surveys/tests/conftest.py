"""Fixtures shared by the tests of the public form sent quickly (``test_public_quick_path.py``) and of what one
submission costs (``test_submit_cost.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import connections
from pytest_django.fixtures import Settings as SettingsWrapper

from cchc.surveys.collection import PointData, collection_point_create
from cchc.surveys.models import CollectionPoint, Questionnaire
from cchc.testing.personas import Personas

from .factories import make_questionnaire


@pytest.fixture
def fresh_cache(settings: SettingsWrapper) -> Iterator[None]:
    """An empty cache before and after the test, and no minimum time to fill a form in.

    Not used automatically: a module asks for it with ``pytestmark = pytest.mark.usefixtures("fresh_cache")``.
    """
    settings.SURVEY_MIN_FILL_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def questionnaire(personas: Personas) -> Questionnaire:
    """A published questionnaire of the province."""
    return make_questionnaire(personas.province, code="phieu-cong-khai", publish=True)


@pytest.fixture
def point(questionnaire: Questionnaire, personas: Personas) -> CollectionPoint:
    """A collection point of ``questionnaire`` at the first unit."""
    return collection_point_create(actor=None, questionnaire=questionnaire, data=PointData(unit=personas.unit_a))


@pytest.fixture
def kept_connection() -> Iterator[None]:
    """The database connection kept between requests, as in production (``CONN_MAX_AGE``)."""
    default = connections["default"]
    before = default.settings_dict["CONN_MAX_AGE"]
    default.close()
    default.settings_dict["CONN_MAX_AGE"] = 60
    yield
    default.settings_dict["CONN_MAX_AGE"] = before
    default.close()

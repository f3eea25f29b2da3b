"""Fixtures shared by every test module."""

from __future__ import annotations

import pytest

from cchc.testing.personas import Personas, build_personas


@pytest.fixture
def personas(db: None) -> Personas:
    """The named personas (see ``cchc/testing/personas.py``)."""
    return build_personas()

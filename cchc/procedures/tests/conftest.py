"""Fixtures shared by the procedures tests."""

from __future__ import annotations

import pytest

from cchc.procedures.scoring import ensure_default_score_items


@pytest.fixture(autouse=True)
def shipped_score_items(db: None) -> None:
    """The QĐ 766 score items a migration ships. A test that flushes the database (a browser journey, a test with
    concurrent writers) also deletes migrated rows, so they are put back before each test here."""
    ensure_default_score_items()

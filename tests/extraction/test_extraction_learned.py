"""The trained task labeller (cchc/extraction/learned.py): its model file, its training and the fallback to rules."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from cchc.extraction import extract_text, learned, to_json_dict
from cchc.extraction.learned_training import examples, train_model
from tests.extraction.labelled import documents, memory_units

DOCUMENT = "cantho-kh159-2025-truyen-thong-giam-ngheo"


def _document():
    return next(document for document in documents() if document.name == DOCUMENT)


def _extract(learned_on: bool) -> dict:
    units = memory_units()
    document = _document()
    issuing = units.get(document.issuing_unit or "")
    return to_json_dict(
        extract_text(document.text, issuing_unit=issuing, units=list(units.values()), learned=learned_on)
    )


def test_the_fixed_example_is_a_development_document_never_one_of_the_measurement_set() -> None:
    assert _document().split == "real_dev"


def test_the_shipped_model_loads_and_gives_each_proposal_a_probability_for_every_label() -> None:
    labeller = learned.load_labeller(learned.MODEL_PATH)
    assert labeller is not None
    units = memory_units()
    document = _document()
    tasks = extract_text(
        document.text, issuing_unit=units.get(document.issuing_unit or ""), units=list(units.values()), learned=False
    ).tasks
    probabilities = labeller.probabilities(tasks)
    assert len(probabilities) == len(tasks) > 0
    for row in probabilities:
        assert set(row) == set(learned.LABELS)
        assert sum(row.values()) == pytest.approx(1.0, abs=1e-6)


def test_the_labeller_gives_the_same_proposals_on_every_run_and_only_ever_removes_or_undates() -> None:
    rules = _extract(False)["tasks"]
    first = _extract(True)["tasks"]
    assert _extract(True)["tasks"] == first
    contents = [task["content"] for task in rules]
    kept = [task["content"] for task in first]
    assert kept == [content for content in contents if content in kept]
    for task in first:
        original = next(rule for rule in rules if rule["content"] == task["content"])
        assert task["lead_unit"] == original["lead_unit"]
        assert task["deadline"] in (original["deadline"], None)


def test_the_engine_falls_back_to_the_rules_with_a_warning_when_the_model_file_is_missing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "no-such-model.crfsuite"
    with override_settings(EXTRACTION_TASK_LABELLER=str(missing)), caplog.at_level(logging.WARNING):
        with_missing_model = _extract(True)
    assert with_missing_model["tasks"] == _extract(False)["tasks"]
    assert any(str(missing) in record.getMessage() for record in caplog.records)


def test_a_file_that_is_not_a_model_is_refused_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = tmp_path / "broken.crfsuite"
    broken.write_bytes(b"not a model")
    with caplog.at_level(logging.WARNING):
        assert learned.load_labeller(broken) is None
    assert any(str(broken) in record.getMessage() for record in caplog.records)


def test_training_twice_on_the_same_data_writes_the_same_model_file_byte_for_byte(tmp_path: Path) -> None:
    units = memory_units()
    chosen = [document for document in documents() if document.split == "real_dev"][:4]
    data = examples(chosen, units)
    train_model(data, tmp_path / "first.crfsuite")
    train_model(data, tmp_path / "second.crfsuite")
    first = (tmp_path / "first.crfsuite").read_bytes()
    assert first and first == (tmp_path / "second.crfsuite").read_bytes()


def test_training_reads_only_the_development_set() -> None:
    measurement = [document for document in documents() if document.split == "measurement"][:2]
    assert measurement
    assert examples(measurement, memory_units()) == []


def test_reference_labels_keep_a_matched_proposal_undate_a_wrongly_dated_one_and_drop_the_rest() -> None:
    expected = [
        {"lead_unit": "Sở Nội vụ", "deadline": "2025-12-31", "recurrence": ""},
        {"lead_unit": "Sở Tài chính", "deadline": None, "recurrence": ""},
    ]
    extracted = [
        {"lead_unit": "Sở Nội vụ", "deadline": "2025-12-31", "recurrence": ""},
        {"lead_unit": "Sở Tài chính", "deadline": "2025-11-30", "recurrence": ""},
        {"lead_unit": "Sở Y tế", "deadline": None, "recurrence": ""},
    ]
    assert learned.reference_labels(expected, extracted, None) == ["keep", "undated", "drop"]


def test_the_training_command_writes_a_model_the_engine_can_load(tmp_path: Path) -> None:
    output = tmp_path / "model.crfsuite"
    call_command("train_extractor", "--output", str(output))
    assert learned.load_labeller(output) is not None

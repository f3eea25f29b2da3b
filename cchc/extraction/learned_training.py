"""Training and cross-validating the task labeller of :mod:`.learned` on labelled directives.

The documents are any objects with ``name``, ``split``, ``text``, ``expected`` (the hand-written extraction) and
``issuing_unit`` (a registry code), as ``tests/extraction/labelled.py`` gives them; ``units`` is the registry by
code. Only the documents of the training splits (``real_dev``) are read: the frozen measurement set never is.
Everything runs in the documents' order, so the same data gives the same model, byte for byte.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .core import ProposedTask, extract_lines
from .evaluation import Score, registry_resolver, score_pairs
from .learned import TRAINING_PARAMS, Labeller, reference_labels, refine, sequence_features, train
from .registry_unit import RegistryUnit

TRAINING_SPLITS = ("real_dev",)


class LabelledDocument(Protocol):
    name: str
    split: str
    issuing_unit: str | None

    @property
    def text(self) -> str: ...

    @property
    def expected(self) -> dict[str, Any]: ...


@dataclass
class _Example:
    name: str
    tasks: list[ProposedTask]
    expected: list[dict[str, Any]]
    resolve: Any
    features: list[dict[str, Any]]
    labels: list[str]


def _task_dict(task: ProposedTask) -> dict[str, Any]:
    return {
        "lead_unit": task.lead_unit,
        "lead_unit_ids": list(task.lead_unit_ids),
        "deadline": task.deadline.isoformat() if task.deadline else None,
        "recurrence": task.recurrence,
        "section": task.section,
    }


def examples(
    documents: Iterable[LabelledDocument], units: dict[str, RegistryUnit], splits: Sequence[str] = TRAINING_SPLITS
) -> list[_Example]:
    """The rules' proposals (without the labeller) on each document of ``splits``, with their reference labels."""
    registry = list(units.values())
    result = []
    for document in documents:
        if document.split not in splits:
            continue
        issuing = units.get(document.issuing_unit or "")
        tasks = extract_lines(document.text, issuing_unit=issuing, units=registry, learned=False).tasks
        expected = document.expected["tasks"]
        resolve = registry_resolver(registry, issuing)
        labels = reference_labels(expected, [_task_dict(task) for task in tasks], resolve)
        result.append(_Example(document.name, tasks, expected, resolve, sequence_features(tasks), labels))
    return result


def train_model(examples: Sequence[_Example], model_path: Path, params: dict[str, Any] | None = None) -> None:
    train(((example.features, example.labels) for example in examples), model_path, params or TRAINING_PARAMS)


@dataclass(frozen=True)
class CrossValidation:
    folds: int
    rules: Score
    learned: dict[float, Score]


def cross_validate(
    examples: Sequence[_Example],
    work: Path,
    *,
    folds: int = 5,
    params: dict[str, Any] | None = None,
    thresholds: Sequence[float] = (0.5, 0.7, 0.8, 0.9),
) -> CrossValidation:
    """Leave-documents-out: document ``i`` is scored by the model trained without fold ``i % folds``.

    Returns the (lead, deadline) score of the rules alone and, per threshold, of the rules with the labeller.
    """
    rules = Score(0, 0, 0)
    learned = {threshold: Score(0, 0, 0) for threshold in thresholds}
    for fold in range(folds):
        held = [example for index, example in enumerate(examples) if index % folds == fold]
        kept = [example for index, example in enumerate(examples) if index % folds != fold]
        model_path = work / f"fold-{fold}.crfsuite"
        train_model(kept, model_path, params)
        labeller = Labeller(model_path)
        for example in held:
            rules += score_pairs(example.expected, [_task_dict(task) for task in example.tasks], example.resolve)
            for threshold in thresholds:
                refined = refine(copy.deepcopy(example.tasks), labeller, threshold)
                learned[threshold] += score_pairs(
                    example.expected, [_task_dict(task) for task in refined], example.resolve
                )
    return CrossValidation(folds, rules, learned)

"""The answers the survey benchmarks send: the same draw for ``surveys.py`` (under load) and ``surveys_cpu.py``."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any


def answer_drawer(questions: list[Any], seed: int = 11) -> Callable[[], dict[str, list[str]]]:
    """A function giving one form's answers to ``questions`` (those shown without a condition) at each call: mostly
    one of the two most satisfied choices, sometimes any; ``1`` for a required question without choices."""
    rng = random.Random(seed)
    choices = {question.pk: [choice.value for choice in question.choices.all()] for question in questions}

    def answers() -> dict[str, list[str]]:
        chosen = {}
        for question in questions:
            values = choices[question.pk]
            if values:
                chosen[f"q{question.pk}"] = [rng.choice(values[-2:] if rng.random() < 0.85 else values)]
            elif question.required:
                chosen[f"q{question.pk}"] = ["1"]
        return chosen

    return answers

"""A questionnaire's content as plain data: what the shipped templates, the XLSForm reader and the copy of a version
hand to :func:`cchc.surveys.services.questionnaire_build`, and what :func:`cchc.surveys.selectors.spec_of` reads back.

Two versions are equivalent when their specs are equal (the XLSForm round trip is tested that way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ChoiceSpec:
    value: str
    label: str


@dataclass
class QuestionSpec:
    code: str
    text: str
    kind: str
    required: bool = False
    hint: str = ""
    # Show the question only when the question with this code has this value.
    condition: tuple[str, str] | None = None
    weight: Decimal | None = None
    # Empty for a fixed scale: the scale's own choices are used (A–D may give their own labels).
    choices: list[ChoiceSpec] = field(default_factory=list)


@dataclass
class SectionSpec:
    title: str
    weight: Decimal = Decimal(1)
    questions: list[QuestionSpec] = field(default_factory=list)


@dataclass
class QuestionnaireSpec:
    code: str
    title: str
    kind: str
    source_note: str = ""
    sections: list[SectionSpec] = field(default_factory=list)

    def questions(self) -> list[QuestionSpec]:
        return [question for section in self.sections for question in section.questions]

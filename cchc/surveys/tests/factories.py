"""Small questionnaires for the tests, built through the services."""

from __future__ import annotations

from decimal import Decimal

from cchc.organisations.models import Unit
from cchc.surveys.models import QuestionKind, Questionnaire, QuestionnaireKind
from cchc.surveys.services import questionnaire_build
from cchc.surveys.specs import ChoiceSpec, QuestionnaireSpec, QuestionSpec, SectionSpec


def small_spec(code: str = "quay-thu") -> QuestionnaireSpec:
    return QuestionnaireSpec(
        code=code,
        title="Khảo sát nhanh tại quầy (thử)",
        kind=QuestionnaireKind.COUNTER_EXIT,
        source_note="Phiếu thử nghiệm.",
        sections=[
            SectionSpec(
                title="Đánh giá chung",
                weight=Decimal(2),
                questions=[
                    QuestionSpec(
                        code="hai_long", text="Ông/bà hài lòng không?", kind=QuestionKind.SATISFACTION5, required=True
                    ),
                    QuestionSpec(
                        code="kenh",
                        text="Ông/bà nộp hồ sơ qua đâu?",
                        kind=QuestionKind.SINGLE,
                        choices=[ChoiceSpec("quay", "Tại quầy"), ChoiceSpec("mang", "Trực tuyến")],
                    ),
                    QuestionSpec(
                        code="ly_do",
                        text="Vì sao chưa hài lòng?",
                        kind=QuestionKind.LONG_TEXT,
                        condition=("hai_long", "1"),
                    ),
                ],
            ),
            SectionSpec(
                title="Thông tin thêm",
                questions=[QuestionSpec(code="so_lan", text="Số lần đi lại", kind=QuestionKind.NUMBER, hint="Số lần")],
            ),
        ],
    )


def make_questionnaire(owner: Unit | None = None, *, code: str = "quay-thu", publish: bool = False) -> Questionnaire:
    return questionnaire_build(actor=None, spec=small_spec(code), owner=owner, publish=publish)

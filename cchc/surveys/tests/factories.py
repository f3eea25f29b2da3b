"""Small questionnaires for the tests, built through the services."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

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


# The officials' survey in small, and the respondents' file of its invitations.
GROUPS = [ChoiceSpec("1", "Đại biểu HĐND tỉnh"), ChoiceSpec("2", "Lãnh đạo sở, ban, ngành"), ChoiceSpec("3", "Khác")]
HEADER = ["Họ và tên", "Thư điện tử", "Nhóm đối tượng", "Đơn vị (mã)"]


def officials_spec() -> QuestionnaireSpec:
    return QuestionnaireSpec(
        code="can-bo-thu",
        title="Điều tra cán bộ (thử)",
        kind=QuestionnaireKind.OFFICIALS,
        source_note="Phiếu thử nghiệm.",
        sections=[
            SectionSpec(
                title="Chung",
                questions=[
                    QuestionSpec(
                        code="nhom_doi_tuong",
                        text="Ông/bà thuộc nhóm đối tượng nào?",
                        kind=QuestionKind.SINGLE,
                        required=True,
                        choices=GROUPS,
                    ),
                    QuestionSpec(
                        code="danh_gia", text="Đánh giá chung", kind=QuestionKind.SATISFACTION5, required=True
                    ),
                ],
            )
        ],
    )


def workbook(*rows: list[Any], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.create_sheet("Danh sách mời", 0)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

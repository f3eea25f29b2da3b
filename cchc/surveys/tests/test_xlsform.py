"""XLSForm import and export: the round trip, the mapping of types and conditions, and the refusals."""

from __future__ import annotations

import dataclasses
import io
import itertools
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from cchc.lib.errors import ServiceError
from cchc.surveys.models import QuestionKind, Questionnaire, VersionState
from cchc.surveys.selectors import spec_of
from cchc.surveys.services import questionnaire_build
from cchc.surveys.specs import ChoiceSpec, QuestionnaireSpec, QuestionSpec, SectionSpec
from cchc.surveys.templates_catalogue import TEMPLATES, ensure_templates
from cchc.surveys.xlsform import XLSFormError, export_xlsform, import_xlsform, read_xlsform

from .factories import make_questionnaire

pytestmark = pytest.mark.django_db


def workbook(survey: list[list[Any]], choices: list[list[Any]] | None = None, **settings_: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    if choices is not None:
        choice_sheet = book.create_sheet("choices")
        for row in choices:
            choice_sheet.append(row)
    if settings_:
        settings_sheet = book.create_sheet("settings")
        settings_sheet.append(list(settings_))
        settings_sheet.append(list(settings_.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def without_weights(spec: QuestionnaireSpec) -> list[SectionSpec]:
    """XLSForm carries no weights: compare everything else."""
    return [
        dataclasses.replace(
            section,
            weight=Decimal(1),
            questions=[dataclasses.replace(question, weight=None) for question in section.questions],
        )
        for section in spec.sections
    ]


def test_every_shipped_template_survives_an_export_and_an_import() -> None:
    ensure_templates()
    for code in TEMPLATES:
        version = Questionnaire.objects.get(code=code).versions.get()
        data = export_xlsform(version)
        copy, _result = import_xlsform(actor=None, data=data, code=f"{code}-ban-sao")
        assert without_weights(spec_of(copy.versions.get())) == without_weights(spec_of(version)), code
        assert copy.title == version.questionnaire.title


def test_the_export_names_the_sheets_and_the_vietnamese_label_column() -> None:
    version = make_questionnaire().versions.get()
    book = load_workbook(io.BytesIO(export_xlsform(version)))
    assert book.sheetnames == ["survey", "choices", "settings"]
    header = [cell.value for cell in book["survey"][1]]
    assert header[:3] == ["type", "name", "label::Vietnamese (vi)"]
    types = [row[0] for row in book["survey"].iter_rows(min_row=2, values_only=True)]
    assert "select_one hai_long_5" in types and "decimal" in types
    relevant = [row[5] for row in book["survey"].iter_rows(min_row=2, values_only=True) if row[5]]
    assert relevant == ["${hai_long} = '1'"]


_counter = itertools.count()
# "=" included: a text that looks like a formula must come back as the same text.
_text = st.text(alphabet="abcdeghiklmnopqrstuvxyàáảãạăâđêôơưềếệộờ ?,.()-=+", min_size=1, max_size=40).filter(
    lambda text: text.strip(" ") != ""
)
_kinds = st.sampled_from(list(QuestionKind.values))


@st.composite
def questionnaire_specs(draw: st.DrawFn) -> QuestionnaireSpec:
    sections: list[SectionSpec] = []
    earlier: list[QuestionSpec] = []
    number = 0
    for _section in range(draw(st.integers(1, 3))):
        questions = []
        for _question in range(draw(st.integers(1, 4))):
            number += 1
            kind = draw(_kinds)
            choices: list[ChoiceSpec] = []
            if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                count = draw(st.integers(2, 4))
                choices = [ChoiceSpec(value=f"v{index}", label=draw(_text)) for index in range(count)]
            condition = None
            candidates: list[QuestionSpec] = [
                q for q in earlier if q.kind in (QuestionKind.SINGLE, QuestionKind.YES_NO)
            ]
            wants_condition: bool = draw(st.booleans())
            if candidates and wants_condition:
                target = draw(st.sampled_from(candidates))
                value = target.choices[0].value if target.choices else "yes"
                condition = (target.code, value)
            question = QuestionSpec(
                code=f"q{number}",
                text=draw(_text),
                kind=kind,
                required=draw(st.booleans()) and kind != QuestionKind.NOTE,
                hint=draw(st.one_of(st.just(""), _text)),
                condition=condition,
                choices=choices,
            )
            questions.append(question)
            earlier.append(question)
        sections.append(SectionSpec(title=draw(_text), questions=questions))
    return QuestionnaireSpec(code="tu-sinh", title=draw(_text), kind="custom", sections=sections)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=questionnaire_specs())
def test_any_questionnaire_comes_back_equivalent_from_its_xlsform(spec: QuestionnaireSpec) -> None:
    spec.code = f"tu-sinh-{next(_counter)}"
    original = questionnaire_build(actor=None, spec=spec).versions.get()
    copy, _result = import_xlsform(actor=None, data=export_xlsform(original), code=f"{spec.code}-x")
    assert without_weights(spec_of(copy.versions.get())) == without_weights(spec_of(original))


def test_a_kobo_style_form_is_read_with_its_vietnamese_labels_and_condition() -> None:
    data = workbook(
        [
            ["type", "name", "label::English (en)", "label::Vietnamese (vi)", "required", "relevant"],
            ["start", "start", "", "", "", ""],
            ["select_one yn", "da_den", "Visited?", "Ông/bà đã đến chưa?", "yes", ""],
            ["integer", "so_lan", "How many times?", "Mấy lần?", "", "${da_den} = 'co'"],
            ["text", "ghi_chu", "Notes", "", "", ""],
        ],
        [["list_name", "name", "label::Vietnamese (vi)"], ["yn", "co", "Có"], ["yn", "khong", "Không"]],
        form_title="Phiếu Kobo",
        form_id="kobo_mau",
    )
    result = read_xlsform(data)
    spec = result.spec
    assert (spec.code, spec.title) == ("kobo_mau", "Phiếu Kobo")
    questions = spec.questions()
    assert [q.code for q in questions] == ["da_den", "so_lan", "ghi_chu"]
    assert questions[0].text == "Ông/bà đã đến chưa?" and questions[0].required
    assert questions[0].kind == QuestionKind.SINGLE
    assert questions[1].kind == QuestionKind.NUMBER and questions[1].condition == ("da_den", "co")
    assert questions[2].text == "Notes"  # no Vietnamese label on that row: English instead
    assert spec.sections[0].title == "Câu hỏi chung"
    assert result.skipped == ["dòng 2 (start)"]


def test_unsupported_types_and_columns_are_named_with_their_rows_and_nothing_is_imported() -> None:
    data = workbook(
        [
            ["type", "name", "label", "constraint", "calculation"],
            ["integer", "tuoi", "Tuổi", ". > 0", ""],
            ["calculate", "tong", "", "", "${tuoi} * 2"],
            ["begin_repeat", "nguoi", "Thành viên", "", ""],
            ["text", "ten", "Tên", "", ""],
            ["end_repeat", "", "", "", ""],
            ["geopoint", "vi_tri", "Vị trí", "", ""],
        ],
        form_id="khong-ho-tro",
    )
    with pytest.raises(XLSFormError) as caught:
        import_xlsform(actor=None, data=data)
    message = caught.value.message
    assert "cột “constraint” chưa được hỗ trợ (dòng 2)" in message
    assert "cột “calculation” chưa được hỗ trợ (dòng 3)" in message
    assert "kiểu “calculate”" in message and "kiểu “begin_repeat”" in message and "kiểu “geopoint”" in message
    assert "dòng 7" in message
    assert not Questionnaire.objects.filter(code="khong-ho-tro").exists()


def test_a_relevant_expression_other_than_equality_is_refused() -> None:
    data = workbook(
        [
            ["type", "name", "label", "relevant"],
            ["integer", "tuoi", "Tuổi", ""],
            ["text", "ly_do", "Lý do", "${tuoi} > 18 and ${tuoi} < 60"],
        ],
        form_id="dieu-kien",
    )
    with pytest.raises(XLSFormError, match=r"điều kiện hiển thị .* chưa được hỗ trợ"):
        read_xlsform(data)


def test_a_workbook_without_a_survey_sheet_or_choices_is_explained() -> None:
    book = Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(XLSFormError, match="không có trang “survey”"):
        read_xlsform(buffer.getvalue())
    data = workbook([["type", "name", "label"], ["select_one ds", "q", "Câu hỏi"]], form_id="thieu")
    with pytest.raises(XLSFormError, match="không có danh sách phương án “ds”"):
        read_xlsform(data)


def test_a_condition_on_an_unknown_question_stops_the_import() -> None:
    data = workbook(
        [["type", "name", "label", "relevant"], ["text", "a", "A", "${khong_co} = 'x'"]], form_id="dieu-kien-sai"
    )
    with pytest.raises(ServiceError, match="khong_co"):
        import_xlsform(actor=None, data=data)
    assert not Questionnaire.objects.filter(code="dieu-kien-sai").exists()


def test_publishing_on_import_checks_the_questionnaire() -> None:
    data = workbook(
        [["type", "name", "label"], ["select_one ds", "q", "Một phương án"]],
        [["list_name", "name", "label"], ["ds", "x", "X"]],
        form_id="mot-phuong-an",
    )
    with pytest.raises(ServiceError, match="ít nhất 2 phương án"):
        import_xlsform(actor=None, data=data, publish=True)
    questionnaire, _result = import_xlsform(actor=None, data=data)
    assert questionnaire.versions.get().state == VersionState.DRAFT


def test_the_commands_import_and_export_with_vietnamese_summaries(tmp_path: Path) -> None:
    version = make_questionnaire().versions.get()
    source = tmp_path / "phieu.xlsx"
    out = StringIO()
    call_command("export_xlsform", "quay-thu", str(source), stdout=out)
    assert "Đã xuất phiếu" in out.getvalue()
    out = StringIO()
    call_command("import_xlsform", str(source), "--publish", "--code", "quay-nhap", stdout=out)
    assert "Đã nhập phiếu" in out.getvalue() and "Đã ban hành" in out.getvalue()
    imported = Questionnaire.objects.get(code="quay-nhap").versions.get()
    assert without_weights(spec_of(imported)) == without_weights(spec_of(version))
    with pytest.raises(CommandError, match="Đã có phiếu khảo sát mã"):
        call_command("import_xlsform", str(source), "--code", "quay-nhap", stdout=StringIO())
    fake = tmp_path / "gia.xlsx"
    fake.write_bytes(b"khong phai excel")
    with pytest.raises(CommandError):
        call_command("import_xlsform", str(fake), stdout=StringIO())
    with pytest.raises(CommandError, match="Không có phiếu khảo sát"):
        call_command("export_xlsform", "khong-co", str(tmp_path / "x.xlsx"), stdout=StringIO())


def test_a_text_that_looks_like_a_formula_is_written_as_text() -> None:
    spec = QuestionnaireSpec(
        code="cong-thuc",
        title='=HYPERLINK("http://x")',
        kind="custom",
        sections=[SectionSpec(title="Phần", questions=[QuestionSpec(code="q", text="=1+1", kind="short_text")])],
    )
    version = questionnaire_build(actor=None, spec=spec).versions.get()
    data = export_xlsform(version)
    sheet = load_workbook(io.BytesIO(data))["survey"]
    cell = sheet.cell(row=3, column=3)
    assert cell.value == "=1+1" and cell.data_type == "s"
    copy, _result = import_xlsform(actor=None, data=data, code="cong-thuc-2")
    assert copy.versions.get().questions.get().text == "=1+1"
    assert copy.title == spec.title

"""XLSForm: the ``survey`` and ``choices`` sheets used by ODK and KoboToolbox, read into a questionnaire and written
from one.

What maps to what (the table is repeated in ``docs/surveys.md``):

- ``begin_group`` … ``end_group`` → a section (groups may not nest); questions outside any group go to a section
  of their own;
- ``select_one L`` → single choice, or a fixed scale when ``L`` is one of the lists this module writes for them
  (``hai_long_5``, ``co_khong``, ``diem_012``, ``phuong_an_ad__…``) with exactly the scale's values;
  ``select_multiple L`` → multiple choice; ``integer``, ``decimal`` → number; ``text`` → short text (long text
  with ``appearance`` ``multiline``); ``date`` → date; ``note`` → note;
- ``relevant``: only ``${q} = 'value'`` (and ``selected(${q}, 'value')``) maps to a condition;
- ``required``: yes/no (true/false, 1/0);
- ``label``, ``hint``: the Vietnamese column (``label::Vietnamese (vi)``) when there is one, else the plain column,
  else English;
- ``settings``: ``form_title`` → the questionnaire's title, ``form_id`` → its code.

Metadata fields that are not questions (``start``, ``end``, ``today``, ``deviceid`` …) are left out and listed in
the summary. Anything else — another type (``calculate``, ``begin_repeat`` …), a ``relevant`` of another form, a
filled column this module does not read (``constraint``, ``choice_filter`` …) — is named in a Vietnamese message
with its rows, and nothing is imported. Weights are not carried by XLSForm.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import MAX_COLUMNS, cell_text, max_import_rows, open_workbook
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit

from .models import CHOICE_KINDS, QuestionKind, Questionnaire, QuestionnaireKind, QuestionnaireVersion
from .scales import fixed_values
from .selectors import spec_of
from .services import questionnaire_build
from .specs import ChoiceSpec, QuestionnaireSpec, QuestionSpec, SectionSpec

VI_LABEL = "label::Vietnamese (vi)"
VI_HINT = "hint::Vietnamese (vi)"
SURVEY_HEADER = ("type", "name", VI_LABEL, VI_HINT, "required", "relevant", "appearance")
CHOICES_HEADER = ("list_name", "name", VI_LABEL)
# List names written for the fixed scales; read back as those scales when the values match.
SCALE_LISTS: dict[str, str] = {
    QuestionKind.SATISFACTION5: "hai_long_5",
    QuestionKind.YES_NO: "co_khong",
    QuestionKind.POINTS012: "diem_012",
}
OPTIONS_AD_PREFIX = "phuong_an_ad__"
METADATA_TYPES = frozenset(
    {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "email", "audit"}
)
SURVEY_COLUMNS = frozenset({"type", "name", "label", "hint", "required", "relevant", "appearance"})
CHOICE_COLUMNS = frozenset({"list_name", "name", "label"})
MAX_LISTED_ROWS = 20
MAX_PROBLEMS = 50
_RELEVANT = re.compile(
    r"""^\s*(?:
        \$\{(?P<name>[A-Za-z_][\w.-]*)\}\s*=\s*(?P<value>'[^']*'|"[^"]*"|-?\d+(?:\.\d+)?)
      | selected\(\s*\$\{(?P<sname>[A-Za-z_][\w.-]*)\}\s*,\s*(?P<svalue>'[^']*'|"[^"]*")\s*\)
    )\s*$""",
    re.VERBOSE,
)
_TRUE = {"yes", "true", "true()", "1", "có"}
_FALSE = {"", "no", "false", "false()", "0", "không"}


class XLSFormError(ServiceError):
    """The file cannot become a questionnaire; ``problems`` lists every reason, in Vietnamese."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(_("… và %(count)d lỗi khác.") % {"count": len(problems) - MAX_PROBLEMS})
        super().__init__(
            _("Không nhập được tệp XLSForm, chưa có gì được lưu: %(problems)s") % {"problems": " ".join(shown)},
            field="file",
        )
        self.problems = shown


@dataclass
class XLSFormResult:
    spec: QuestionnaireSpec
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Sheet:
    columns: dict[str, int]
    languages: dict[str, dict[str, int]]
    rows: list[tuple[int, tuple[Any, ...]]]


def _rows_text(rows: Sequence[int]) -> str:
    shown = ", ".join(str(row) for row in rows[:MAX_LISTED_ROWS])
    return shown + (", …" if len(rows) > MAX_LISTED_ROWS else "")


def _is_vietnamese(language: str) -> bool:
    folded = language.casefold()
    return "vietnam" in folded or "(vi)" in folded or "tiếng việt" in folded or folded.strip() == "vi"


def _read_sheet(worksheet: Any, limit: int) -> _Sheet:
    worksheet.reset_dimensions()
    header: list[str] | None = None
    rows: list[tuple[int, tuple[Any, ...]]] = []
    for number, values in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
            continue
        if header is None:
            header = [cell_text(value) for value in values]
            continue
        if len(rows) >= limit:
            raise ServiceError(
                _("Tệp có quá nhiều dòng (tối đa %(limit)s dòng mỗi trang).") % {"limit": limit}, field="file"
            )
        rows.append((number, tuple(values)))
    columns: dict[str, int] = {}
    languages: dict[str, dict[str, int]] = defaultdict(dict)
    for index, title in enumerate(header or []):
        key = title.strip()
        if not key:
            continue
        base, _sep, language = key.partition("::")
        base = base.strip().casefold().replace(" ", "_")
        if language:
            languages[base].setdefault(language.strip(), index)
        else:
            columns.setdefault(base, index)
    return _Sheet(columns=columns, languages=dict(languages), rows=rows)


def _value(values: tuple[Any, ...], index: int | None) -> str:
    if index is None or index >= len(values):
        return ""
    return cell_text(values[index])


def _text_columns(sheet: _Sheet, base: str) -> list[int]:
    """The columns of ``base`` (label, hint) in the order they are read: Vietnamese, the plain one, English, others.

    A row takes the first of them that is filled.
    """
    languages = sheet.languages.get(base, {})
    ordered = [index for language, index in languages.items() if _is_vietnamese(language)]
    if base in sheet.columns:
        ordered.append(sheet.columns[base])
    ordered += [index for language, index in languages.items() if language.casefold().startswith("english")]
    ordered += [index for index in languages.values() if index not in ordered]
    return list(dict.fromkeys(ordered))


def _first_text(values: tuple[Any, ...], indexes: list[int]) -> str:
    return next((text for index in indexes if (text := _value(values, index))), "")


def _unread_columns(sheet: _Sheet, known: frozenset[str], sheet_name: str) -> Iterator[str]:
    """A problem for every filled column the reader does not understand (nothing is dropped silently)."""
    named = {name: index for name, index in sheet.columns.items() if name not in known}
    for base, languages in sheet.languages.items():
        if base not in known:
            for language, index in languages.items():
                named[f"{base}::{language}"] = index
    for name, index in sorted(named.items(), key=lambda item: item[1]):
        rows = [number for number, values in sheet.rows if _value(values, index)]
        if rows:
            yield _("Trang “%(sheet)s”: cột “%(column)s” chưa được hỗ trợ (dòng %(rows)s).") % {
                "sheet": sheet_name,
                "column": name,
                "rows": _rows_text(rows),
            }


def _condition(text: str) -> tuple[str, str] | None:
    match = _RELEVANT.match(text)
    if match is None:
        return None
    name = match.group("name") or match.group("sname")
    raw = match.group("value") or match.group("svalue")
    if raw[:1] in {"'", '"'}:
        raw = raw[1:-1]
    return name, raw


def _choice_kind(list_name: str, choices: list[ChoiceSpec], *, multiple: bool) -> str:
    if multiple:
        return QuestionKind.MULTIPLE
    values = tuple(choice.value for choice in choices)
    for kind, name in SCALE_LISTS.items():
        if list_name == name and values == fixed_values(kind):
            return kind
    if list_name.startswith(OPTIONS_AD_PREFIX) and values == fixed_values(QuestionKind.OPTIONS_AD):
        return QuestionKind.OPTIONS_AD
    return QuestionKind.SINGLE


def read_xlsform(data: bytes, *, default_code: str = "") -> XLSFormResult:
    """The questionnaire an XLSForm workbook describes; :class:`XLSFormError` listing every problem otherwise."""
    workbook = open_workbook(data)
    limit = max_import_rows()
    try:
        sheets = {name.strip().casefold(): workbook[name] for name in workbook.sheetnames}
        if "survey" not in sheets:
            raise XLSFormError([_("Tệp không có trang “survey” (danh sách câu hỏi của XLSForm).")])
        try:
            survey = _read_sheet(sheets["survey"], limit)
            choices_sheet = _read_sheet(sheets["choices"], limit) if "choices" in sheets else None
            settings = _read_sheet(sheets["settings"], 10) if "settings" in sheets else None
        except ServiceError:
            raise
        except Exception as exc:  # a damaged sheet only shows while it is read
            raise ServiceError(_("Tệp Excel bị hỏng hoặc không đọc được."), field="file") from exc
    finally:
        workbook.close()
    problems: list[str] = []
    skipped: list[str] = []
    if "type" not in survey.columns:
        raise XLSFormError([_("Trang “survey” thiếu cột “type”.")])
    problems.extend(_unread_columns(survey, SURVEY_COLUMNS, "survey"))
    lists = _read_choices(choices_sheet, problems)
    title, code = default_code, default_code
    if settings is not None and settings.rows:
        values = settings.rows[0][1]
        title = _value(values, settings.columns.get("form_title")) or title
        code = _value(values, settings.columns.get("form_id")) or code
    spec = QuestionnaireSpec(code=code, title=title or code, kind=QuestionnaireKind.CUSTOM)
    _read_survey(survey, lists, spec, problems, skipped)
    if choices_sheet is None and any(q.kind in CHOICE_KINDS for q in spec.questions()):
        problems.append(_("Tệp có câu hỏi chọn phương án nhưng không có trang “choices”."))
    if not spec.questions() and not problems:
        problems.append(_("Trang “survey” không có câu hỏi nào."))
    if problems:
        raise XLSFormError(problems)
    return XLSFormResult(spec=spec, skipped=skipped)


def _read_choices(sheet: _Sheet | None, problems: list[str]) -> dict[str, list[ChoiceSpec]]:
    lists: dict[str, list[ChoiceSpec]] = defaultdict(list)
    if sheet is None:
        return lists
    for column in ("list_name", "name"):
        if column not in sheet.columns:
            problems.append(_("Trang “choices” thiếu cột “%(column)s”.") % {"column": column})
            return lists
    problems.extend(_unread_columns(sheet, CHOICE_COLUMNS, "choices"))
    label_columns = _text_columns(sheet, "label")
    for number, values in sheet.rows:
        list_name = _value(values, sheet.columns["list_name"])
        value = _value(values, sheet.columns["name"])
        label = _first_text(values, label_columns) or value
        if not list_name or not value:
            problems.append(_("Trang “choices”, dòng %(row)s: thiếu list_name hoặc name.") % {"row": number})
            continue
        if any(choice.value == value for choice in lists[list_name]):
            problems.append(
                _("Trang “choices”, dòng %(row)s: phương án “%(value)s” lặp lại trong danh sách “%(list)s”.")
                % {"row": number, "value": value, "list": list_name}
            )
            continue
        lists[list_name].append(ChoiceSpec(value=value, label=label))
    return lists


def _read_survey(
    sheet: _Sheet,
    lists: dict[str, list[ChoiceSpec]],
    spec: QuestionnaireSpec,
    problems: list[str],
    skipped: list[str],
) -> None:
    columns = sheet.columns
    label_columns, hint_columns = _text_columns(sheet, "label"), _text_columns(sheet, "hint")
    unsupported: dict[str, list[int]] = defaultdict(list)
    current: SectionSpec | None = None
    in_group = False
    loose = 0
    for number, values in sheet.rows:
        raw_type = _value(values, columns.get("type"))
        parts = raw_type.split()
        kind_word = parts[0].casefold() if parts else ""
        name = _value(values, columns.get("name"))
        label = _first_text(values, label_columns)
        if kind_word in {"begin_group", "begin"} and (kind_word == "begin_group" or parts[1:2] == ["group"]):
            if in_group:
                unsupported[_("nhóm lồng trong nhóm (begin_group)")].append(number)
                continue
            current = SectionSpec(title=label or name or _("Phần %(number)s") % {"number": len(spec.sections) + 1})
            spec.sections.append(current)
            in_group = True
            continue
        if kind_word in {"end_group", "end"} and (kind_word == "end_group" or parts[1:2] == ["group"]):
            if not in_group:
                problems.append(_("Trang “survey”, dòng %(row)s: end_group không có begin_group.") % {"row": number})
            in_group, current = False, None
            continue
        if not raw_type:
            problems.append(_("Trang “survey”, dòng %(row)s: thiếu kiểu câu hỏi (type).") % {"row": number})
            continue
        if kind_word in METADATA_TYPES:
            skipped.append(_("dòng %(row)s (%(type)s)") % {"row": number, "type": kind_word})
            continue
        question = _question(kind_word, parts, values, columns, lists, number, problems, unsupported)
        if question is None:
            continue
        question.code, question.text = name, label
        question.hint = _first_text(values, hint_columns)
        if not name:
            problems.append(_("Trang “survey”, dòng %(row)s: thiếu tên câu hỏi (name).") % {"row": number})
        if not label:
            problems.append(_("Trang “survey”, dòng %(row)s: thiếu nội dung câu hỏi (label).") % {"row": number})
        if current is None:
            loose += 1
            current = SectionSpec(title=_("Câu hỏi chung") if loose == 1 else _("Câu hỏi chung (%(n)s)") % {"n": loose})
            spec.sections.append(current)
        current.questions.append(question)
    if in_group:
        problems.append(_("Trang “survey”: có begin_group chưa được đóng bằng end_group."))
    for construct, rows in unsupported.items():
        problems.append(
            _("Chưa hỗ trợ %(construct)s (trang “survey”, dòng %(rows)s).")
            % {"construct": construct, "rows": _rows_text(rows)}
        )


def _question(
    kind_word: str,
    parts: list[str],
    values: tuple[Any, ...],
    columns: dict[str, int],
    lists: dict[str, list[ChoiceSpec]],
    number: int,
    problems: list[str],
    unsupported: dict[str, list[int]],
) -> QuestionSpec | None:
    appearance = _value(values, columns.get("appearance")).casefold()
    choices: list[ChoiceSpec] = []
    if kind_word in {"select_one", "select_multiple"} and len(parts) == 2:
        list_name = parts[1]
        if list_name not in lists:
            problems.append(
                _("Trang “survey”, dòng %(row)s: không có danh sách phương án “%(list)s” trong trang “choices”.")
                % {"row": number, "list": list_name}
            )
            return None
        choices = list(lists[list_name])
        kind = _choice_kind(list_name, choices, multiple=kind_word == "select_multiple")
        if kind != QuestionKind.SINGLE and kind != QuestionKind.MULTIPLE and kind != QuestionKind.OPTIONS_AD:
            choices = []
    elif len(parts) == 1 and kind_word in {"integer", "decimal"}:
        kind = QuestionKind.NUMBER
    elif len(parts) == 1 and kind_word == "text":
        kind = QuestionKind.LONG_TEXT if "multiline" in appearance else QuestionKind.SHORT_TEXT
    elif len(parts) == 1 and kind_word == "date":
        kind = QuestionKind.DATE
    elif len(parts) == 1 and kind_word == "note":
        kind = QuestionKind.NOTE
    else:
        unsupported[_("kiểu “%(type)s”") % {"type": " ".join(parts)[:60]}].append(number)
        return None
    if appearance and appearance != "multiline":
        unsupported[_("cách hiển thị (appearance) “%(value)s”") % {"value": appearance[:60]}].append(number)
    required_text = _value(values, columns.get("required")).casefold()
    if required_text not in _TRUE | _FALSE:
        problems.append(
            _("Trang “survey”, dòng %(row)s: cột required phải là yes hoặc no (đang là “%(value)s”).")
            % {"row": number, "value": required_text[:60]}
        )
    relevant = _value(values, columns.get("relevant"))
    condition = None
    if relevant:
        condition = _condition(relevant)
        if condition is None:
            problems.append(
                _(
                    "Trang “survey”, dòng %(row)s: điều kiện hiển thị “%(relevant)s” chưa được hỗ trợ; chỉ nhận "
                    "dạng ${mã_câu} = 'giá trị'."
                )
                % {"row": number, "relevant": relevant[:120]}
            )
    return QuestionSpec(
        code="",
        text="",
        kind=kind,
        required=required_text in _TRUE,
        condition=condition,
        choices=choices,
    )


@transaction.atomic
def import_xlsform(
    *,
    actor: ActorOrSystem,
    data: bytes,
    owner: Unit | None = None,
    publish: bool = False,
    code: str = "",
    default_code: str = "",
    reason: str = "",
) -> tuple[Questionnaire, XLSFormResult]:
    """Read a checked upload and write the questionnaire it describes (all or nothing)."""
    result = read_xlsform(data, default_code=default_code)
    if code:
        result.spec.code = code
    if not result.spec.code:
        raise ServiceError(
            _("Tệp không ghi mã phiếu (form_id trong trang “settings”); hãy nhập mã phiếu."), field="code"
        )
    questionnaire = questionnaire_build(actor=actor, spec=result.spec, owner=owner, publish=publish, reason=reason)
    return questionnaire, result


# ---------------------------------------------------------------------------
# Writing


def _list_name(question: QuestionSpec) -> str:
    if question.kind in SCALE_LISTS:
        return SCALE_LISTS[question.kind]
    if question.kind == QuestionKind.OPTIONS_AD:
        return f"{OPTIONS_AD_PREFIX}{question.code}"
    reserved = set(SCALE_LISTS.values())
    if question.code in reserved or question.code.startswith(OPTIONS_AD_PREFIX):
        return f"{question.code}__ds"
    return question.code


def _quote(value: str) -> str:
    if "'" in value and '"' not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "") + "'"


def xlsform_rows(spec: QuestionnaireSpec) -> tuple[list[list[str]], list[list[str]]]:
    """The rows of the ``survey`` and ``choices`` sheets for ``spec`` (headers excluded)."""
    survey: list[list[str]] = []
    choices: list[list[str]] = []
    written_lists: set[str] = set()
    kinds = {question.code: question.kind for question in spec.questions()}
    for order, section in enumerate(spec.sections, start=1):
        survey.append(["begin_group", f"phan_{order}", section.title, "", "", "", ""])
        for question in section.questions:
            appearance = ""
            if question.kind in CHOICE_KINDS:
                list_name = _list_name(question)
                word = "select_multiple" if question.kind == QuestionKind.MULTIPLE else "select_one"
                type_text = f"{word} {list_name}"
                if list_name not in written_lists:
                    written_lists.add(list_name)
                    choices.extend([list_name, choice.value, choice.label] for choice in question.choices)
            elif question.kind == QuestionKind.NUMBER:
                type_text = "decimal"
            elif question.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
                type_text = "text"
                appearance = "multiline" if question.kind == QuestionKind.LONG_TEXT else ""
            else:
                type_text = str(question.kind)  # date, note
            relevant = ""
            if question.condition is not None:
                target, value = question.condition
                if kinds.get(target) == QuestionKind.MULTIPLE:
                    relevant = f"selected(${{{target}}}, {_quote(value)})"
                else:
                    relevant = f"${{{target}}} = {_quote(value)}"
            survey.append(
                [
                    type_text,
                    question.code,
                    question.text,
                    question.hint,
                    "yes" if question.required else "",
                    relevant,
                    appearance,
                ]
            )
        survey.append(["end_group", "", "", "", "", "", ""])
    return survey, choices


def export_xlsform(version: QuestionnaireVersion) -> bytes:
    """An XLSForm workbook (``survey``, ``choices``, ``settings``) of ``version``."""
    spec = spec_of(version)
    survey, choices = xlsform_rows(spec)
    workbook = Workbook()
    bold = Font(bold=True)
    sheets = (
        ("survey", SURVEY_HEADER, survey),
        ("choices", CHOICES_HEADER, choices),
        (
            "settings",
            ("form_title", "form_id", "version", "default_language"),
            [[spec.title, spec.code, str(version.number), "Vietnamese (vi)"]],
        ),
    )
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text, never a formula a spreadsheet would run
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

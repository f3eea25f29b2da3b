"""The error workbook of an import: the bad rows as they were in the file, with the row number and what is wrong
(written by :mod:`cchc.procedures.error_file`, which the background job uses too)."""

from __future__ import annotations

from .error_file import error_workbook

__all__ = ["error_workbook"]

"""Errors of the contract import: every one names file, row and column, in French and English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class CellError:
    """One bad cell (or bad file when ``row`` is 0, bad header when ``column`` is set and ``row`` is 1)."""

    file: str
    row: int
    column: str
    fr: str
    en: str

    def line(self) -> str:
        where = f"{self.file}:{self.row}:{self.column}" if self.row else self.file
        return f"{where}: {self.fr} / {self.en}"


class ContractImportError(Exception):
    """Bad input: the list of errors, nothing written or loaded."""

    def __init__(self, errors: list[CellError]) -> None:
        self.errors = sorted(set(errors))
        super().__init__("\n".join(e.line() for e in self.errors))

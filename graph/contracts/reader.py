"""Reading the sheets: a folder of ``<sheet>.csv`` files or an ``.xlsx`` workbook, with header checks.

Every row keeps where it was read (file label and 1-based row number, the header being row 1), so every
later check can name file:row:column.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from graph.contracts.columns import SHEET_BY_NAME, SHEETS, Sheet
from graph.contracts.errors import CellError

REQUIRED_SHEETS = ("sources", "contracts")


@dataclass(frozen=True)
class Row:
    file: str
    row: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def error(self, column: str, fr: str, en: str) -> CellError:
        return CellError(self.file, self.row, column, fr, en)


@dataclass
class Tables:
    """The rows of every sheet of one input (folder or workbook)."""

    origin: str
    rows: dict[str, list[Row]] = field(default_factory=dict)

    def sheet(self, name: str) -> list[Row]:
        return self.rows.get(name, [])


def read_input(path: Path, errors: list[CellError]) -> Tables:
    """The tables of a CSV folder or an .xlsx workbook; problems are appended to ``errors``."""
    if path.is_dir():
        return _read_folder(path, errors)
    if path.suffix.lower() == ".xlsx" and path.is_file():
        return _read_workbook(path, errors)
    errors.append(
        CellError(
            str(path), 0, "", "ni un dossier de CSV ni un classeur .xlsx", "neither a CSV folder nor an .xlsx workbook"
        )
    )
    return Tables(str(path))


def _read_folder(folder: Path, errors: list[CellError]) -> Tables:
    tables = Tables(str(folder))
    for path in sorted(folder.glob("*.csv")):
        name = path.stem
        if name not in SHEET_BY_NAME:
            errors.append(_unknown_sheet(str(path), name))
            continue
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                lines = list(csv.reader(handle))
        except UnicodeDecodeError:
            errors.append(CellError(str(path), 0, "", "le fichier n'est pas en UTF-8", "the file is not UTF-8"))
            continue
        tables.rows[name] = _rows(SHEET_BY_NAME[name], str(path), lines, errors)
    _check_required(tables, str(folder), errors)
    return tables


def _read_workbook(path: Path, errors: list[CellError]) -> Tables:
    import openpyxl

    tables = Tables(str(path))
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a broken file
        errors.append(CellError(str(path), 0, "", f"classeur illisible ({exc})", f"unreadable workbook ({exc})"))
        return tables
    for ws in book.worksheets:
        label = f"{path}[{ws.title}]"
        if ws.title not in SHEET_BY_NAME:
            errors.append(_unknown_sheet(label, ws.title))
            continue
        lines = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        tables.rows[ws.title] = _rows(SHEET_BY_NAME[ws.title], label, lines, errors)
    book.close()
    _check_required(tables, str(path), errors)
    return tables


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unknown_sheet(where: str, name: str) -> CellError:
    known = ", ".join(s.name for s in SHEETS)
    return CellError(
        where, 0, "", f"feuille inconnue {name!r} (attendu : {known})", f"unknown sheet {name!r} (expected: {known})"
    )


def _check_required(tables: Tables, where: str, errors: list[CellError]) -> None:
    for name in REQUIRED_SHEETS:
        if name not in tables.rows:
            errors.append(CellError(where, 0, "", f"feuille {name!r} manquante", f"missing sheet {name!r}"))


def _rows(sheet: Sheet, label: str, lines: list[list[str]], errors: list[CellError]) -> list[Row]:
    if not lines:
        errors.append(CellError(label, 0, "", "fichier vide (pas de ligne d'en-tête)", "empty file (no header line)"))
        return []
    header = [h.strip() for h in lines[0]]
    while header and header[-1] == "":
        header.pop()
    ok = True
    for index, name in enumerate(header, start=1):
        if name not in sheet.names:
            errors.append(
                CellError(label, 1, name or f"#{index}", f"colonne inconnue {name!r}", f"unknown column {name!r}")
            )
            ok = False
        elif header.count(name) > 1:
            errors.append(CellError(label, 1, name, "colonne en double", "duplicate column"))
            ok = False
    for col in sheet.columns:
        if col.name not in header and not col.added:
            errors.append(CellError(label, 1, col.name, "colonne manquante", "missing column"))
            ok = False
    if not ok:
        return []
    rows: list[Row] = []
    for number, line in enumerate(lines[1:], start=2):
        cells = [c.strip() for c in line]
        if not any(cells):
            continue
        if len(cells) > len(header) and any(cells[len(header) :]):
            errors.append(
                CellError(
                    label,
                    number,
                    f"#{len(header) + 1}",
                    "valeur hors des colonnes de l'en-tête",
                    "value outside the header's columns",
                )
            )
            continue
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        rows.append(Row(label, number, values))
    return rows

"""Reading the reference CSVs: every row keeps its file and 1-based line, every check names them."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.importer.errors import ImportFailure

DECIMAL_RE = re.compile(r"-?\d+(\.\d+)?")
INTEGER_RE = re.compile(r"\d+")


@dataclass(frozen=True)
class Row:
    """One data row: its values by column name, and where it was read."""

    path: Path
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def failure(self, fr: str, en: str) -> ImportFailure:
        return ImportFailure(fr, en, path=self.path, line=self.line)

    def required(self, column: str) -> str:
        """The value of ``column``; an empty value is an error."""
        value = self.values[column]
        if value == "":
            raise self.failure(f"valeur vide dans la colonne {column!r}", f"empty value in column {column!r}")
        return value

    def matching(self, column: str, pattern: re.Pattern[str], what_fr: str, what_en: str) -> str:
        """The (non-empty) value of ``column``, which must fully match ``pattern``."""
        value = self.required(column)
        if not pattern.fullmatch(value):
            raise self.failure(
                f"colonne {column!r} : {value!r} n'est pas {what_fr}", f"column {column!r}: {value!r} is not {what_en}"
            )
        return value

    def decimal(self, column: str) -> str:
        """A decimal number, returned as its exact source text (never through float)."""
        return self.matching(column, DECIMAL_RE, "un nombre décimal", "a decimal number")

    def integer(self, column: str) -> str:
        return self.matching(column, INTEGER_RE, "un entier positif", "a non-negative integer")


def read_csv(path: Path, required: Sequence[str]) -> list[Row]:
    """All rows of a UTF-8 CSV with a header line; missing columns, ragged or blank lines are errors."""
    if not path.is_file():
        raise ImportFailure("fichier introuvable", "file not found", path=path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise ImportFailure(
                "fichier vide (pas de ligne d'en-tête)", "empty file (no header line)", path=path, line=1
            )
        missing = [column for column in required if column not in header]
        if missing:
            raise ImportFailure(
                f"colonne(s) obligatoire(s) absente(s) de l'en-tête : {', '.join(missing)}",
                f"required column(s) missing from the header: {', '.join(missing)}",
                path=path,
                line=1,
            )
        rows: list[Row] = []
        previous_end = reader.line_num
        for cells in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if not cells:
                raise ImportFailure("ligne vide", "blank line", path=path, line=line)
            if len(cells) != len(header):
                raise ImportFailure(
                    f"{len(cells)} champs au lieu de {len(header)}",
                    f"{len(cells)} fields instead of {len(header)}",
                    path=path,
                    line=line,
                )
            rows.append(Row(path=path, line=line, values=dict(zip(header, cells, strict=True))))
        return rows


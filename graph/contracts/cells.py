"""Cell checks: each parser returns the value or None and appends a bilingual, located error."""

from __future__ import annotations

import datetime as dt
import re

from graph.contracts.columns import THEMES
from graph.contracts.errors import CellError
from graph.contracts.reader import Row
from graph.namespaces import XSD

KEY_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
QPV_RE = re.compile(r"QN(\d{3}|02[AB])\d{2}[MINC]")
SIREN_RE = re.compile(r"\d{9}")
INSEE_RE = re.compile(r"(\d{5}|2[AB]\d{3})")
AMOUNT_RE = re.compile(r"-?\d+(\.\d+)?")
URL_RE = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
CURRENCY_RE = re.compile(r"[A-Z]{3}")
SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")
MAX_SHORT = 200


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


class Cells:
    """Typed access to the cells of rows, collecting errors instead of stopping at the first."""

    def __init__(self, errors: list[CellError]) -> None:
        self.errors = errors

    def fail(self, row: Row, column: str, fr: str, en: str) -> None:
        self.errors.append(row.error(column, fr, en))

    def required(self, row: Row, column: str) -> str | None:
        value = row[column]
        if not value:
            self.fail(row, column, "valeur obligatoire manquante", "missing required value")
            return None
        return value

    def key(self, row: Row, column: str) -> str | None:
        value = row[column]
        if value and not KEY_RE.fullmatch(value):
            self.fail(
                row,
                column,
                f"clé invalide {value!r} (minuscules ascii, chiffres, -)",
                f"invalid key {value!r} (lowercase ascii, digits, -)",
            )
            return None
        return value or None

    def short(self, row: Row, column: str) -> str | None:
        value = row[column]
        if len(value) > MAX_SHORT:
            self.fail(
                row,
                column,
                f"plus de {MAX_SHORT} caractères ({len(value)})",
                f"more than {MAX_SHORT} characters ({len(value)})",
            )
            return None
        return value or None

    def choice(self, row: Row, column: str, choices: tuple[str, ...]) -> str | None:
        value = row[column]
        if value and value not in choices:
            self.fail(
                row,
                column,
                f"valeur inconnue {value!r} (attendu : {', '.join(choices)})",
                f"unknown value {value!r} (expected: {', '.join(choices)})",
            )
            return None
        return value or None

    def date(self, row: Row, column: str) -> tuple[str, str] | None:
        """(lexical form, XSD datatype) of a date cell: xsd:date, xsd:gYearMonth or xsd:gYear."""
        value = row[column]
        if not value:
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.fail(
                row,
                column,
                f"{value!r} n'est pas une date (AAAA-MM-JJ, JJ/MM/AAAA, AAAA-MM ou AAAA)",
                f"{value!r} is not a date (YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY)",
            )
        return parsed

    def day(self, row: Row, column: str) -> tuple[str, str] | None:
        """A date that must be a day (a signing date: xsd:date); a month or a year belongs in ``comment``."""
        parsed = self.date(row, column)
        if parsed and parsed[1] != XSD + "date":
            self.fail(
                row,
                column,
                f"{row[column]!r} : une date de signature est un jour (AAAA-MM-JJ ou JJ/MM/AAAA) ; "
                "si la source ne donne que le mois ou l'année, l'écrire dans comment",
                f"{row[column]!r}: a signing date is a day (YYYY-MM-DD or DD/MM/YYYY); "
                "when the source gives only the month or the year, write it in comment",
            )
            return None
        return parsed

    def year(self, row: Row, column: str) -> str | None:
        value = row[column]
        if value and not re.fullmatch(r"(19|20)\d{2}", value):
            self.fail(row, column, f"{value!r} n'est pas une année", f"{value!r} is not a year")
            return None
        return value or None

    def amount(self, row: Row, column: str) -> str | None:
        value = row[column]
        if not value:
            return None
        text = value.translate(SPACES).replace(",", ".")
        if not AMOUNT_RE.fullmatch(text):
            self.fail(row, column, f"{value!r} n'est pas un montant", f"{value!r} is not an amount")
            return None
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text

    def count(self, row: Row, column: str) -> str | None:
        value = row[column].translate(SPACES)
        if not value:
            return None
        if not value.isdigit():
            self.fail(
                row,
                column,
                f"{row[column]!r} n'est pas un entier positif",
                f"{row[column]!r} is not a non-negative integer",
            )
            return None
        return str(int(value))

    def url(self, row: Row, column: str) -> str | None:
        value = row[column]
        if value and not URL_RE.fullmatch(value):
            self.fail(
                row, column, f"{value!r} n'est pas une URL http(s) absolue", f"{value!r} is not an absolute http(s) URL"
            )
            return None
        return value or None

    def theme(self, row: Row, column: str, value: str | None = None) -> str | None:
        value = row[column] if value is None else value
        if value and value not in THEMES:
            self.fail(row, column, f"thème inconnu {value!r}", f"unknown theme {value!r}")
            return None
        return value or None

    def themes(self, row: Row, column: str) -> list[str]:
        return [t for t in (self.theme(row, column, v) for v in split(row[column])) if t]

    def currency(self, row: Row, column: str) -> str:
        value = row[column] or "EUR"
        if not CURRENCY_RE.fullmatch(value):
            self.fail(row, column, f"{value!r} n'est pas un code ISO 4217", f"{value!r} is not an ISO 4217 code")
        return value

    def qpv_code(self, row: Row, column: str, value: str) -> str | None:
        if not QPV_RE.fullmatch(value):
            self.fail(
                row, column, f"{value!r} n'est pas un code QPV (QNdddddX)", f"{value!r} is not a QPV code (QNdddddX)"
            )
            return None
        return value


def split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def parse_date(value: str) -> tuple[str, str] | None:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value).isoformat(), XSD + "date"
        if re.fullmatch(r"\d{2}/\d{2}/\d{4}", value):
            day, month, year = value.split("/")
            return dt.date(int(year), int(month), int(day)).isoformat(), XSD + "date"
        if re.fullmatch(r"\d{4}-\d{2}", value):
            dt.date(int(value[:4]), int(value[5:]), 1)
            return value, XSD + "gYearMonth"
        if re.fullmatch(r"(19|20)\d{2}", value):
            return value, XSD + "gYear"
    except ValueError:
        return None
    return None

"""Lexical checks of typed literals (what pySHACL/rdflib call "ill-typed"), for the fast engine."""

from __future__ import annotations

import datetime as dt
import re

XSD = "http://www.w3.org/2001/XMLSchema#"

_PATTERNS: dict[str, re.Pattern[str]] = {
    "decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
    "integer": re.compile(r"[+-]?\d+"),
    "nonNegativeInteger": re.compile(r"\+?\d+|-0+"),
    "positiveInteger": re.compile(r"\+?0*[1-9]\d*"),
    "gYear": re.compile(r"-?\d{4,}(Z|[+-]\d{2}:\d{2})?"),
    "boolean": re.compile(r"true|false|1|0"),
    "date": re.compile(r"-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?"),
}


def checked_datatype(datatype: str) -> bool:
    """Whether values of this datatype need a lexical check (else any lexical form is accepted)."""
    return datatype.startswith(XSD) and datatype[len(XSD) :] in _PATTERNS


def well_formed(lexical: str, datatype: str) -> bool:
    """True when ``lexical`` is a valid lexical form of ``datatype`` (unknown datatypes are accepted)."""
    if not checked_datatype(datatype):
        return True
    name = datatype[len(XSD) :]
    if _PATTERNS[name].fullmatch(lexical) is None:
        return False
    if name == "date":
        try:
            dt.date.fromisoformat(lexical[:10])
        except ValueError:
            return False
    return True


def lexical_regex(datatype: str) -> str | None:
    """An anchored regular expression for the lexical forms of ``datatype`` when a regex alone decides
    (not for xsd:date, whose calendar check needs Python)."""
    if not checked_datatype(datatype) or datatype.endswith("#date"):
        return None
    return f"^({_PATTERNS[datatype[len(XSD) :]].pattern})$"

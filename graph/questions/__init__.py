"""The catalogue of named questions: parameterised SPARQL queries over the whole graph, each a ``.rq`` file of
``graph/questions/catalogue/`` whose leading ``#+`` comment lines hold its metadata in TOML (name, titles and
descriptions in French and English, typed parameters with defaults, an optional chart or map hint).

Parameters appear in the query text as ``$name`` variables. Rendering replaces each such token (found by the
project's SPARQL lexer, so never inside a string, an IRI or a comment) with a term built from the validated
value: an IRI through ``pyoxigraph.NamedNode``, a literal through ``pyoxigraph.Literal`` (escaped by the engine).
A value is never pasted into the text as it came.

    from graph.questions import load_catalogue, run_question
    catalogue = load_catalogue()
    question = catalogue["qpv-par-region"]
    sparql = question.render({})                 # the query with the defaults
    result = run_question(store, question, {"region": "84"})
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.namespaces import PREFIXES, XSD
from graph.sparql_text import tokenize
from graph.store import QueryResult, Store

CATALOGUE_DIR = Path(__file__).parent / "catalogue"
PARAMETER_TYPES = ("iri", "string", "integer", "date", "year", "code")
NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_PATTERNS = {
    "integer": r"^-?[0-9]{1,12}$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "year": r"^[0-9]{4}$",
    "iri": r"^https?://\S+$",
}


class QuestionError(ValueError):
    """A catalogue file that cannot be used (a defect of the catalogue, not of a request)."""


class UnknownQuestionError(LookupError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"question inconnue : {name!r} / unknown question: {name!r}")

    @property
    def message_fr(self) -> str:
        return f"question inconnue : {self.name!r} (quartiers ask --list)"

    @property
    def message_en(self) -> str:
        return f"unknown question: {self.name!r} (quartiers ask --list)"


class ParameterError(ValueError):
    """A bad request parameter: unknown, or a value that does not match the parameter's type or pattern."""

    def __init__(self, message_fr: str, message_en: str) -> None:
        self.message_fr = message_fr
        self.message_en = message_en
        super().__init__(f"{message_fr} / {message_en}")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str
    description: dict[str, str]
    pattern: str | None = None

    @property
    def effective_pattern(self) -> str | None:
        return self.pattern or DEFAULT_PATTERNS.get(self.type)

    def term(self, value: str) -> str:
        """The SPARQL term for ``value`` (validated): an IRI or an escaped, typed literal."""
        pattern = self.effective_pattern
        if pattern and not re.fullmatch(pattern, value):
            raise ParameterError(
                f"paramètre {self.name!r} : {value!r} n'est pas un(e) {TYPE_WORDS['fr'][self.type]} valide "
                f"(motif {pattern})",
                f"parameter {self.name!r}: {value!r} is not a valid {TYPE_WORDS['en'][self.type]} (pattern {pattern})",
            )
        try:
            return self._term(value)
        except (ValueError, SyntaxError) as exc:
            raise ParameterError(
                f"paramètre {self.name!r} : {value!r} n'est pas un(e) {TYPE_WORDS['fr'][self.type]} valide ({exc})",
                f"parameter {self.name!r}: {value!r} is not a valid {TYPE_WORDS['en'][self.type]} ({exc})",
            ) from exc

    def _term(self, value: str) -> str:
        if self.type == "iri":
            return str(ox.NamedNode(value))
        if self.type == "integer":
            return str(int(value))  # a bare integer is an xsd:integer, and the only form LIMIT/OFFSET take
        if self.type == "date":
            return str(ox.Literal(dt.date.fromisoformat(value).isoformat(), datatype=ox.NamedNode(XSD + "date")))
        if self.type == "year":
            return str(ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear")))
        return str(ox.Literal(value))  # string, code

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "pattern": self.effective_pattern,
            "description": dict(self.description),
        }


TYPE_WORDS = {
    "fr": {"iri": "IRI", "string": "texte", "integer": "entier", "date": "date (AAAA-MM-JJ)", "year": "année (AAAA)",
           "code": "code"},
    "en": {"iri": "IRI", "string": "string", "integer": "integer", "date": "date (YYYY-MM-DD)", "year": "year (YYYY)",
           "code": "code"},
}


@dataclass(frozen=True)
class Question:
    name: str
    title: dict[str, str]
    description: dict[str, str]
    parameters: tuple[Parameter, ...]
    text: str  # the SPARQL with $parameter variables (metadata lines removed)
    chart: dict[str, str] | None = None
    path: Path | None = field(default=None, compare=False)

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters) or "aucun / none"
        raise ParameterError(
            f"paramètre inconnu pour {self.name} : {name!r} (attendus : {known})",
            f"unknown parameter for {self.name}: {name!r} (expected: {known})",
        )

    def values(self, given: dict[str, str] | None = None) -> dict[str, str]:
        """Every parameter's value: the given ones (checked to be known) over the defaults."""
        given = given or {}
        for name in given:
            self.parameter(name)
        return {p.name: given.get(p.name, p.default) for p in self.parameters}

    def render(self, given: dict[str, str] | None = None) -> str:
        """The query with each ``$parameter`` replaced by the term of its (validated) value, and the project's
        prefixes the text uses declared."""
        values = self.values(given)
        terms = {p.name: p.term(values[p.name]) for p in self.parameters}
        out: list[str] = []
        last = 0
        for token in tokenize(self.text):
            if token.kind == "var" and token.text.startswith("$"):
                out.append(self.text[last : token.start])
                out.append(terms[token.text[1:]])
                last = token.end
        out.append(self.text[last:])
        return with_prefixes("".join(out))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": dict(self.title),
            "description": dict(self.description),
            "parameters": [p.to_json() for p in self.parameters],
            "query": self.render(),
            "chart": dict(self.chart) if self.chart else None,
        }


def with_prefixes(sparql: str) -> str:
    """Declare the project's prefixes that the query uses and does not declare itself."""
    declared = {t.text.split(":")[0] for t in _prefix_names(sparql)}
    used = {t.text.split(":")[0] for t in tokenize(sparql) if t.kind == "pname"}
    needed = [p for p in PREFIXES if p in used and p not in declared]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in needed) + sparql


def _prefix_names(sparql: str) -> list:
    tokens = [t for t in tokenize(sparql) if t.kind not in ("ws", "comment")]
    return [tokens[i + 1] for i, t in enumerate(tokens[:-1]) if t.keyword == "PREFIX"]


def parse_question(text: str, path: Path | None = None) -> Question:
    """A question from a ``.rq`` file's text: the ``#+`` lines are its TOML metadata, the rest its query."""
    where = str(path) if path else "<text>"
    meta_lines = [line[2:] for line in text.splitlines() if line.startswith("#+")]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#+")).strip() + "\n"
    try:
        meta = tomllib.loads("\n".join(meta_lines))
    except tomllib.TOMLDecodeError as exc:
        raise QuestionError(f"{where}: metadata: {exc}") from exc
    try:
        name = meta["name"]
        title = {"fr": meta["title"]["fr"], "en": meta["title"]["en"]}
        description = {"fr": meta["description"]["fr"], "en": meta["description"]["en"]}
        parameters = tuple(
            Parameter(
                name=p["name"],
                type=p["type"],
                default=str(p["default"]),
                description={"fr": p["description"]["fr"], "en": p["description"]["en"]},
                pattern=p.get("pattern"),
            )
            for p in meta.get("parameters", [])
        )
    except (KeyError, TypeError) as exc:
        raise QuestionError(f"{where}: metadata: missing {exc}") from exc
    question = Question(name, title, description, parameters, body, meta.get("chart"), path)
    check_question(question, where)
    return question


def check_question(question: Question, where: str) -> None:
    if not NAME_RE.fullmatch(question.name):
        raise QuestionError(f"{where}: bad name {question.name!r}")
    if (path := question.path) and path.stem != question.name:
        raise QuestionError(f"{where}: name {question.name!r} is not the file's name")
    declared = {p.name for p in question.parameters}
    for p in question.parameters:
        if p.type not in PARAMETER_TYPES:
            raise QuestionError(f"{where}: parameter {p.name!r}: unknown type {p.type!r}")
        p.term(p.default)  # the default must be valid
    used = {t.text[1:] for t in tokenize(question.text) if t.kind == "var" and t.text.startswith("$")}
    if used != declared:
        raise QuestionError(f"{where}: parameters used {sorted(used)} ≠ declared {sorted(declared)}")


@cache
def _load(directory: Path) -> tuple[Question, ...]:
    return tuple(
        parse_question(path.read_text(encoding="utf-8"), path) for path in sorted(directory.glob("*.rq"))
    )


def load_catalogue(directory: Path | None = None) -> dict[str, Question]:
    """Every question of the catalogue, by name (files read once per process)."""
    return {q.name: q for q in _load(directory or CATALOGUE_DIR)}


def get_question(name: str, directory: Path | None = None) -> Question:
    catalogue = load_catalogue(directory)
    if name not in catalogue:
        raise UnknownQuestionError(name)
    return catalogue[name]


def run_question(store: Store, question: Question, given: dict[str, str] | None = None) -> QueryResult:
    """Run a question in-process on ``store`` (default graph = the union of its graphs)."""
    return store.query(question.render(given))


__all__ = [
    "CATALOGUE_DIR",
    "ParameterError",
    "Question",
    "QuestionError",
    "UnknownQuestionError",
    "get_question",
    "load_catalogue",
    "run_question",
]

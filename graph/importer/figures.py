"""Hand-collected key figures (contrats/reference_figures.csv), each with the public page it was read from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from graph.importer import sources
from graph.importer.csvread import DECIMAL_RE, Row, read_csv
from graph.importer.naming import slug
from graph.importer.turtle import Graph, Literal, fr, string, typed
from graph.namespaces import DC, DCT, PROV, QK, QKI, RDF, RDFS, SCHEMA, XSD

FIGURES_FILE = "chiffres-cles.ttl"
FIGURES_TABLE = "contrats/reference_figures.csv"
COLUMNS = ("topic", "subject", "value", "unit", "as_of", "source_url", "note")
URL_RE = re.compile(r"https?://[^\s<>\"{}|^`\\]+")
DATE_PATTERNS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "date"),
    (re.compile(r"\d{4}-\d{2}"), "gYearMonth"),
    (re.compile(r"\d{4}"), "gYear"),
)


@dataclass(frozen=True)
class Figure:
    key: str
    topic: str
    subject: str
    value: str
    unit: str
    as_of: str
    source_url: str
    note: str

    @property
    def iri(self) -> str:
        return f"{QKI}chiffre-cle/{self.key}"


def read_figures(path: Path) -> list[Figure]:
    figures: dict[str, Figure] = {}
    for row in read_csv(path, COLUMNS):
        figure = _parse(row)
        if figure.key in figures:
            raise row.failure(f"chiffre en double {figure.key}", f"duplicate figure {figure.key}")
        figures[figure.key] = figure
    return [figures[key] for key in sorted(figures)]


def _parse(row: Row) -> Figure:
    topic = row.required("topic")
    subject = row.required("subject")
    as_of = row["as_of"]
    if as_of and _date_type(as_of) is None:
        raise row.failure(f"date as_of invalide {as_of!r}", f"invalid as_of date {as_of!r}")
    return Figure(
        key=f"{slug(topic)}/{slug(subject)}",
        topic=topic,
        subject=subject,
        value=row.required("value"),
        unit=row.required("unit"),
        as_of=as_of,
        source_url=row.matching("source_url", URL_RE, "une URL", "a URL"),
        note=row["note"],
    )


def _date_type(text: str) -> str | None:
    for pattern, datatype in DATE_PATTERNS:
        if pattern.fullmatch(text):
            return XSD + datatype
    return None


def _value(text: str) -> Literal:
    """A number as xsd:decimal, a date as its XSD date type, anything else (lists, "448 / 400") as a string."""
    if DECIMAL_RE.fullmatch(text):
        return typed(text, XSD + "decimal")
    datatype = _date_type(text)
    return typed(text, datatype) if datatype else string(text)


def build_figures_graph(figures: list[Figure]) -> Graph:
    info = sources.DatasetInfo(
        file_name=FIGURES_FILE,
        title_fr="Chiffres clés relevés à la main, avec leur page source",
        title_en="Hand-collected key figures, with their source page",
        source="",
        license=sources.LICENCE_NOT_STATED,
        issued="",
        derived_from=tuple(sorted({f.source_url for f in figures})),
        shared_files=(FIGURES_TABLE,),
        note_fr="Valeurs transcrites des pages citées (prov:wasDerivedFrom de chaque chiffre), non calculées.",
        note_en="Values transcribed from the cited pages (each figure's prov:wasDerivedFrom), not computed.",
    )
    graph = sources.describe_dataset(info)
    for url in info.derived_from:
        graph.add(info.graph_iri, DCT + "source", url)
    for figure in figures:
        iri = figure.iri
        graph.add(iri, RDF + "type", QK + "ReferenceFigure")
        graph.add(iri, RDFS + "label", fr(figure.subject))
        graph.add(iri, DC + "subject", string(figure.topic))  # a topic code as text: dct:subject takes resources
        graph.add(iri, RDF + "value", _value(figure.value))
        graph.add(iri, SCHEMA + "unitText", string(figure.unit))
        if figure.as_of:
            graph.add(iri, DCT + "date", typed(figure.as_of, _date_type(figure.as_of) or ""))
        if figure.note:
            graph.add(iri, RDFS + "comment", string(figure.note))
        graph.add(iri, PROV + "wasDerivedFrom", figure.source_url)
    return graph

"""The visual query builder's configuration (Sparnatural, SHACL flavour), generated from the project's own
ontology (``ontology/``) and shapes (``shapes/``) — never written by hand.

One ``sh:NodeShape`` per class a user can start from or reach: the classes the shapes target, the project's own
classes and the INSEE territories, plus the ranges of their properties. One property shape per property whose
``rdfs:domain`` is such a class (or that a shape of the class constrains with a plain IRI path), with
``sh:class`` for an object property and ``sh:datatype`` for a literal one, which makes Sparnatural choose its
widget (autocomplete on labels, dates, numbers…). Properties the ontology gives no domain are placed by
``usage``: (class, property) pairs observed in the data, passed in by the caller (the service computes them with
one SPARQL query). Labels (fr, en) come from the ontology; a class without one is named by its local name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD

from graph.layout import resource_dir
from graph.namespaces import BASE, IGEO, PREFIXES, QK

DASH = Namespace("http://datashapes.org/dash#")
VOLIPI = Namespace("http://data.sparna.fr/ontologies/volipi#")
CONFIG_NS = BASE + "sparnatural/"
# classes never offered: the vocabularies' generic super-classes and the service's own bookkeeping
HIDDEN_NAMESPACES = ("http://www.w3.org/ns/prov#", "https://schema.org/", "http://data.europa.eu/m8g/",
                     "http://www.opengis.net/", "http://purl.org/linked-data/cube#", "https://spec.edmcouncil.org/",
                     "http://xmlns.com/foaf/0.1/Document", "http://purl.org/dc/terms/Location",
                     "http://www.w3.org/1999/02/22-rdf-syntax-ns#")  # rdf:Statement: reification, not a thing
HIDDEN_CLASSES = {"http://www.w3.org/ns/org#Organization", "http://xmlns.com/foaf/0.1/Organization"}
LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel)
ICONS = {  # Font Awesome names, bundled by Sparnatural
    QK + "Contract": "fa-solid fa-file-signature", QK + "QPV": "fa-solid fa-city",
    QK + "Organisation": "fa-solid fa-building", QK + "Funding": "fa-solid fa-euro-sign",
    IGEO + "Commune": "fa-solid fa-location-dot", QK + "Signature": "fa-solid fa-pen-nib",
}


def source_graph(files: Iterable[Path]) -> Graph:
    graph = Graph()
    for path in files:
        graph.parse(path, format="turtle")
    return graph


def default_files() -> list[Path]:
    return sorted(resource_dir("ontology").glob("*.ttl")) + sorted(resource_dir("shapes").glob("*.ttl"))


def local_label(iri: str) -> str:
    name = re.split(r"[#/]", iri)[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


def labels(source: Graph, iri: URIRef) -> dict[str, str]:
    found: dict[str, str] = {}
    for prop in (RDFS.label, SKOS.prefLabel):
        for value in source.objects(iri, prop):
            if isinstance(value, Literal) and value.language in ("fr", "en") and value.language not in found:
                found[value.language] = str(value)
    if not found:
        found = {"fr": local_label(str(iri)), "en": local_label(str(iri))}
    found.setdefault("fr", found.get("en", ""))
    found.setdefault("en", found.get("fr", ""))
    return found


def visible(iri: object) -> bool:
    if not isinstance(iri, URIRef):
        return False
    text = str(iri)
    return text not in HIDDEN_CLASSES and not text.startswith(HIDDEN_NAMESPACES)


def shape_targets(source: Graph) -> dict[URIRef, set[URIRef]]:
    """class → the plain IRI paths the shapes constrain on it."""
    paths: dict[URIRef, set[URIRef]] = {}
    for shape in set(source.subjects(SH.targetClass, None)):
        for target in source.objects(shape, SH.targetClass):
            if not isinstance(target, URIRef):
                continue
            found = paths.setdefault(target, set())
            for prop_shape in source.objects(shape, SH.property):
                path = source.value(prop_shape, SH.path)
                if isinstance(path, URIRef) and value_range(source, path) is not None:
                    found.add(path)
    return paths


def value_range(source: Graph, prop: URIRef) -> URIRef | None:
    """The range of ``prop``: its ``rdfs:range``, else the ``sh:class``/``sh:datatype`` a shape gives its path."""
    declared = source.value(prop, RDFS.range)
    if isinstance(declared, URIRef):
        return declared
    for prop_shape in source.subjects(SH.path, prop):
        for key in (SH["class"], SH.datatype):
            found = source.value(prop_shape, key)
            if isinstance(found, URIRef):
                return found
    return None


def properties(source: Graph) -> list[URIRef]:
    found = set(source.subjects(RDF.type, OWL.ObjectProperty)) | set(source.subjects(RDF.type, OWL.DatatypeProperty))
    return sorted(p for p in found if isinstance(p, URIRef) and str(p).startswith(QK))


def config_graph(source: Graph, usage: Iterable[tuple[str, str]] = ()) -> Graph:
    """The Sparnatural SHACL configuration for ``source`` (ontology + shapes)."""
    by_class: dict[URIRef, set[URIRef]] = {}
    for cls, paths in shape_targets(source).items():
        by_class.setdefault(cls, set()).update(paths)
    for cls in source.subjects(RDF.type, OWL.Class):
        if isinstance(cls, URIRef) and str(cls).startswith((QK, IGEO)):
            by_class.setdefault(cls, set())
    for prop in properties(source):
        for domain in source.objects(prop, RDFS.domain):
            if isinstance(domain, URIRef):
                by_class.setdefault(domain, set()).add(prop)
    for cls, prop in usage:
        if URIRef(prop) in properties_set(source):
            by_class.setdefault(URIRef(cls), set()).add(URIRef(prop))
    for props in list(by_class.values()):
        for prop in props:
            rng = value_range(source, prop)
            if isinstance(rng, URIRef) and not str(rng).startswith(str(XSD)) and rng != RDF.langString:
                by_class.setdefault(rng, set())
    classes = sorted(c for c in by_class if visible(c))
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    out.bind("dash", DASH)
    out.bind("volipi", VOLIPI)
    out.bind("cfg", CONFIG_NS)
    for cls in classes:
        add_node_shape(out, source, cls, sorted(by_class[cls]), set(classes))
    return out


def properties_set(source: Graph) -> set[URIRef]:
    return set(properties(source))


def shape_iri(cls: URIRef) -> URIRef:
    prefix = next((name for name, ns in PREFIXES.items() if str(cls).startswith(ns)), "x")
    return URIRef(CONFIG_NS + prefix + "-" + re.split(r"[#/]", str(cls))[-1])


def add_node_shape(out: Graph, source: Graph, cls: URIRef, props: list[URIRef], classes: set[URIRef]) -> None:
    node = shape_iri(cls)
    out.add((node, RDF.type, SH.NodeShape))
    out.add((node, SH.targetClass, cls))
    for lang, text in labels(source, cls).items():
        out.add((node, RDFS.label, Literal(text, lang=lang)))
    for lang in ("fr", "en"):
        definition = next((d for d in source.objects(cls, SKOS.definition)
                           if isinstance(d, Literal) and d.language == lang), None)
        if definition is not None:
            out.add((node, RDFS.comment, definition))
    if str(cls) in ICONS:
        out.add((node, VOLIPI.iconName, Literal(ICONS[str(cls)])))
    for parent in source.objects(cls, RDFS.subClassOf):
        if parent in classes:  # Sparnatural reads the hierarchy on the target classes: nesting and inherited properties
            out.add((cls, RDFS.subClassOf, parent))
    label_shape = URIRef(f"{node}/label")
    out.add((node, SH.property, label_shape))
    out.add((label_shape, SH.path, RDFS.label))
    out.add((label_shape, SH.datatype, XSD.string))
    out.add((label_shape, DASH.propertyRole, DASH.LabelRole))
    out.add((label_shape, SH.name, Literal("nom", lang="fr")))
    out.add((label_shape, SH.name, Literal("name", lang="en")))
    for order, prop in enumerate(props):
        if prop in LABEL_PROPERTIES:
            continue
        rng = value_range(source, prop)
        if isinstance(rng, URIRef) and not str(rng).startswith(str(XSD)) and rng != RDF.langString:
            if rng not in classes:
                continue
            target: tuple[URIRef, URIRef] = (SH["class"], rng)
        else:
            target = (SH.datatype, rng if isinstance(rng, URIRef) else XSD.string)
        prop_shape = URIRef(f"{node}/{re.split(r'[#/]', str(prop))[-1]}")
        out.add((node, SH.property, prop_shape))
        out.add((prop_shape, SH.path, prop))
        out.add((prop_shape, *target))
        out.add((prop_shape, SH.order, Literal(order)))
        for lang, text in labels(source, prop).items():
            out.add((prop_shape, SH.name, Literal(text, lang=lang)))
        if target[0] == SH.datatype and target[1] in (XSD.string, RDF.langString):
            out.add((prop_shape, DASH.searchWidget, URIRef("http://data.sparna.fr/ontologies/sparnatural-config-core#SearchProperty")))


def config_turtle(usage: Iterable[tuple[str, str]] = (), files: Iterable[Path] | None = None) -> str:
    source = source_graph(default_files() if files is None else files)
    return config_graph(source, usage).serialize(format="turtle")


def domainless_properties(files: Iterable[Path] | None = None) -> list[str]:
    """The project's properties the ontology gives no ``rdfs:domain`` (placed by their use in the data)."""
    source = source_graph(default_files() if files is None else files)
    return [str(p) for p in properties(source) if source.value(p, RDFS.domain) is None]


__all__ = ["BNode", "config_graph", "config_turtle", "domainless_properties", "source_graph"]

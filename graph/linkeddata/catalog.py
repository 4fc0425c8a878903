"""The DCAT-AP 3 catalogue and the VoID description of the dataset, as triples.

Inputs are what the service reads once per store generation (``metadata_queries``): the named graphs and their
triple counts (the engine's per-generation counts), each graph's description of itself (``?g ?p ?o`` inside
graph ``?g``: title, description, licence, sources, dates, linkset fields), a contract graph's contract period
and territory, a funding graph's years. ``catalog_triples`` and ``void_triples`` are pure functions of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.linkeddata.describe import Binding, Value, iri_term
from graph.linkeddata.iris import graph_local_name
from graph.namespaces import DCAT, DCT, FOAF, OWL, PROV, QK, RDF, RDFS, SD, SKOS, VOID, XSD

SPDX = "http://spdx.org/rdf/terms#"
# the algorithm as the DCAT-AP 3.0.1 vocabulary shapes want it (their pattern is ^https://spdx.org/rdf/terms)
SHA256 = "https://spdx.org/rdf/terms#checksumAlgorithm_sha256"
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
LICENCE_OUVERTE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
FRANCE = EU + "country/FRA"
FRENCH, ENGLISH = EU + "language/FRA", EU + "language/ENG"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"

# dump formats: extension -> (media type, EU file type, label)
DUMP_FORMATS: dict[str, tuple[str, str, str]] = {
    "ttl": ("text/turtle", "RDF_TURTLE", "Turtle"),
    "nt": ("application/n-triples", "RDF_N_TRIPLES", "N-Triples"),
    "trig": ("application/trig", "RDF_TRIG", "TriG"),
    "nq": ("application/n-quads", "RDF_N_QUADS", "N-Quads"),
}
# EU data themes of every dataset: urban policy is about regions and cities, and these are public-sector acts
THEMES = (("REGI", "Régions et villes", "Regions and cities"),
          ("GOVE", "Gouvernement et secteur public", "Government and public sector"))
GRAPH_DISTRIBUTIONS = ("ttl", "nt.gz")  # listed in the catalogue for each graph (all forms are served)
ALL_DISTRIBUTIONS = ("nq.gz", "trig.gz")
ALL_NAME = "all"


@dataclass
class GraphInfo:
    iri: str
    triples: int
    meta: dict[str, list[Value]] = field(default_factory=dict)  # predicate -> values (the graph's self-description)
    nested: dict[str, dict[str, list[Value]]] = field(default_factory=dict)  # blank node -> predicate -> values
    start: str | None = None  # temporal coverage (xsd:date)
    end: str | None = None
    spatial: list[str] = field(default_factory=list)

    def first(self, predicate: str, lang: str | None = None) -> Value | None:
        values = self.meta.get(predicate, [])
        if lang is not None:
            values = [v for v in values if v.lang == lang] or values
        return values[0] if values else None


@dataclass(frozen=True)
class Site:
    """Where the catalogue's links point: the public base of the IRIs and the server's own URL."""

    base: str
    server: str  # e.g. http://127.0.0.1:8000 (no trailing slash)

    def url(self, path: str) -> str:
        return self.server + path

    def dump_url(self, name: str, ext: str) -> str:
        return self.url(f"/dumps/{name}.{ext}")


Checksums = dict[str, tuple[str, int]]  # dump URL path (/dumps/x.ttl) -> (sha256 hex, bytes)


# --- metadata queries -------------------------------------------------------------------------------------
def self_description_query(graphs: Iterable[str]) -> str:
    """What each graph says about itself. One constant pattern per graph (a UNION): the engine then reads each
    graph's triples about its own IRI from the index (``VALUES ?g`` + ``GRAPH ?g { ?g ?p ?o }`` scans: 0.5 s
    against 0.01 s on the national graph)."""
    parts = [f"{{ GRAPH {iri_term(g)} {{ {iri_term(g)} ?p ?o OPTIONAL {{ ?o ?bp ?bo FILTER(isBlank(?o)) }} }} "
             f"BIND({iri_term(g)} AS ?g) }}" for g in sorted(graphs)]
    return "SELECT ?g ?p ?o ?bp ?bo WHERE { " + " UNION ".join(parts) + " }"


def coverage_queries(graphs: Iterable[str], qk: str = QK) -> dict[str, str]:
    values = " ".join(iri_term(g) for g in sorted(graphs))
    return {
        "contracts": f"SELECT ?g ?start ?end ?territory WHERE {{ VALUES ?g {{ {values} }} "
        f"GRAPH ?g {{ ?g <{DCT}subject> ?c }} OPTIONAL {{ ?c <{qk}period> ?period . "
        f"?period <{DCAT}startDate> ?start ; <{DCAT}endDate> ?end }} OPTIONAL {{ ?c <{qk}territory> ?territory }} }}",
        "years": f"SELECT ?g (MIN(STR(?y)) AS ?min) (MAX(STR(?y)) AS ?max) WHERE {{ VALUES ?g {{ {values} }} "
        f"VALUES ?yp {{ <{qk}year> <{qk}aggregateYear> }} GRAPH ?g {{ ?f ?yp ?y }} }} GROUP BY ?g",
        "ontology": f"SELECT ?p ?o WHERE {{ ?o0 a <{OWL}Ontology> ; ?p ?o }}",
    }


def graph_infos(counts: dict[str, int], described: list[Binding], coverage: dict[str, list[Binding]],
                skip: Iterable[str] = ()) -> list[GraphInfo]:
    """One ``GraphInfo`` per non-empty named graph, from the metadata queries' rows."""
    skipped = set(skip)
    infos = {g: GraphInfo(g, n) for g, n in sorted(counts.items()) if g and n > 0 and g not in skipped}
    for row in described:
        info = infos.get(row["g"]["value"])
        if info is None:
            continue
        value = Value.of(row["o"])
        values = info.meta.setdefault(row["p"]["value"], [])
        if value not in values:
            values.append(value)
        if "bp" in row:
            nested = info.nested.setdefault(value.value, {}).setdefault(row["bp"]["value"], [])
            bo = Value.of(row["bo"])
            if bo not in nested:
                nested.append(bo)
    for row in coverage.get("contracts", []):
        info = infos.get(row["g"]["value"])
        if info is None:
            continue
        if "start" in row and "end" in row:
            info.start, info.end = row["start"]["value"], row["end"]["value"]
        if "territory" in row and row["territory"]["value"] not in info.spatial:
            info.spatial.append(row["territory"]["value"])
    for row in coverage.get("years", []):
        info = infos.get(row["g"]["value"])
        if info is not None and "min" in row and row["min"]["value"][:4].isdigit():
            info.start = row["min"]["value"][:4] + "-01-01"
            info.end = row["max"]["value"][:4] + "-12-31"
    return list(infos.values())


# --- triples helpers ----------------------------------------------------------------------------------------
class Triples:
    def __init__(self) -> None:
        self.items: list[ox.Triple] = []
        self._bnodes = 0

    def add(self, s: ox.NamedNode | ox.BlankNode | str, p: str, o: ox.Term | str) -> None:
        subject = ox.NamedNode(s) if isinstance(s, str) else s
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        self.items.append(ox.Triple(subject, ox.NamedNode(p), obj))

    def bnode(self) -> ox.BlankNode:
        self._bnodes += 1
        return ox.BlankNode(f"n{self._bnodes}")


def literal(value: Value) -> ox.Literal:
    if value.lang:
        return ox.Literal(value.value, language=value.lang)
    if value.datatype:
        return ox.Literal(value.value, datatype=ox.NamedNode(value.datatype))
    return ox.Literal(value.value)


def text(value: str, lang: str) -> ox.Literal:
    return ox.Literal(value, language=lang)


def date(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + ("date" if len(value) == 10 else "dateTime")))


def concept(t: Triples, iri: str, scheme: str, fr: str, en: str) -> None:
    """An authority-table concept the catalogue uses, with its scheme (the EU vocabularies' shapes ask for it)."""
    t.add(iri, RDF + "type", SKOS + "Concept")
    t.add(iri, SKOS + "inScheme", scheme)
    t.add(iri, SKOS + "prefLabel", text(fr, "fr"))
    t.add(iri, SKOS + "prefLabel", text(en, "en"))


# --- the catalogue ------------------------------------------------------------------------------------------
def fallback_titles(info: GraphInfo, site: Site) -> tuple[str, str, str, str]:
    """Title and description (fr, en) of a graph that does not describe itself."""
    name = graph_local_name(info.iri, site.base) or info.iri
    if name == "inferred":
        return ("Conséquences OWL 2 RL", "OWL 2 RL entailments",
                "Les triplets que le raisonneur OWL 2 RL déduit des autres graphes et qu'aucun graphe n'énonce.",
                "The triples the OWL 2 RL reasoner entails from the other graphs and that no graph states.")
    if name == "audit/writes":
        return ("Journal des écritures", "Write log",
                "La provenance de chaque écriture acceptée par le point d'accès (PROV-O).",
                "The provenance of every write the endpoint accepted (PROV-O).")
    return (f"Graphe nommé {name}", f"Named graph {name}",
            f"Les triplets du graphe nommé <{info.iri}>.", f"The triples of the named graph <{info.iri}>.")


def keywords(info: GraphInfo, site: Site) -> list[ox.Literal]:
    name = graph_local_name(info.iri, site.base) or ""
    found = [text("politique de la ville", "fr"), text("urban policy", "en")]
    topics = {
        "qpv": ("quartiers prioritaires", "priority neighbourhoods"),
        "geo": ("géographie administrative", "administrative geography"),
        "contracts": ("contrats de ville", "urban-policy contracts"),
        "contrats": ("contrats de ville", "urban-policy contracts"),
        "adulte-relais": ("financements", "funding"),
        "fonjep": ("financements", "funding"),
        "postes": ("financements", "funding"),
        "links": ("liens", "links"),
        "ontology": ("ontologie", "ontology"),
        "chiffres": ("chiffres clés", "key figures"),
    }
    for key, (fr, en) in topics.items():
        if key in name:
            found += [text(fr, "fr"), text(en, "en")]
    return found


def licence_of(t: Triples, info: GraphInfo, site: Site, known: dict[str, ox.NamedNode | ox.BlankNode]) -> ox.Term:
    """The graph's stated licence (typed ``dct:LicenseDocument``); the project's "not stated" licence when the
    graph states none (entailments, write log, client graphs)."""
    stated = info.first(DCT + "license")
    key = stated.value if stated else site.base + "id/licence/non-indiquee"
    if key in known:
        return known[key]
    node: ox.NamedNode | ox.BlankNode
    if stated is not None and stated.kind == "bnode":
        node = t.bnode()
        for label in info.nested.get(stated.value, {}).get(RDFS + "label", []):
            t.add(node, RDFS + "label", literal(label))
    else:
        node = ox.NamedNode(key)
        if key == LICENCE_OUVERTE:
            t.add(node, RDFS + "label", text("Licence Ouverte / Open Licence 2.0 (Etalab)", "fr"))
        elif stated is None:
            t.add(node, RDFS + "label", text("Licence non indiquée, non affirmée ici", "fr"))
            t.add(node, RDFS + "label", text("Licence not stated, not asserted here", "en"))
    t.add(node, RDF + "type", DCT + "LicenseDocument")
    known[key] = node
    return node


def catalog_iri(site: Site) -> str:
    return site.url("/catalog")


def catalog_triples(infos: list[GraphInfo], site: Site, checksums: Checksums | None = None,
                    ontology: list[Binding] | None = None) -> list[ox.Triple]:
    """The DCAT-AP 3 catalogue: a ``dcat:Catalog``, one ``dcat:Dataset`` per named graph (plus the whole
    dataset), their distributions (the dumps), and a ``dcat:DataService`` for the SPARQL endpoint."""
    checksums = checksums or {}
    t = Triples()
    catalog = catalog_iri(site)
    publisher = site.url("/catalog#publisher")
    service = site.url("/catalog#sparql")
    t.add(catalog, RDF + "type", DCAT + "Catalog")
    t.add(catalog, DCT + "title", text("Quartiers KG : contrats de ville et quartiers prioritaires", "fr"))
    t.add(catalog, DCT + "title", text("Quartiers KG: French urban-policy contracts and priority neighbourhoods", "en"))
    t.add(catalog, DCT + "description", text(
        "Graphe de connaissances des contrats de ville 2015-2023 et 2024-2030, des QPV, des organisations "
        "signataires et des financements ; un jeu de données par graphe nommé.", "fr"))
    t.add(catalog, DCT + "description", text(
        "Knowledge graph of France's urban-policy contracts (2015-2023 and 2024-2030), priority neighbourhoods, "
        "signatory organisations and funding; one dataset per named graph.", "en"))
    t.add(catalog, DCT + "publisher", publisher)
    t.add(catalog, FOAF + "homepage", site.url("/"))
    t.add(site.url("/"), RDF + "type", FOAF + "Document")
    t.add(catalog, DCT + "language", FRENCH)
    t.add(catalog, DCT + "language", ENGLISH)
    for language, fr, en in ((FRENCH, "français", "French"), (ENGLISH, "anglais", "English")):
        concept(t, language, EU + "language", fr, en)
        t.add(language, RDF + "type", DCT + "LinguisticSystem")
    t.add(catalog, DCAT + "service", service)
    t.add(catalog, DCAT + "themeTaxonomy", EU + "data-theme")
    t.add(EU + "data-theme", RDF + "type", SKOS + "ConceptScheme")
    t.add(EU + "data-theme", DCT + "title", text("Data theme", "en"))
    for code, fr, en in THEMES:
        concept(t, EU + "data-theme/" + code, EU + "data-theme", fr, en)
    t.add(publisher, RDF + "type", FOAF + "Agent")
    t.add(publisher, FOAF + "name", text("Quartiers KG", "fr"))
    t.add(publisher, FOAF + "homepage", site.url("/"))
    t.add(service, RDF + "type", DCAT + "DataService")
    t.add(service, DCT + "title", text("Point d'accès SPARQL 1.1", "fr"))
    t.add(service, DCT + "title", text("SPARQL 1.1 endpoint", "en"))
    t.add(service, DCAT + "endpointURL", site.url("/sparql"))
    t.add(service, DCAT + "endpointDescription", site.url("/sparql"))
    t.add(service, DCT + "conformsTo", SPARQL_PROTOCOL)
    t.add(SPARQL_PROTOCOL, RDF + "type", DCT + "Standard")
    t.add(service, DCT + "publisher", publisher)
    t.add(service, DCT + "license", LICENCE_OUVERTE)
    licences: dict[str, ox.NamedNode | ox.BlankNode] = {}
    formats_used: set[str] = set()
    t.add(FRANCE, RDF + "type", DCT + "Location")
    concept(t, FRANCE, EU + "country", "France", "France")
    for info in infos:
        dataset = info.iri
        t.add(catalog, DCAT + "dataset", dataset)
        t.add(service, DCAT + "servesDataset", dataset)
        t.add(dataset, RDF + "type", DCAT + "Dataset")
        titles = [v for v in info.meta.get(DCT + "title", []) if v.kind == "literal"]
        descriptions = [v for v in info.meta.get(DCT + "description", []) if v.kind == "literal"]
        name = graph_local_name(dataset, site.base) or ""
        if name == "ontology/quartiers" and ontology:
            titles = titles or [Value.of(r["o"]) for r in ontology if r["p"]["value"] == DCT + "title"]
            descriptions = descriptions or [Value.of(r["o"]) for r in ontology
                                            if r["p"]["value"] == DCT + "description"]
        fr_title, en_title, fr_desc, en_desc = fallback_titles(info, site)
        for value in titles or [Value("literal", fr_title, "fr"), Value("literal", en_title, "en")]:
            t.add(dataset, DCT + "title", literal(value))
        if not descriptions:
            comments = [v for v in info.meta.get(RDFS + "comment", []) if v.kind == "literal"]
            descriptions = comments or [Value("literal", fr_desc, "fr"), Value("literal", en_desc, "en")]
        for value in descriptions:
            t.add(dataset, DCT + "description", literal(value))
        licence = licence_of(t, info, site, licences)
        t.add(dataset, DCT + "license", licence)
        t.add(dataset, DCT + "publisher", publisher)
        for key in (DCT + "issued", DCT + "modified"):
            value = info.first(key)
            if value is not None and value.datatype in (XSD + "date", XSD + "dateTime"):
                t.add(dataset, key, date(value.value))
        for code, _, _ in THEMES:
            t.add(dataset, DCAT + "theme", EU + "data-theme/" + code)
        for word in keywords(info, site):
            t.add(dataset, DCAT + "keyword", word)
        t.add(dataset, DCAT + "landingPage", dataset)
        t.add(dataset, RDF + "type", FOAF + "Document")  # the graph IRI dereferences to its page
        for page in sorted({v.value for key in (DCT + "source", PROV + "wasDerivedFrom")
                            for v in info.meta.get(key, []) if v.is_iri and v.value.startswith("http")}):
            t.add(dataset, FOAF + "page", page)
            t.add(page, RDF + "type", FOAF + "Document")
        if info.start and info.end:
            period = t.bnode()
            t.add(dataset, DCT + "temporal", period)
            t.add(period, RDF + "type", DCT + "PeriodOfTime")
            t.add(period, DCAT + "startDate", date(info.start))
            t.add(period, DCAT + "endDate", date(info.end))
        spatial = info.spatial or ([FRANCE] if name.startswith("data/reference/") else [])
        for place in spatial:
            t.add(dataset, DCT + "spatial", place)
            t.add(place, RDF + "type", DCT + "Location")
        t.add(dataset, VOID + "triples", ox.Literal(str(info.triples), datatype=ox.NamedNode(XSD + "integer")))
        for ext in GRAPH_DISTRIBUTIONS if name else ():
            distribution(t, dataset, site, name, ext, licence, checksums, formats_used)
    whole = site.url("/catalog#all")
    t.add(catalog, DCAT + "dataset", whole)
    t.add(service, DCAT + "servesDataset", whole)
    t.add(whole, RDF + "type", DCAT + "Dataset")
    t.add(whole, DCT + "title", text("Quartiers KG : le jeu complet (tous les graphes nommés)", "fr"))
    t.add(whole, DCT + "title", text("Quartiers KG: the whole dataset (every named graph)", "en"))
    t.add(whole, DCT + "description", text("Tous les graphes nommés, en quadruplets (N-Quads, TriG).", "fr"))
    t.add(whole, DCT + "description", text("Every named graph, as quads (N-Quads, TriG).", "en"))
    t.add(whole, DCT + "publisher", publisher)
    t.add(whole, DCAT + "landingPage", site.url("/"))
    t.add(whole, DCT + "spatial", FRANCE)
    total = sum(i.triples for i in infos)
    t.add(whole, VOID + "triples", ox.Literal(str(total), datatype=ox.NamedNode(XSD + "integer")))
    for info in infos:
        t.add(whole, DCT + "hasPart", info.iri)
    mixed = licences.get(site.base + "id/licence/non-indiquee") or licence_of(
        t, GraphInfo("", 0), site, licences)
    for ext in ALL_DISTRIBUTIONS:
        distribution(t, whole, site, ALL_NAME, ext, mixed, checksums, formats_used)
    for file_type in sorted(formats_used):
        concept(t, EU + "file-type/" + file_type, EU + "file-type", file_type.replace("_", " "),
                file_type.replace("_", " "))
        t.add(EU + "file-type/" + file_type, RDF + "type", DCT + "MediaTypeOrExtent")
    return t.items


def distribution(t: Triples, dataset: str, site: Site, name: str, ext: str, licence: ox.Term,
                 checksums: Checksums, formats_used: set[str]) -> None:
    base_ext, _, compression = ext.partition(".")
    media, file_type, label = DUMP_FORMATS[base_ext]
    url = site.dump_url(name, ext)
    node = url
    t.add(dataset, DCAT + "distribution", node)
    t.add(node, RDF + "type", DCAT + "Distribution")
    t.add(node, DCT + "title", text(f"{label}{' (gzip)' if compression else ''}", "fr"))
    t.add(node, DCAT + "accessURL", url)
    t.add(node, DCAT + "downloadURL", url)
    t.add(node, DCAT + "mediaType", IANA + media)
    t.add(IANA + media, RDF + "type", DCT + "MediaType")
    t.add(node, DCT + "format", EU + "file-type/" + file_type)
    formats_used.add(file_type)
    if compression:
        t.add(node, DCAT + "compressFormat", IANA + "application/gzip")
        t.add(IANA + "application/gzip", RDF + "type", DCT + "MediaType")
    t.add(node, DCT + "license", licence)
    known = checksums.get(url[len(site.server):])
    if known is not None:
        digest, size = known
        checksum = t.bnode()
        t.add(node, SPDX + "checksum", checksum)
        t.add(checksum, RDF + "type", SPDX + "Checksum")
        t.add(checksum, SPDX + "algorithm", SHA256)
        t.add(SHA256, RDF + "type", SPDX + "ChecksumAlgorithm")
        t.add(checksum, SPDX + "checksumValue", ox.Literal(digest, datatype=ox.NamedNode(XSD + "hexBinary")))
        t.add(node, DCAT + "byteSize", ox.Literal(str(size), datatype=ox.NamedNode(XSD + "nonNegativeInteger")))


def dump_paths(infos: list[GraphInfo], site: Site) -> list[str]:
    """The dump paths the catalogue lists (their checksums are computed in the background)."""
    paths = [f"/dumps/{graph_local_name(i.iri, site.base)}.{ext}" for i in infos
             if graph_local_name(i.iri, site.base) for ext in GRAPH_DISTRIBUTIONS]
    return paths + [f"/dumps/{ALL_NAME}.{ext}" for ext in ALL_DISTRIBUTIONS]


# --- VoID -----------------------------------------------------------------------------------------------------
def void_queries(qk: str = QK) -> dict[str, str]:
    return {
        "classes": "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c",
        "properties": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p",
        "entities": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?s)) }",
        "example": f"SELECT ?s WHERE {{ ?s a <{qk}QPV> }} ORDER BY ?s LIMIT 1",
    }


def void_triples(infos: list[GraphInfo], site: Site, stats: dict[str, list[Binding]]) -> list[ox.Triple]:
    """VoID: the dataset (triples, entities, classes, properties, partitions), one subset per named graph,
    the linksets the data declares (``void:Linkset`` graphs), the SPARQL endpoint and the dumps."""
    t = Triples()
    dataset = site.url("/.well-known/void#dataset")
    integer = ox.NamedNode(XSD + "integer")

    def number(n: int | str) -> ox.Literal:
        return ox.Literal(str(n), datatype=integer)

    t.add(dataset, RDF + "type", VOID + "Dataset")
    t.add(dataset, DCT + "title", text("Quartiers KG", "fr"))
    t.add(dataset, DCT + "title", text("Quartiers KG", "en"))
    t.add(dataset, DCT + "description", text("Contrats de ville, QPV, organisations et financements.", "fr"))
    t.add(dataset, DCT + "description", text("Urban-policy contracts, QPV, organisations and funding.", "en"))
    t.add(dataset, VOID + "sparqlEndpoint", site.url("/sparql"))
    t.add(dataset, VOID + "uriSpace", ox.Literal(site.base))
    t.add(dataset, VOID + "rootResource", site.base + "def")
    t.add(dataset, VOID + "vocabulary", site.base + "def")
    t.add(dataset, FOAF + "homepage", site.url("/"))
    t.add(dataset, RDFS + "seeAlso", site.url("/catalog"))
    for ext in ALL_DISTRIBUTIONS:
        t.add(dataset, VOID + "dataDump", site.dump_url(ALL_NAME, ext))
    t.add(dataset, VOID + "triples", number(sum(i.triples for i in infos)))
    rows = stats.get("entities") or []
    if rows:
        t.add(dataset, VOID + "entities", number(rows[0]["n"]["value"]))
    classes = stats.get("classes") or []
    properties = stats.get("properties") or []
    t.add(dataset, VOID + "classes", number(len(classes)))
    t.add(dataset, VOID + "properties", number(len(properties)))
    for row in stats.get("example") or []:
        t.add(dataset, VOID + "exampleResource", row["s"]["value"])
    for row in classes:
        part = t.bnode()
        t.add(dataset, VOID + "classPartition", part)
        t.add(part, VOID + "class", row["c"]["value"])
        t.add(part, VOID + "entities", number(row["n"]["value"]))
    for row in properties:
        part = t.bnode()
        t.add(dataset, VOID + "propertyPartition", part)
        t.add(part, VOID + "property", row["p"]["value"])
        t.add(part, VOID + "triples", number(row["n"]["value"]))
    for info in infos:
        name = graph_local_name(info.iri, site.base)
        is_linkset = any(v.value == VOID + "Linkset" for v in info.meta.get(RDF + "type", []))
        t.add(dataset, VOID + "subset", info.iri)
        t.add(info.iri, RDF + "type", VOID + ("Linkset" if is_linkset else "Dataset"))
        t.add(info.iri, VOID + "triples", number(info.triples))
        t.add(info.iri, SD + "name", info.iri)
        for title in info.meta.get(DCT + "title", []):
            t.add(info.iri, DCT + "title", literal(title))
        if name:
            for ext in ("ttl", "nt.gz"):
                t.add(info.iri, VOID + "dataDump", site.dump_url(name, ext))
        if is_linkset:
            for key in (VOID + "linkPredicate", VOID + "subjectsTarget", VOID + "objectsTarget"):
                for value in info.meta.get(key, []):
                    t.add(info.iri, key, value.value)
            for value in info.meta.get(VOID + "objectsTarget", []):
                t.add(info.iri, VOID + "target", value.value)
            t.add(info.iri, VOID + "target", dataset)
    return t.items

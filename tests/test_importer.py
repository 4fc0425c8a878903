"""The national reference importer: a fresh import of shared/reference equals the committed data/reference files,
holds the expected facts, and fails loudly (file + line, nothing written) on broken input."""

from __future__ import annotations

import csv
import gzip
import json
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.importer import ImportFailure, build_graphs, run_import, serialize_graphs
from graph.layout import resource_dir, shared_dir
from graph.namespaces import sparql_prefixes

EXPECTED_FILES = {
    "geo.ttl",
    "qpv.ttl",
    "contrats-2015.ttl",
    "adulte-relais-2023.ttl",
    "fonjep-2023.ttl",
    "postes-2020-2023.ttl",
    "chiffres-cles.ttl",
    "links-insee.ttl",
    "links-sirene.ttl",
}
QKI = "https://w3id.org/quartiers/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
LICENCE_OUVERTE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
EUR = "http://publications.europa.eu/resource/authority/currency/EUR"


@pytest.fixture(scope="module")
def reference() -> Path:
    path = shared_dir() / "reference"
    if not path.is_dir():
        pytest.skip(f"shared/reference not found at {path} (set QUARTIERS_SHARED): the importer needs its CSVs")
    return path


@pytest.fixture(scope="module")
def imported(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("import") / "reference"
    counts = run_import(reference, out)
    return out, counts


@pytest.fixture(scope="module")
def store(imported: tuple[Path, dict[str, int]]) -> ox.Store:
    out, _ = imported
    result = ox.Store()
    for path in sorted(out.glob("*.ttl")):
        graph = ox.NamedNode(f"https://w3id.org/quartiers/graph/data/reference/{path.stem}")
        result.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
    return result


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Run a SELECT over the union of the imported graphs; ``<@path>`` abbreviates ``<qki:path>``."""
    solutions = store.query(sparql_prefixes() + query.replace("<@", f"<{QKI}"), use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def count(store: ox.Store, pattern: str) -> int:
    return int(select(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {pattern} }}")[0]["n"])


# ---- the committed Turtle equals a fresh import ----------------------------------------------------------
def test_files_and_counts(imported: tuple[Path, dict[str, int]]) -> None:
    out, counts = imported
    assert set(counts) == EXPECTED_FILES
    assert {p.name for p in out.iterdir()} == EXPECTED_FILES
    for name, expected in counts.items():
        parsed = sum(1 for _ in ox.parse(path=str(out / name), format=ox.RdfFormat.TURTLE))
        assert parsed == expected, name
    assert counts["qpv.ttl"] == 25451
    assert counts["contrats-2015.ttl"] == 3991


def test_committed_turtle_equals_fresh_import(imported: tuple[Path, dict[str, int]]) -> None:
    out, counts = imported
    committed = resource_dir("data") / "reference"
    for name in sorted(counts):
        assert (committed / name).is_file(), f"data/reference/{name} is missing: run `quartiers import`"
        assert (committed / name).read_bytes() == (out / name).read_bytes(), (
            f"data/reference/{name} differs from a fresh import: run `quartiers import`"
        )


def test_two_builds_give_identical_bytes(reference: Path, imported: tuple[Path, dict[str, int]]) -> None:
    out, _ = imported
    again = serialize_graphs(build_graphs(reference))
    for name, data in again.items():
        assert data == (out / name).read_bytes(), name


def test_every_file_describes_its_graph(store: ox.Store, imported: tuple[Path, dict[str, int]]) -> None:
    out, _ = imported
    for path in out.glob("*.ttl"):
        first_subject = next(line for line in path.read_text().splitlines() if line.startswith("<"))
        graph = f"https://w3id.org/quartiers/graph/data/reference/{path.stem}"
        assert first_subject == f"<{graph}>"
        rows = select(store, f"SELECT ?t WHERE {{ <{graph}> a prov:Entity, dcat:Dataset ; dct:title ?t }}")
        assert len(rows) == 2
    assert "_:" not in (out / "geo.ttl").read_text()


# ---- facts -------------------------------------------------------------------------------------------------
def test_geography(store: ox.Store) -> None:
    assert count(store, "?s a igeo:Region") == 18
    assert count(store, "?s a igeo:Departement") == 101
    assert count(store, "?s a igeo:Intercommunalite") == 1255 + 11
    assert count(store, '?s qk:epciNature "EPT"') == 11
    assert count(store, '?s igeo:codeINSEE "244200770" ; qk:epciNature "METRO"') == 1  # INSEE codes an EPCI by SIREN
    assert count(store, "?s a igeo:Intercommunalite ; igeo:codeINSEE ?c") == 1255 + 11
    # 7 QPV straddle two EPT of the Métropole du Grand Paris: both are kept
    rows = select(store, "SELECT ?q WHERE { ?q qk:ept ?a , ?b FILTER(STR(?a) < STR(?b)) } ORDER BY ?q")
    assert [r["q"].rsplit("/", 1)[1] for r in rows] == [
        "QN09305I", "QN09311M", "QN09313I", "QN09314M", "QN09328M", "QN09424I", "QN09431M",
    ]
    assert count(store, "?s a igeo:Commune") == 11306
    rows = select(store, "SELECT ?e WHERE { <@commune/93008> qk:memberOf ?e } ORDER BY ?e")
    assert [r["e"] for r in rows] == [f"{QKI}epci/200054781", f"{QKI}epci/200057875"]  # MGP and Est Ensemble
    rows = select(
        store,
        "SELECT ?d ?r WHERE { <@commune/42218> igeo:subdivisionDirecteDe ?d . ?d igeo:subdivisionDirecteDe ?r }",
    )
    assert rows == [{"d": f"{QKI}departement/42", "r": f"{QKI}region/84"}]
    body = select(
        store,
        "SELECT ?j ?l WHERE { <@org/244200770> a qk:EPCIAuthority ; qk:jurisdiction ?j ; rdfs:label ?l }",
    )
    assert body == [{"j": f"{QKI}epci/244200770", "l": "Saint-Etienne Métropole"}]


def test_qpv(store: ox.Store) -> None:
    assert count(store, "?s a qk:QPV") == 1584
    assert count(store, "?s a qk:QPV ; geo:hasGeometry/geo:asWKT ?w ; geo:hasCentroid/geo:asWKT ?c") == 1584
    rows = select(
        store,
        "SELECT ?label ?commune ?epci ?status WHERE { <@qpv/QN04202M> rdfs:label ?label ; qk:commune ?commune ;"
        " qk:epci ?epci ; qk:perimeterStatus ?status }",
    )
    assert rows == [
        {
            "label": "La Chapelle",
            "commune": f"{QKI}commune/42005",
            "epci": f"{QKI}epci/244200770",
            "status": "https://w3id.org/quartiers/concept/statut-perimetre/modifie",
        }
    ]
    wkt = select(store, "SELECT ?w WHERE { <@qpv/QN00101M> geo:hasGeometry/geo:asWKT ?w }")[0]["w"]
    assert wkt.startswith("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> MULTIPOLYGON(((5.2368 46.2111,5.2368 46.211,")
    assert count(store, "?s a qk:QPV ; qk:commune ?a, ?b FILTER(?a != ?b)") == 149


def read_rows(reference: Path, relative: str) -> list[dict[str, str]]:
    with (reference / relative).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_contracts_2015(store: ox.Store, imported: tuple[Path, dict[str, int]]) -> None:
    assert count(store, "?s a qk:CityContract2015") == 433
    rows = select(
        store,
        "SELECT ?d ?p WHERE { <@contrat/2015/CV043> qk:departement ?d ; qk:qpvPopulation ?p } ORDER BY ?d",
    )
    assert [r["d"] for r in rows] == [f"{QKI}departement/13", f"{QKI}departement/84"]
    assert {r["p"] for r in rows} == {str(21147 + 1916)}  # the two rows of CV043 (21147.0 and 1916.0)
    rows = select(
        store,
        "SELECT ?o ?t WHERE { <@contrat/2015/CV137> qk:carriedBy ?o ; qk:territory ?t }",
    )
    assert rows == [{"o": f"{QKI}org/244200770", "t": f"{QKI}epci/244200770"}]
    text = (imported[0] / "contrats-2015.ttl").read_text(encoding="utf-8")
    assert 'qk:qpvPopulation "23063"^^xsd:nonNegativeInteger' in text


def test_qpv_population_is_an_integer_equal_to_the_csv(store: ox.Store, reference: Path) -> None:
    """pop_qpv is written "21147.0": every value is whole, and the graph holds it as an integer."""
    expected: dict[str, Decimal] = {}
    for row in read_rows(reference, "contrats/contrats_de_ville_2015_2023_anct_civille.csv"):
        value = Decimal(row["pop_qpv"])
        assert value == value.to_integral_value(), row  # the CSV really holds whole numbers
        expected[row["code_cv"]] = expected.get(row["code_cv"], Decimal(0)) + value
    rows = select(store, "SELECT ?code ?p WHERE { ?c qk:contractCode ?code ; qk:qpvPopulation ?p }")
    assert {r["code"]: Decimal(r["p"]) for r in rows} == expected
    datatypes = select(store, "SELECT DISTINCT (DATATYPE(?p) AS ?t) WHERE { ?c qk:qpvPopulation ?p }")
    assert {r["t"] for r in datatypes} <= {XSD + "integer", XSD + "nonNegativeInteger"}


AR_CSV = "funding/adulte-relais_2023_by_contrat_de_ville.csv"
FONJEP_CSV = "funding/postes-fonjep_2023_by_contrat_de_ville.csv"
AGGREGATES_CSV = "funding/postes_adulte_relais_fonjep_2020_2023_aggregated.csv"


def test_funding_lines(store: ox.Store, reference: Path) -> None:
    posts = {name: read_rows(reference, name) for name in (AR_CSV, FONJEP_CSV)}
    aggregates = read_rows(reference, AGGREGATES_CSV)
    assert count(store, "?s a qk:Funding ; qk:scheme <@programme/adulte-relais>") == len(posts[AR_CSV]) == 5416
    assert count(store, "?s a qk:Funding ; qk:scheme <@programme/fonjep>") == len(posts[FONJEP_CSV]) == 1478
    assert count(store, "?s a qk:FundingAggregate") == len(aggregates) == 2749
    assert count(store, "?s a qk:Funding, qk:FundingAggregate") == 0
    # a plain sum over funding lines (no filter on aggregates) is the sum of the posts
    total = select(store, "SELECT (SUM(?a) AS ?t) WHERE { ?f a qk:Funding ; qk:year '2023'^^xsd:gYear ; qk:amount ?a }")
    assert Decimal(total[0]["t"]) == sum(Decimal(r["montant"]) for rows in posts.values() for r in rows)
    total = select(
        store,
        "SELECT (SUM(?a) AS ?t) WHERE { ?f a qk:FundingAggregate ; qk:aggregateYear '2023'^^xsd:gYear ;"
        " qk:aggregateAmount ?a }",
    )
    assert Decimal(total[0]["t"]) == sum(Decimal(r["montant_total_eur"]) for r in aggregates if r["annee"] == "2023")
    currencies = select(store, "SELECT DISTINCT ?c WHERE { ?s qk:currency ?c }")
    assert currencies == [{"c": EUR}]
    one_label = (
        "SELECT ?s WHERE { ?s rdfs:label ?l FILTER(lang(?l) = 'fr') } GROUP BY ?s HAVING (COUNT(DISTINCT ?l) > 1)"
    )
    assert select(store, one_label) == []


def folded(name: str) -> str:
    """A name without case, accents or punctuation (how the test tells two spellings of one name apart)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.findall(r"[a-z0-9]+", ascii_name))


@pytest.mark.parametrize(
    ("name", "departements"),
    [
        ("MAISON DES JEUNES ET DE LA CULTURE", ("07", "14")),
        ("CENTRE D'INFORMATION SUR LES DROITS DES FEMMES ET DES FAMILLES", ("24", "68")),
    ],
)
def test_fonjep_namesakes_in_two_departements_stay_distinct(
    store: ox.Store, reference: Path, name: str, departements: tuple[str, ...]
) -> None:
    rows = [r for r in read_rows(reference, FONJEP_CSV) if r["raison_sociale"] == name]
    assert sorted({r["insee_dep"] for r in rows}) == list(departements)  # the CSV's two namesakes
    recipients: dict[str, set[str]] = {}
    for row in rows:
        found = select(
            store,
            f"SELECT ?r ?d WHERE {{ ?f dct:identifier '{row['id_poste']}' ; qk:scheme <@programme/fonjep> ;"
            " qk:recipient ?r ; qk:departement ?d . ?r rdfs:label ?l }",
        )
        assert len(found) == 1
        recipients.setdefault(row["insee_dep"], set()).add(found[0]["r"])
    assert all(len(iris) == 1 for iris in recipients.values())
    distinct = {iri for iris in recipients.values() for iri in iris}
    assert len(distinct) == len(departements)
    for departement, (iri,) in recipients.items():  # the key: qki:org/{insee_dep}/{name}
        assert iri.startswith(f"{QKI}org/{departement}/")


def test_fonjep_recipients_are_one_per_departement_and_name(store: ox.Store, reference: Path) -> None:
    expected = {(r["insee_dep"], folded(r["raison_sociale"])) for r in read_rows(reference, FONJEP_CSV)}
    found = select(
        store, "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?f qk:scheme <@programme/fonjep> ; qk:recipient ?r }"
    )
    assert int(found[0]["n"]) == len(expected)


def test_cv137_adulte_relais_total_equals_csv(store: ox.Store, reference: Path) -> None:
    with (reference / "funding/adulte-relais_2023_by_contrat_de_ville.csv").open(encoding="utf-8") as handle:
        amounts = [Decimal(r["montant"]) for r in csv.DictReader(handle) if r["code_cv"] == "CV137"]
    rows = select(
        store,
        "SELECT ?a WHERE { ?f a qk:Funding ; qk:scheme <@programme/adulte-relais> ;"
        " qk:contract <@contrat/2015/CV137> ; qk:amount ?a }",
    )
    assert len(rows) == len(amounts) > 0
    assert sum(Decimal(r["a"]) for r in rows) == sum(amounts)


# ---- licences and links out -------------------------------------------------------------------------------
GRAPH = "https://w3id.org/quartiers/graph/data/reference/"


def test_every_reference_graph_states_its_licence(store: ox.Store, imported: tuple[Path, dict[str, int]]) -> None:
    """Data derived from INSEE, DGCL, Etalab and ANCT tables is under the Licence Ouverte 2.0 (the MIT licence of
    the repositories' code is not the data's); the hand-collected figures' pages state no licence."""
    out, _ = imported
    licences = {
        path.stem: [r["l"] for r in select(store, f"SELECT ?l WHERE {{ <{GRAPH}{path.stem}> dct:license ?l }}")]
        for path in out.glob("*.ttl")
    }
    not_stated = f"{QKI}licence/non-indiquee"
    assert licences == {name: [not_stated if name == "chiffres-cles" else LICENCE_OUVERTE] for name in licences}
    assert len(licences) == len(EXPECTED_FILES)
    labels = select(store, f"SELECT ?l WHERE {{ <{not_stated}> a dct:LicenseDocument ; rdfs:label ?l }}")
    assert {"not stated" in r["l"] or "pas indiquée" in r["l"] for r in labels} == {True} and len(labels) == 2
    assert "opensource.org/licenses/MIT" not in "".join(p.read_text(encoding="utf-8") for p in out.glob("*.ttl"))
    sources = select(store, f"SELECT ?s WHERE {{ <{GRAPH}geo> dct:source ?s }}")
    assert [r["s"] for r in sources] == [
        "https://github.com/datagouv/decoupage-administratif/tree/a0e96f6f4f1c688b08453344709fc502eb3d4071"
    ]


def insee_code_rows(reference: Path) -> dict[str, str]:
    """Every territory the COG and DGCL tables name, by its project IRI, with its expected id.insee.fr IRI."""
    insee = "http://id.insee.fr/geo/"
    regions = read_rows(reference, "geo/cog2024_regions.csv")
    expected = {f"{QKI}region/{r['REG']}": f"{insee}region/{r['REG']}" for r in regions}
    for row in read_rows(reference, "geo/cog2024_departements.csv"):
        expected[f"{QKI}departement/{row['DEP']}"] = f"{insee}departement/{row['DEP']}"
    for row in read_rows(reference, "geo/cog2024_communes.csv"):
        kind = {"COM": "commune", "ARM": "arrondissementMunicipal"}.get(row["TYPECOM"])
        if kind:
            expected[f"{QKI}commune/{row['COM']}"] = f"{insee}{kind}/{row['COM']}"
    for row in read_rows(reference, "geo/dgcl_epci2024_list.csv"):
        expected[f"{QKI}epci/{row['siren']}"] = f"{insee}intercommunalite/{row['siren']}"
    return expected


def test_links_to_insee_geography(store: ox.Store, reference: Path) -> None:
    expected = insee_code_rows(reference)
    links = select(store, "SELECT ?s ?o WHERE { GRAPH ?g { ?s skos:exactMatch ?o } }")
    found = {r["s"]: r["o"] for r in links}
    assert len(found) == len(links)  # one link per territory
    assert all(expected[s] == o for s, o in found.items())  # every link is the documented pattern of its code
    territories = select(
        store,
        "SELECT ?t WHERE { ?t a ?c VALUES ?c { igeo:Region igeo:Departement igeo:Commune igeo:ArrondissementMunicipal"
        " igeo:Intercommunalite } }",
    )
    linkable = {r["t"] for r in territories} & set(expected)
    assert set(found) == linkable  # every territory of the graph that the tables code is linked
    assert len(linkable) > 11000
    ept = {f"{QKI}epci/{r['EPT']}" for r in read_rows(reference, "geo/insee_ept2025_composition.csv")}
    assert len(ept) == 11 and not ept & set(found)  # the EPT: no documented INSEE pattern
    assert {f"{QKI}region/84", f"{QKI}departement/42", f"{QKI}commune/42218", f"{QKI}epci/244200770"} <= set(found)
    linkset = select(
        store,
        f"SELECT ?n ?p ?s WHERE {{ <{GRAPH}links-insee> a void:Linkset ; void:triples ?n ; void:linkPredicate ?p ;"
        " void:subjectsTarget ?s }",
    )
    exact_match = "http://www.w3.org/2004/02/skos/core#exactMatch"
    assert linkset == [{"n": str(len(links)), "p": exact_match, "s": GRAPH + "geo"}]


def test_links_to_sirene(store: ox.Store, reference: Path) -> None:
    pages = {r["s"]: r["o"] for r in select(store, "SELECT ?s ?o WHERE { ?s foaf:page ?o }")}
    sirens = {r["code_tiers"][:9] for r in read_rows(reference, AR_CSV)}  # adulte-relais employers (SIRET)
    sirens |= {r["siren"] for r in read_rows(reference, "geo/dgcl_epci2024_list.csv")}
    sirens |= {r["EPT"] for r in read_rows(reference, "geo/insee_ept2025_composition.csv")}
    for siren in sirens:
        assert pages[f"{QKI}org/{siren}"] == f"https://annuaire-entreprises.data.gouv.fr/entreprise/{siren}"
    organisations = select(store, "SELECT ?o WHERE { ?o qk:siren ?s FILTER(STRSTARTS(STR(?o), STR(<@org/>))) }")
    with_siren = {r["o"] for r in organisations}
    assert set(pages) == with_siren
    assert all(page.endswith("/" + subject.rsplit("/", 1)[1]) for subject, page in pages.items())
    linkset = select(store, f"SELECT ?n WHERE {{ <{GRAPH}links-sirene> a void:Linkset ; void:triples ?n }}")
    assert linkset == [{"n": str(len(pages))}]


# ---- broken input ------------------------------------------------------------------------------------------
def broken_copy(reference: Path, target: Path, relative: str, edit: Callable[[list[str]], list[str]]) -> Path:
    """A copy of the reference folder (symlinks) where one file's lines are edited."""
    for source in reference.rglob("*"):
        if source.is_file():
            copy = target / source.relative_to(reference)
            copy.parent.mkdir(parents=True, exist_ok=True)
            if source.relative_to(reference).as_posix() == relative:
                lines = source.read_text(encoding="utf-8").splitlines()
                copy.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
            else:
                copy.symlink_to(source)
    return target


def replace_on_line(number: int, old: str, new: str) -> Callable[[list[str]], list[str]]:
    def edit(lines: list[str]) -> list[str]:
        assert old in lines[number - 1]
        lines[number - 1] = lines[number - 1].replace(old, new, 1)
        return lines

    return edit


def assert_failure(reference: Path, tmp_path: Path, relative: str, edit, line: int, words: tuple[str, ...]) -> None:
    copy = broken_copy(reference, tmp_path / "ref", relative, edit)
    out = tmp_path / "out" / "reference"
    with pytest.raises(ImportFailure) as info:
        run_import(copy, out)
    message = str(info.value)
    assert Path(relative).name in message
    assert info.value.line == line
    assert f"ligne {line}" in message and f"line {line}" in message
    for word in words:
        assert word in message
    assert not (tmp_path / "out").exists(), "a failed import must not write anything (not even a staging folder)"


def test_missing_column_names_file_and_header_line(reference: Path, tmp_path: Path) -> None:
    assert_failure(reference, tmp_path, "qpv/qpv_2024.csv", replace_on_line(1, "lib_qp,", "libelle,"), 1, ("lib_qp",))


def test_bad_qpv_code_names_its_line(reference: Path, tmp_path: Path) -> None:
    edit = replace_on_line(7, "QN00106M", "QX00106M")
    assert_failure(reference, tmp_path, "qpv/qpv_2024.csv", edit, 7, ("QX00106M", "code QPV", "QPV code"))


def test_unknown_contract_in_funding_names_its_line(reference: Path, tmp_path: Path) -> None:
    edit = replace_on_line(3, ",CV004,", ",CV999,")
    relative = "funding/adulte-relais_2023_by_contrat_de_ville.csv"
    assert_failure(reference, tmp_path, relative, edit, 3, ("CV999", "2015"))


def test_bad_amount_names_its_line(reference: Path, tmp_path: Path) -> None:
    edit = replace_on_line(4, ",19875.06", ",19875.06.0")
    relative = "funding/postes_adulte_relais_fonjep_2020_2023_aggregated.csv"
    with pytest.raises(ImportFailure) as info:
        run_import(broken_copy(reference, tmp_path / "ref", relative, edit), tmp_path / "out")
    assert info.value.line == 4 and "postes_adulte_relais_fonjep_2020_2023_aggregated.csv" in str(info.value)


def test_contours_must_match_the_qpv_table(reference: Path, tmp_path: Path) -> None:
    relative = "qpv/qpv_2024_contours.geojson.gz"
    copy = broken_copy(reference, tmp_path / "ref", "none", lambda lines: lines)
    (copy / relative).unlink()
    with gzip.open(reference / relative, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    dropped = data["features"].pop()["properties"]["code_qp"]
    with gzip.open(copy / relative, "wt", encoding="utf-8") as handle:
        json.dump(data, handle)
    with pytest.raises(ImportFailure) as info:
        run_import(copy, tmp_path / "out")
    assert dropped in str(info.value) and "qpv_2024_contours.geojson.gz" in str(info.value)
    assert not (tmp_path / "out").exists()

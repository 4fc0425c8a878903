"""Programme-147 funding from ANCT ci-ville: adulte-relais and FONJEP posts of 2023, aggregates 2020-2023.

A post is a funding line (qk:Funding). A yearly aggregate is a statistical observation (qk:FundingAggregate, disjoint
from qk:Funding) with its own properties, so that no entailment turns it into a funding line (docs/model.md).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from graph.importer import sources
from graph.importer.contracts2015 import CONTRACT_CODE_RE, Contract2015, contract_iri
from graph.importer.csvread import Row, read_csv
from graph.importer.geo import Geography, org_iri
from graph.importer.naming import slug
from graph.importer.orgs import add_state, name_organisations
from graph.importer.turtle import Graph, decimal, string, typed
from graph.namespaces import DCT, EUR, PROV, QK, QKC, QKI, RDF, XSD

SIRET_RE = re.compile(r"\d{14}")
YEAR_RE = re.compile(r"\d{4}")
COMPOUND_CODE_RE = re.compile(r"(?:CV\d{3}){2,}")
POST_COLUMNS = ("id_poste", "code_tiers", "raison_sociale", "annee", "montant", "code_cv", "insee_dep")
AGGREGATE_COLUMNS = ("dispositif", "annee", "code_cv", "insee_dep", "nb_postes", "montant_total_eur")
NO_CONTRACT = "sans-contrat"
NO_DEPARTEMENT = "sans-departement"
ANNUAL = f"{QKC}base-montant/annuel"
P147 = f"{QKI}programme/p147"


@dataclass(frozen=True)
class Scheme:
    """A funding scheme: its IRI slug and its name in the aggregated table (labels: ontology/concepts.ttl)."""

    key: str
    dispositif: str

    @property
    def iri(self) -> str:
        return f"{QKI}programme/{self.key}"


ADULTE_RELAIS = Scheme("adulte-relais", "adulte-relais")
FONJEP = Scheme("fonjep", "postes-fonjep")
SCHEMES = {s.dispositif: s for s in (ADULTE_RELAIS, FONJEP)}


@dataclass(frozen=True)
class PostFile:
    """One per-post table of 2023 and how its recipients are identified."""

    scheme: Scheme
    file_name: str
    table: str
    source_url: str
    by_siret: bool  # code_tiers is a SIRET (adulte-relais) or a name (FONJEP)
    title_fr: str
    title_en: str


ADULTE_RELAIS_2023 = PostFile(
    ADULTE_RELAIS,
    "adulte-relais-2023.ttl",
    "funding/adulte-relais_2023_by_contrat_de_ville.csv",
    sources.CIVILLE_ADULTE_RELAIS_2023,
    True,
    "Postes adultes-relais financés en 2023, par contrat de ville",
    "Adulte-relais posts funded in 2023, by contrat de ville",
)
FONJEP_2023 = PostFile(
    FONJEP,
    "fonjep-2023.ttl",
    "funding/postes-fonjep_2023_by_contrat_de_ville.csv",
    sources.CIVILLE_FONJEP_2023,
    False,
    "Postes FONJEP de la politique de la ville financés en 2023, par contrat de ville",
    "FONJEP urban-policy posts funded in 2023, by contrat de ville",
)
AGGREGATES_FILE = "postes-2020-2023.ttl"
AGGREGATES_TABLE = "funding/postes_adulte_relais_fonjep_2020_2023_aggregated.csv"
FUNDING_NOTE_FR = (
    "Financeur : l'État (programme 147). Un code_cv vide laisse la ligne sans contrat ; un code_cv composé "
    "(ex. CV380CV384) relie la ligne à chacun des contrats par dct:relation, qk:contract étant fonctionnel. "
    "Un bénéficiaire FONJEP, connu par son seul nom, est identifié par son département et son nom."
)
FUNDING_NOTE_EN = (
    "Funder: the State (programme 147). An empty code_cv leaves the line without a contract; a compound code_cv "
    "(e.g. CV380CV384) links the line to each contract with dct:relation, as qk:contract is functional. "
    "A FONJEP recipient, known by its name only, is identified by its département and its name."
)
AGGREGATES_NOTE_FR = (
    "Chaque ligne est une observation statistique (qk:FundingAggregate), pas une ligne de financement : elle "
    "totalise les postes d'un dispositif pour une année, un contrat et un département (qk:aggregateAmount, "
    "qk:aggregatePostCount). Un code_cv vide laisse l'agrégat sans contrat ; un code_cv composé le relie à chacun "
    "des contrats par dct:relation."
)
AGGREGATES_NOTE_EN = (
    "Each row is a statistical observation (qk:FundingAggregate), not a funding line: it totals a scheme's posts "
    "for one year, contract and département (qk:aggregateAmount, qk:aggregatePostCount). An empty code_cv leaves "
    "the aggregate without a contract; a compound code_cv links it to each contract with dct:relation."
)


@dataclass(frozen=True)
class Post:
    key: str  # IRI segment: id_poste, suffixed with the recipient when the id is not unique in the table
    post_id: str
    tiers: str
    name: str
    amount: str
    year: str
    contracts: tuple[str, ...]
    departement: str


@dataclass(frozen=True)
class Aggregate:
    scheme: Scheme
    year: str
    code: str
    contracts: tuple[str, ...]
    departement: str
    count: str
    amount: str

    @property
    def iri(self) -> str:
        code = self.code or NO_CONTRACT
        departement = self.departement or NO_DEPARTEMENT
        return f"{QKI}financement/agrege/{self.scheme.dispositif}/{self.year}/{code}/{departement}"


# ---- reading ------------------------------------------------------------------------------------------
def contract_codes(row: Row, contracts: Mapping[str, Contract2015]) -> tuple[str, ...]:
    """The 2015 contract(s) a row names: none, one, or several for a compound code such as CV380CV384."""
    value = row["code_cv"]
    if not value:
        return ()
    if CONTRACT_CODE_RE.fullmatch(value) and value in contracts:
        return (value,)
    parts = tuple(value[i : i + 5] for i in range(0, len(value), 5))
    if COMPOUND_CODE_RE.fullmatch(value) and all(part in contracts for part in parts):
        return parts
    raise row.failure(
        f"code_cv {value!r} absent des contrats 2015", f"code_cv {value!r} is not among the 2015 contracts"
    )


def read_posts(path: Path, spec: PostFile, contracts: Mapping[str, Contract2015], geo: Geography) -> list[Post]:
    rows = read_csv(path, POST_COLUMNS)
    repeated = {k for k, n in Counter(r.required("id_poste") for r in rows).items() if n > 1}
    posts: dict[str, Post] = {}
    for row in rows:
        post = _parse_post(row, spec, contracts, geo, repeated)
        if post.key in posts:
            raise row.failure(f"poste {post.key} en double", f"duplicate post {post.key}")
        posts[post.key] = post
    return [posts[key] for key in sorted(posts)]


def _parse_post(
    row: Row, spec: PostFile, contracts: Mapping[str, Contract2015], geo: Geography, repeated: set[str]
) -> Post:
    post_id = row.required("id_poste")
    if spec.by_siret:
        tiers = row.matching("code_tiers", SIRET_RE, "un SIRET (14 chiffres)", "a SIRET (14 digits)")
    else:
        tiers = row.required("code_tiers")
    key = f"{post_id}-{slug(tiers)}" if post_id in repeated else post_id
    if not re.fullmatch(r"[A-Za-z0-9-]+", key):
        raise row.failure(f"identifiant de poste inutilisable {key!r}", f"unusable post id {key!r}")
    name = row.required("raison_sociale")
    if not spec.by_siret and not slug(name):
        raise row.failure(f"raison sociale sans lettre ni chiffre {name!r}", f"name without letters or digits {name!r}")
    return Post(
        key=key,
        post_id=post_id,
        tiers=tiers,
        name=name,
        amount=row.decimal("montant"),
        year=row.matching("annee", YEAR_RE, "une année", "a year"),
        contracts=contract_codes(row, contracts),
        departement=geo.check_departement(row, "insee_dep"),
    )


def read_aggregates(path: Path, contracts: Mapping[str, Contract2015], geo: Geography) -> list[Aggregate]:
    aggregates: dict[str, Aggregate] = {}
    for row in read_csv(path, AGGREGATE_COLUMNS):
        aggregate = _parse_aggregate(row, contracts, geo)
        if aggregate.iri in aggregates:
            raise row.failure(
                "ligne en double (dispositif, année, contrat, département)",
                "duplicate row (scheme, year, contract, département)",
            )
        aggregates[aggregate.iri] = aggregate
    return [aggregates[iri] for iri in sorted(aggregates)]


def _parse_aggregate(row: Row, contracts: Mapping[str, Contract2015], geo: Geography) -> Aggregate:
    dispositif = row.required("dispositif")
    if dispositif not in SCHEMES:
        raise row.failure(f"dispositif inconnu {dispositif!r}", f"unknown scheme {dispositif!r}")
    year = row.matching("annee", YEAR_RE, "une année", "a year")
    if not 2020 <= int(year) <= 2023:
        raise row.failure(f"année {year} hors de 2020-2023", f"year {year} outside 2020-2023")
    return Aggregate(
        scheme=SCHEMES[dispositif],
        year=year,
        code=row["code_cv"],
        contracts=contract_codes(row, contracts),
        departement=geo.check_departement(row, "insee_dep"),
        count=row.integer("nb_postes"),
        amount=row.decimal("montant_total_eur"),
    )


# ---- graphs -------------------------------------------------------------------------------------------
def _info(
    file_name: str, titles: tuple[str, str], table: str, urls: tuple[str, ...], notes: tuple[str, str]
) -> sources.DatasetInfo:
    title_fr, title_en = titles
    note_fr, note_en = notes
    return sources.DatasetInfo(
        file_name=file_name,
        title_fr=title_fr,
        title_en=title_en,
        source=sources.github_tree(sources.CIVILLE_REPO, sources.CIVILLE_COMMIT),
        license=sources.LICENCE_OUVERTE,
        issued="2024-04-19",
        derived_from=urls,
        shared_files=(table,),
        note_fr=note_fr,
        note_en=note_en,
    )


def build_posts_graph(
    posts: list[Post], spec: PostFile, geo: Geography, known_labels: Mapping[str, str], *, progress: bool = False
) -> tuple[Graph, dict[str, str]]:
    """One funding line per post, the State, the scheme, and the recipients (labels added are returned)."""
    titles, notes = (spec.title_fr, spec.title_en), (FUNDING_NOTE_FR, FUNDING_NOTE_EN)
    info = _info(spec.file_name, titles, spec.table, (spec.source_url,), notes)
    graph = sources.describe_dataset(info)
    add_state(graph)
    names: dict[str, Counter[str]] = {}
    for post in tqdm(posts, desc=spec.file_name, unit="poste", disable=not progress):
        recipient = _recipient_iri(post, spec)
        _add_post(graph, post, spec, recipient, geo)
        names.setdefault(recipient, Counter())[post.name] += 1
        graph.add(recipient, RDF + "type", QK + "Organisation")
        graph.add(recipient, PROV + "wasDerivedFrom", spec.source_url)
        if spec.by_siret:
            graph.add(recipient, QK + "siren", string(post.tiers[:9]))
            graph.add(recipient, QK + "siret", string(post.tiers))
    return graph, name_organisations(graph, names, known_labels)


def _recipient_iri(post: Post, spec: PostFile) -> str:
    """A SIRET gives the body's SIREN; a name alone is only unique within a département (MJC of 07 ≠ MJC of 14)."""
    if spec.by_siret:
        return org_iri(post.tiers[:9])
    return named_recipient_iri(post.departement, post.name)


def named_recipient_iri(departement: str, name: str) -> str:
    """qki:org/{insee_dep}/{slug of the name}, or qki:org/sans-departement/{slug} when the row gives no département."""
    return org_iri(f"{departement or NO_DEPARTEMENT}/{slug(name)}")


def _add_links(
    graph: Graph, iri: str, contracts: tuple[str, ...], departement: str, geo: Geography, contract_property: str
) -> None:
    if len(contracts) == 1:
        graph.add(iri, contract_property, contract_iri(contracts[0]))
    else:
        for code in contracts:
            graph.add(iri, DCT + "relation", contract_iri(code))
    departement_iri = geo.departement_iri(departement)
    if departement_iri:
        graph.add(iri, QK + "departement", departement_iri)


def _add_post(graph: Graph, post: Post, spec: PostFile, recipient: str, geo: Geography) -> None:
    iri = f"{QKI}financement/{spec.scheme.key}/{post.year}/{post.key}"
    graph.add(iri, RDF + "type", QK + "Funding")
    graph.add(iri, DCT + "identifier", string(post.post_id))
    graph.add(iri, QK + "amount", decimal(post.amount))
    graph.add(iri, QK + "currency", EUR)
    graph.add(iri, QK + "amountBasis", ANNUAL)
    graph.add(iri, QK + "year", typed(post.year, XSD + "gYear"))
    graph.add(iri, QK + "scheme", spec.scheme.iri)
    graph.add(iri, QK + "funder", sources.STATE)
    graph.add(iri, QK + "postCount", typed("1", XSD + "nonNegativeInteger"))
    graph.add(iri, QK + "recipient", recipient)
    if spec.by_siret:
        graph.add(iri, QK + "recipientSiret", string(post.tiers))
    _add_links(graph, iri, post.contracts, post.departement, geo, QK + "contract")
    graph.add(iri, PROV + "wasDerivedFrom", spec.source_url)


def build_aggregates_graph(aggregates: list[Aggregate], geo: Geography) -> Graph:
    info = _info(
        AGGREGATES_FILE,
        (
            "Postes adultes-relais et FONJEP 2020-2023, agrégés par contrat de ville et département",
            "Adulte-relais and FONJEP posts 2020-2023, aggregated by contrat de ville and département",
        ),
        AGGREGATES_TABLE,
        sources.CIVILLE_AGGREGATED,
        (AGGREGATES_NOTE_FR, AGGREGATES_NOTE_EN),
    )
    graph = sources.describe_dataset(info)
    for aggregate in aggregates:
        iri = aggregate.iri
        graph.add(iri, RDF + "type", QK + "FundingAggregate")
        graph.add(iri, QK + "aggregateAmount", decimal(aggregate.amount))
        graph.add(iri, QK + "currency", EUR)
        graph.add(iri, QK + "aggregateYear", typed(aggregate.year, XSD + "gYear"))
        graph.add(iri, QK + "aggregateScheme", aggregate.scheme.iri)
        graph.add(iri, QK + "aggregatePostCount", typed(aggregate.count, XSD + "nonNegativeInteger"))
        _add_links(graph, iri, aggregate.contracts, aggregate.departement, geo, QK + "aggregateContract")
        graph.add(iri, PROV + "wasDerivedFrom", sources.civille(f"{aggregate.scheme.dispositif}-{aggregate.year}.json"))
    return graph

"""Every catalogue question answers correctly on the real data.

The store holds the committed reference data and the two seed contracts (Saint-Étienne Métropole, Annemasse
agglomeration), so that the expected answers stay fixed while the 2024-2030 corpus grows. Each expected answer is
computed here from the source tables of ../shared/reference (standard ``csv`` module) or written by hand from the
source pages (figures quoted in the comments) — never from the question's own output.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from graph.build import open_built_store
from graph.layout import INFERRED_GRAPH, graph_files, resource_root
from graph.namespaces import QKG, QKI
from graph.questions import ParameterError, UnknownQuestionError, get_question, load_catalogue, run_question
from graph.store import OxigraphStore

SEEDS = {"saint-etienne-metropole-2024", "annemasse-agglomeration-2024", "sources"}
SEM = QKI + "contrat/2024/244200770"
ANNEMASSE = QKI + "contrat/2024/200011773"
SEM_GRAPH = QKG + "data/contracts/saint-etienne-metropole-2024"
TESTED: set[str] = set()


def seed_files():
    return [f for f in graph_files() if f.path.parent.name != "contracts" or f.path.stem in SEEDS]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    built, _ = open_built_store(tmp_path_factory.mktemp("questions-store"), files=seed_files())
    return built


@pytest.fixture(scope="module")
def reference(shared: Path) -> Path:
    return shared / "reference"


def ask(store: OxigraphStore, name: str, **params: str) -> list[dict[str, str]]:
    TESTED.add(name)
    return run_question(store, get_question(name), params).rows()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def qpv_rows(reference: Path) -> list[dict[str, str]]:
    return read_csv(reference / "qpv" / "qpv_2024.csv")


def split(value: str) -> list[str]:
    return [v for v in value.split(";") if v]


def territories(row: dict[str, str]) -> set[str]:
    return set(split(row["siren_epci"])) | set(split(row["siren_ept"]))


SEED_SLUGS = {SEM: "saint-etienne-metropole-2024", ANNEMASSE: "annemasse-agglomeration-2024"}


def seed_table(contract: str, sheet: str) -> list[dict[str, str]]:
    """A sheet of a seed contract's source tables (data/contracts-src/<slug>/<sheet>.csv), the importer's input."""
    path = resource_root() / "data" / "contracts-src" / SEED_SLUGS[contract] / f"{sheet}.csv"
    return read_csv(path) if path.exists() else []


def seed_signing_date(contract: str) -> dt.date:
    """The contract's signing date, else the latest dated signature of its parties (as the question says)."""
    own = [r["signing_date"] for r in seed_table(contract, "contracts") if r["signing_date"]]
    parties = [r["signing_date"] for r in seed_table(contract, "signatories") if r["signing_date"]]
    return dt.date.fromisoformat(own[0] if own else max(parties))


def contract_codes(code_cv: str) -> list[str]:
    return [code_cv[i : i + 5] for i in range(0, len(code_cv), 5)]


# ---- the 2024-2030 generation ------------------------------------------------------------------------------
SEM_EPCI, ANNEMASSE_EPCI = "244200770", "200011773"  # the carriers' SIREN (DGCL 2024, SOURCES.md)


def covered_by_seeds(row: dict[str, str]) -> bool:
    """Both seed contracts cover every QPV of their EPCI in the national list (their files say so)."""
    return bool(territories(row) & {SEM_EPCI, ANNEMASSE_EPCI})


def test_contracts_per_region(store, qpv_rows):
    rows = ask(store, "contracts-2024-per-region")
    national = Counter(r["insee_reg"] for r in qpv_rows)
    covered = Counter(r["insee_reg"] for r in qpv_rows if covered_by_seeds(r))
    assert [(r["region"], int(r["contracts"]), int(r["qpvCovered"]), int(r["qpvNational"])) for r in rows] == [
        (QKI + "region/84", 2, covered["84"], national["84"])
    ]
    assert covered["84"] == 22


def test_contracts_per_departement(store, qpv_rows):
    rows = ask(store, "contracts-2024-per-departement", region="84")
    national = Counter(r["insee_dep"] for r in qpv_rows if r["insee_reg"] == "84")
    covered = Counter(r["insee_dep"] for r in qpv_rows if r["insee_reg"] == "84" and covered_by_seeds(r))
    contracts = {"42": 1, "74": 1}  # Saint-Étienne Métropole (Loire), Annemasse (Haute-Savoie)
    assert {r["code"]: (int(r["contracts"]), int(r["qpvCovered"]), int(r["qpvNational"])) for r in rows} == {
        dep: (contracts.get(dep, 0), covered[dep], n) for dep, n in national.items()
    }


def test_signing_deadline(store):
    rows = ask(store, "contracts-2024-signing-deadline")
    deadline = dt.date(2024, 3, 31)  # metropolitan deadline (both seeds are in metropolitan France)
    signed = {c: seed_signing_date(c) for c in SEED_SLUGS}
    assert signed[SEM] == dt.date(2024, 7, 10)  # « Le Contrat 2024 – 2030 a été signé mercredi 10 juillet 2024 »
    assert signed[ANNEMASSE] == dt.date(2025, 3, 7)  # the Département signed « Ce vendredi 7 mars » (2025)
    assert {r["contract"]: (r["signed"], r["onTime"], int(r["daysLate"])) for r in rows} == {
        c: (d.isoformat(), "false", (d - deadline).days) for c, d in signed.items()
    }
    assert all(r["deadline"] == "2024-03-31" for r in rows)


def test_signing_deadline_overseas(store, qpv_rows):
    """A synthetic contract covering a real QPV of La Réunion gets the overseas deadline (31 December 2025)."""
    [qpv] = [r["code_qp"] for r in qpv_rows if r["insee_dep"] == "974"][:1]
    contract = "https://example.org/synthetic/questions/contrat-outre-mer"
    data = (f"<{contract}> a <https://w3id.org/quartiers/def#Quartiers2030Contract> ;\n"
            f"  <https://w3id.org/quartiers/def#coversQPV> <{QKI}qpv/{qpv}> ;\n"
            '  <https://w3id.org/quartiers/def#signingDate> "2025-06-30"^^<http://www.w3.org/2001/XMLSchema#date> .\n')
    graph = "https://example.org/synthetic/questions/overseas"
    store.load(data.encode(), "text/turtle", graph)
    try:
        rows = {r["contract"]: r for r in ask(store, "contracts-2024-signing-deadline")}
    finally:
        store.drop_graph(graph)
    assert (rows[contract]["deadline"], rows[contract]["onTime"], rows[contract]["daysLate"]) == (
        "2025-12-31", "true", "0")
    assert rows[SEM]["deadline"] == "2024-03-31"


def test_signing_month(store):
    rows = ask(store, "contracts-2024-per-signing-month")
    expected = Counter(seed_signing_date(c).isoformat()[:7] for c in SEED_SLUGS)
    assert {r["month"]: int(r["contracts"]) for r in rows} == dict(expected)


def test_signatories_per_contract(store):
    rows = ask(store, "signatories-per-contract")
    # Saint-Étienne: 28 organisations named by the page + the State and the EPCI by law; Annemasse: the
    # Département named by the article + the State and the EPCI by law (loi n° 2014-173, art. 6)
    assert {r["contract"]: (int(r["signatories"]), int(r["namedBySource"]), int(r["partiesByLaw"])) for r in rows} == {
        SEM: (30, 28, 2),
        ANNEMASSE: (3, 1, 2),
    }


def test_contract_signatories(store):
    rows = ask(store, "contract-signatories", contract=SEM)
    roles = Counter(r["role"] for r in rows)
    assert roles == {"Commune": 11, "Organisme public": 7, "Bailleur social": 7, "Chambre consulaire": 2,
                     "État": 1, "EPCI ou EPT": 1, "Département": 1}
    assert len({r["signer"] for r in rows}) == 30
    assert all(r.get("signerLabel") for r in rows)
    annemasse = ask(store, "contract-signatories", contract=ANNEMASSE)
    departement = [r for r in annemasse if r["signer"] == QKI + "org/departement-haute-savoie"]
    assert [(r["signed"], r["representative"]) for r in departement] == [("2025-03-07", "Christian Verdonnet")]


def test_top_signing_organisations(store):
    rows = ask(store, "top-signing-organisations", limit="100")
    # the State signs both contracts; every other organisation signs one: 30 + 3 - 1 (role, organisation) pairs
    assert len(rows) == 32
    assert [(r["organisation"], int(r["contracts"])) for r in rows if r["role"] == "État"] == [(QKI + "org/etat", 2)]
    assert all(int(r["contracts"]) == 1 for r in rows if r["role"] != "État")
    assert len(ask(store, "top-signing-organisations", limit="5")) == 5


def test_qpv_coverage_vs_national_list(store, qpv_rows):
    rows = ask(store, "qpv-coverage-vs-national-list")
    national = {s: sum(s in territories(r) for r in qpv_rows) for s in (SEM_EPCI, ANNEMASSE_EPCI)}
    assert national == {SEM_EPCI: 20, ANNEMASSE_EPCI: 2}
    assert {r["contract"]: (int(r["national"]), int(r["covered"]), int(r["missing"]), int(r["outside"]))
            for r in rows} == {SEM: (20, 20, 0, 0), ANNEMASSE: (2, 2, 0, 0)}


def test_priorities_to_national_themes(store):
    rows = ask(store, "priorities-to-national-themes")
    # the four défis of the page and the project's mapping of their words to the national themes
    expected = {
        "mon quartier agit": {"cohesion-sociale", "acces-aux-droits"},
        "mon quartier émancipe": {"acces-aux-droits", "cohesion-sociale", "education", "culture"},
        "mon quartier révèle": {"emploi"},
        "mon quartier respire": {"securite-prevention", "sante", "cadre-de-vie"},
    }
    found: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        assert r["contract"] == SEM
        found[r["priorityLabel"]].add(r["theme"].rsplit("/", 1)[1])
    assert found == expected
    assert len(rows) == 10


def seed_amounts(contract: str) -> tuple[int, Decimal, Decimal]:
    """(lines, annual, total) of the seed's funding rows tied to the contract that no other row supersedes."""
    rows = seed_table(contract, "funding")
    superseded = {r["supersedes"] for r in rows if r["supersedes"]}
    tied = [r for r in rows if r["contract"] == SEED_SLUGS[contract] and r["amount"] and r["funding"] not in superseded]
    amount = {r["funding"]: Decimal(r["amount"].replace(" ", "").replace(",", ".")) for r in tied}
    annual = sum((amount[r["funding"]] for r in tied if r["amount_basis"] == "annuel"), Decimal(0))
    return len(tied), annual, sum(amount.values(), Decimal(0)) - annual


def test_amounts_per_contract(store, reference):
    rows = {r["contract"]: r for r in ask(store, "amounts-per-contract")}
    population = {r["code_cv"]: Decimal(r["pop_qpv"]) for r in
                  read_csv(reference / "contrats" / "contrats_de_ville_2015_2023_anct_civille.csv")}
    predecessor = {SEM: "CV137", ANNEMASSE: "CV263"}  # same carrying EPCI in the 2015 table
    # Saint-Étienne: « Saint-Étienne Métropole mobilise chaque année 5 M€ en faveur des quartiers prioritaires »
    assert seed_amounts(SEM)[:2] == (1, Decimal(5_000_000))
    for contract, row in rows.items():
        lines, annual, total = seed_amounts(contract)
        assert (int(row["lines"]), Decimal(row["annualAmount"]), Decimal(row["totalAmount"])) == (lines, annual, total)
        pop = population[predecessor[contract]]
        assert Decimal(row["population"]) == pop
        if annual:
            assert Decimal(row["annualPerInhabitant"]) == (annual / pop).quantize(Decimal("0.01"))
        else:
            assert "annualPerInhabitant" not in row
    assert set(rows) == {SEM, ANNEMASSE}


# ---- QPV geography -----------------------------------------------------------------------------------------
def test_qpv_per_region(store, qpv_rows, reference):
    rows = ask(store, "qpv-per-region")
    expected = Counter(r["insee_reg"] for r in qpv_rows if r["insee_reg"])
    assert {r["code"]: int(r["qpv"]) for r in rows} == dict(expected)
    labels = {r["REG"]: r["LIBELLE"] for r in read_csv(reference / "geo" / "cog2024_regions.csv")}
    assert all(r["regionLabel"] == labels[r["code"]] for r in rows)
    assert [int(r["qpv"]) for r in rows] == sorted((int(r["qpv"]) for r in rows), reverse=True)


def test_qpv_per_departement(store, qpv_rows):
    rows = ask(store, "qpv-per-departement", region="32")
    assert {r["code"]: int(r["qpv"]) for r in rows} == dict(Counter(r["insee_dep"] for r in qpv_rows
                                                                     if r["insee_reg"] == "32"))


def test_qpv_per_epci(store, qpv_rows):
    rows = ask(store, "qpv-per-epci", departement="42")
    expected = Counter(s for r in qpv_rows if r["insee_dep"] == "42" for s in split(r["siren_epci"]))
    assert {r["siren"]: int(r["qpv"]) for r in rows} == dict(expected)
    assert expected[SEM_EPCI] == 20


def test_qpv_map_departement(store, qpv_rows):
    rows = ask(store, "qpv-map-departement", departement="74")
    assert [r["code"] for r in rows] == sorted(r["code_qp"] for r in qpv_rows if r["insee_dep"] == "74")
    names = {r["code_qp"]: r["lib_qp"] for r in qpv_rows}
    for r in rows:
        assert r["name"] == names[r["code"]]
        assert r["outline"].startswith("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> MULTIPOLYGON(((")
        assert r["centroid"].startswith("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(")


# ---- contracts covering a commune or a QPV; QPV not covered yet ---------------------------------------------
@pytest.fixture(scope="module")
def contracts_2015(reference: Path) -> list[dict[str, str]]:
    return read_csv(reference / "contrats" / "contrats_de_ville_2015_2023_anct_civille.csv")


@pytest.fixture(scope="module")
def territory_sirens(reference: Path) -> set[str]:
    """EPCI (DGCL 2024) and EPT (INSEE 2025) SIRENs: a 2015 contract has a territory when its carrier is one."""
    epci = {r["siren"] for r in read_csv(reference / "geo" / "dgcl_epci2024_list.csv")}
    return epci | {r["EPT"] for r in read_csv(reference / "geo" / "insee_ept2025_composition.csv")}


def test_contracts_covering_commune(store, qpv_rows, contracts_2015, reference, territory_sirens):
    rows = ask(store, "contracts-covering-commune", commune="42218")
    member_of = {r["siren"] for r in read_csv(reference / "geo" / "dgcl_epcicom2024_composition.csv")
                 if r["insee"] == "42218"}
    cv2015 = {QKI + "contrat/2015/" + r["code_cv"] for r in contracts_2015
              if r["siren_porteur"] in member_of and r["siren_porteur"] in territory_sirens}
    assert cv2015 == {QKI + "contrat/2015/CV137"}
    assert {r["contract"] for r in rows if r["generation"] == "2015-2023"} == cv2015
    sem_qpv = {r["code_qp"] for r in qpv_rows if "42218" in split(r["insee_com"]) and covered_by_seeds(r)}
    [sem] = [r for r in rows if r["generation"] == "2024-2030"]
    assert sem["contract"] == SEM and set(sem["via"].split()) == sem_qpv


def test_contracts_covering_qpv(store, qpv_rows, contracts_2015, territory_sirens):
    rows = ask(store, "contracts-covering-qpv", qpv="QN07402M")  # Gaillard, Annemasse agglomeration
    [row] = [r for r in qpv_rows if r["code_qp"] == "QN07402M"]
    cv2015 = {QKI + "contrat/2015/" + r["code_cv"] for r in contracts_2015
              if r["siren_porteur"] in territories(row) and r["siren_porteur"] in territory_sirens}
    assert {(r["contract"], r["generation"]) for r in rows} == {(ANNEMASSE, "2024-2030")} | {
        (c, "2015-2023") for c in cv2015}
    assert cv2015 == {QKI + "contrat/2015/CV263"}
    assert ask(store, "contracts-covering-qpv", qpv="QN06924I") == [
        r for r in ask(store, "contracts-covering-qpv", qpv="QN06924I") if r["generation"] == "2015-2023"]


def test_uncovered_qpv_per_epci(store, qpv_rows):
    rows = ask(store, "uncovered-qpv-per-epci", region="84")
    total: Counter[str] = Counter()
    uncovered: dict[str, set[str]] = defaultdict(set)
    for r in qpv_rows:
        if r["insee_reg"] != "84":
            continue
        for siren in territories(r):
            total[siren] += 1
            if not covered_by_seeds(r):
                uncovered[siren].add(r["code_qp"])
    got = {r["territory"].rsplit("/", 1)[1]: (int(r["qpv"]), int(r["uncovered"]),
                                              set(r.get("uncoveredCodes", "").split())) for r in rows}
    assert got == {s: (n, len(uncovered[s]), uncovered[s]) for s, n in total.items()}


# ---- funding -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def adulte_relais(reference: Path) -> list[dict[str, str]]:
    return read_csv(reference / "funding" / "adulte-relais_2023_by_contrat_de_ville.csv")


@pytest.fixture(scope="module")
def fonjep(reference: Path) -> list[dict[str, str]]:
    return read_csv(reference / "funding" / "postes-fonjep_2023_by_contrat_de_ville.csv")


@pytest.fixture(scope="module")
def aggregated(reference: Path) -> list[dict[str, str]]:
    return read_csv(reference / "funding" / "postes_adulte_relais_fonjep_2020_2023_aggregated.csv")


SCHEME_KEYS = {"adulte-relais": "adulte-relais", "postes-fonjep": "fonjep"}  # the table's dispositif -> scheme


def per_contract(lines: list[dict[str, str]]) -> dict[str, tuple[int, Decimal]]:
    posts: Counter[str] = Counter()
    money: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        for code in contract_codes(line["code_cv"]):
            posts[code] += 1
            money[code] += Decimal(line["montant"])
    return {code: (posts[code], money[code]) for code in posts}


@pytest.mark.parametrize("scheme", ["adulte-relais", "fonjep"])
def test_posts_per_contract(store, scheme, adulte_relais, fonjep, aggregated):
    rows = ask(store, "posts-per-contract", scheme=scheme, year="2023")
    # 2023: the posts listed one by one, per contract
    expected = per_contract(adulte_relais if scheme == "adulte-relais" else fonjep)
    assert {r["code"]: (int(r["posts"]), Decimal(r["amount"])) for r in rows} == expected
    # 2021: the yearly aggregates, per contract (summed over départements)
    posts: Counter[str] = Counter()
    money: dict[str, Decimal] = defaultdict(Decimal)
    for r in aggregated:
        if r["annee"] == "2021" and SCHEME_KEYS[r["dispositif"]] == scheme:
            for code in contract_codes(r["code_cv"]):
                posts[code] += int(r["nb_postes"])
                money[code] += Decimal(r["montant_total_eur"])
    rows = ask(store, "posts-per-contract", scheme=scheme, year="2021")
    got = {r["code"]: (int(r["posts"]), Decimal(r["amount"])) for r in rows}
    assert got == {c: (posts[c], money[c]) for c in posts}
    assert ask(store, "posts-per-contract", scheme=scheme, year="2019") == []


def test_funding_per_funder_scheme(store, adulte_relais, fonjep):
    rows = ask(store, "funding-per-funder-scheme")
    got = {(r["funder"].rsplit("/", 1)[1], r.get("scheme", "").rsplit("/", 1)[-1], r.get("year", "")):
           (int(r["lines"]), int(r["posts"]), Decimal(r["amount"])) for r in rows}
    assert got == {
        ("etat", "adulte-relais", "2023"): (len(adulte_relais), len(adulte_relais),
                                           sum(Decimal(r["montant"]) for r in adulte_relais)),
        ("etat", "fonjep", "2023"): (len(fonjep), len(fonjep), sum(Decimal(r["montant"]) for r in fonjep)),
        # Saint-Étienne page: « 5 M€ par an »; Haute-Savoie article: 7 millions € (CPER 2015-2020), then
        # « Depuis le Budget 2024, ces crédits ont été portés à 10 millions € »
        ("244200770", "", ""): (1, 0, Decimal(5_000_000)),
        ("departement-haute-savoie", "cper-2015-2020", ""): (1, 0, Decimal(7_000_000)),
        ("departement-haute-savoie", "", "2024"): (1, 0, Decimal(10_000_000)),
    }


def test_posts_trend(store, aggregated):
    rows = ask(store, "posts-trend-2020-2023")
    posts: Counter[tuple[str, str]] = Counter()
    money: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in aggregated:
        key = SCHEME_KEYS[r["dispositif"]], r["annee"]
        posts[key] += int(r["nb_postes"])
        money[key] += Decimal(r["montant_total_eur"])
    assert {(r["scheme"].rsplit("/", 1)[1], r["year"]): (int(r["posts"]), Decimal(r["amount"])) for r in rows} == {
        k: (posts[k], money[k]) for k in posts}
    assert len(rows) == 8


def test_funding_per_departement(store, aggregated):
    rows = ask(store, "funding-per-departement", year="2021")
    posts: Counter[tuple[str, str]] = Counter()
    money: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in aggregated:
        if r["annee"] == "2021" and r["insee_dep"]:
            key = r["insee_dep"], SCHEME_KEYS[r["dispositif"]]
            posts[key] += int(r["nb_postes"])
            money[key] += Decimal(r["montant_total_eur"])
    labels = {"Postes adultes-relais": "adulte-relais", "Postes FONJEP politique de la ville": "fonjep"}
    assert {(r["code"], labels[r["schemeLabel"]]): (int(r["posts"]), Decimal(r["amount"])) for r in rows} == {
        k: (posts[k], money[k]) for k in posts}


def test_recipients_in_several_contracts(store, adulte_relais):
    rows = ask(store, "recipients-in-several-contracts", scheme="adulte-relais", minContracts="3")
    contracts: dict[str, set[str]] = defaultdict(set)
    lines: Counter[str] = Counter()
    money: dict[str, Decimal] = defaultdict(Decimal)
    for r in adulte_relais:
        siren = r["code_tiers"][:9]
        contracts[siren].update(contract_codes(r["code_cv"]))
        lines[siren] += 1
        money[siren] += Decimal(r["montant"])
    expected = {s: (len(c), lines[s], money[s]) for s, c in contracts.items() if len(c) >= 3}
    assert {r["recipient"].rsplit("/", 1)[1]: (int(r["contracts"]), int(r["posts"]), Decimal(r["amount"]))
            for r in rows} == expected
    assert len(ask(store, "recipients-in-several-contracts", scheme="adulte-relais", minContracts="2")) == sum(
        len(c) >= 2 for c in contracts.values())


# ---- 2015 → 2024 ---------------------------------------------------------------------------------------------
def test_qpv_changes(store, qpv_rows):
    rows = ask(store, "qpv-changes-2015-2024", epci=SEM_EPCI)
    codes: dict[str, set[str]] = defaultdict(set)
    for r in qpv_rows:
        if SEM_EPCI in territories(r):
            codes[r["code_suffix"]].add(r["code_qp"])
    assert {r["suffix"]: (int(r["qpv"]), set(r["codes"].split())) for r in rows} == {
        s: (len(c), c) for s, c in codes.items()}
    assert {r["suffix"]: r["status"] for r in rows} == {"M": "Périmètre modifié", "N": "Nouveau quartier"}
    assert {(r["contract2015"], r["contract2024"]) for r in rows} == {(QKI + "contrat/2015/CV137", SEM)}


# ---- auditor questions ---------------------------------------------------------------------------------------
def test_shacl_findings_per_contract(store):
    from graph.validation import validate_store

    assert ask(store, "shacl-findings-per-contract") == []  # no report loaded yet
    report = validate_store(store, graphs=[SEM_GRAPH, QKG + "data/contracts/annemasse-agglomeration-2024"],
                            min_severity="Info")
    graph = "https://example.org/synthetic/audit-report"
    store.load(report.to_turtle().encode(), "text/turtle", graph)
    try:
        rows = ask(store, "shacl-findings-per-contract")
    finally:
        store.drop_graph(graph)
    # From the seeds' tables: signed late (CDV-PER-005) = the contract's date and each signature's date after
    # 31 March 2024; no indicator (CDV-ENG-005) = commitments with no indicator; no period (CDV-STR-007) =
    # no start date. By hand (docs/validation.md): Annemasse covers QPV in Annemasse (74012) and Gaillard
    # (74133) and neither commune signs (CDV-SIG-003).
    expected: Counter[tuple[str, str, str]] = Counter()
    for contract in SEED_SLUGS:
        dates = [r["signing_date"] for sheet in ("contracts", "signatories") for r in seed_table(contract, sheet)
                 if r["signing_date"]]
        expected[contract, "Warning", "CDV-PER-005"] = sum(d > "2024-03-31" for d in dates)
        indicators: dict[str, bool] = defaultdict(bool)
        for r in seed_table(contract, "commitments"):
            indicators[r["commitment"]] |= bool(r["indicator"])
        expected[contract, "Warning", "CDV-ENG-005"] = sum(not v for v in indicators.values())
        if not any(r["start_date"] for r in seed_table(contract, "contracts")):
            expected[contract, "Warning", "CDV-STR-007"] = 1
    expected[ANNEMASSE, "Warning", "CDV-SIG-003"] = 2
    assert expected[SEM, "Warning", "CDV-PER-005"] == 29  # the contract and its 28 dated signatures
    assert {(r["contract"], r["severity"], r["rule"]): int(r["findings"]) for r in rows} == {
        k: v for k, v in expected.items() if v}


def test_facts_without_provenance(store):
    graph = QKG + "data/contracts/annemasse-agglomeration-2024"
    rows = ask(store, "facts-without-provenance", graph=graph)
    path = resource_root() / "data" / "contracts" / "annemasse-agglomeration-2024.ttl"
    parsed = rdflib.Graph().parse(path, format="turtle")
    prov = rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    expected = {
        str(s): len(list(parsed.predicate_objects(s)))
        for s in set(parsed.subjects(rdflib.RDF.type, None))
        if isinstance(s, rdflib.URIRef) and (s, prov, None) not in parsed
    }
    assert expected  # the source documents themselves (the page, the tables) are described without a source
    assert {r["subject"]: int(r["triples"]) for r in rows} == expected


def test_conflicting_statements(store):
    assert ask(store, "conflicting-statements", graph=SEM_GRAPH) == []
    graph = "https://example.org/synthetic/conflict"
    data = (f'<{SEM}> <https://w3id.org/quartiers/def#signingDate> '
            f'"2024-07-11"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
            f'<{SEM}/financement/quartiers-prioritaires-annuel> <https://w3id.org/quartiers/def#amount> '
            f'"5000000.00"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n')
    store.load(data.encode(), "application/n-triples", graph)
    try:
        rows = ask(store, "conflicting-statements", graph=SEM_GRAPH)
    finally:
        store.drop_graph(graph)
    # a second signing date is a conflict; the same amount written differently is not
    assert [(r["subject"], r["property"].rsplit("#", 1)[1], r["value1"], r["graph1"], r["value2"], r["graph2"])
            for r in rows] == [(SEM, "signingDate", "2024-07-10", SEM_GRAPH, "2024-07-11", graph)]


# ---- the catalogue itself ------------------------------------------------------------------------------------
def test_entailments_and_repeated_triples_do_not_inflate_answers(store):
    """The default graph is the union of the graphs as a bag: a triple in two graphs matches twice. Copying the
    inferred graph and a whole contract graph into another graph must change no answer."""
    catalogue = load_catalogue()
    before = {name: sorted(map(sorted_items, run_question(store, q).rows())) for name, q in catalogue.items()}
    graph = "https://example.org/synthetic/repeated"
    store.add_quads(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph))
                    for source in (INFERRED_GRAPH, SEM_GRAPH) for q in list(store.quads(source)))
    try:
        after = {name: sorted(map(sorted_items, run_question(store, q).rows())) for name, q in catalogue.items()
                 if name not in ("facts-without-provenance", "conflicting-statements")}
    finally:
        store.drop_graph(graph)
    assert {n: v for n, v in before.items() if n in after} == after
    # and the asserted graphs alone give the same answers as with the entailments
    asserted = [g for g in store.named_graphs() if g != INFERRED_GRAPH]
    for name, q in catalogue.items():
        if name in ("shacl-findings-per-contract",):
            continue
        rows = store.query(q.render(), default_graphs=asserted).rows() if "GRAPH" not in q.text else None
        if rows is not None:
            assert sorted(map(sorted_items, rows)) == before[name], name


def sorted_items(row: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(row.items()))


def test_catalogue_shape():
    catalogue = load_catalogue()
    assert len(catalogue) >= 20
    for q in catalogue.values():
        assert q.title["fr"] and q.title["en"] and q.description["fr"] and q.description["en"]
        for p in q.parameters:
            assert p.description["fr"] and p.description["en"]
        if q.chart:  # the hint names columns of the answer
            columns = {q.chart[k] for k in ("label", "value", "wkt", "series") if k in q.chart}
            assert q.chart["kind"] in ("bar", "line", "map")
            assert all(re.search(rf"\?{c}\b", q.text.split("WHERE")[0]) for c in columns), (q.name, columns)


def test_parameters_are_checked_and_escaped():
    q = get_question("contract-signatories")
    with pytest.raises(ParameterError) as bad_iri:
        q.render({"contract": "http://x> } ; DROP ALL #"})
    assert "contract" in bad_iri.value.message_fr and "contract" in bad_iri.value.message_en
    with pytest.raises(ParameterError):
        q.render({"nope": "1"})
    with pytest.raises(UnknownQuestionError):
        get_question("no-such-question")
    with pytest.raises(ParameterError):
        get_question("qpv-per-epci").render({"departement": '42" } #'})
    with pytest.raises(ParameterError):
        get_question("top-signing-organisations").render({"limit": "10; DROP"})
    with pytest.raises(ParameterError):
        get_question("posts-per-contract").render({"year": "20233"})
    rendered = get_question("qpv-per-epci").render({"departement": "2A"})
    assert 'igeo:codeINSEE "2A"' in rendered and "$departement" not in rendered


def test_every_question_has_a_test():
    names = {n for n in load_catalogue()}
    tested_here = set(re.findall(r'ask\(store, "([a-z0-9-]+)"', Path(__file__).read_text()))
    assert names <= tested_here, names - tested_here

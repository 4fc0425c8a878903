"""``quartiers import-contracts``: the seeds and the template round-trip byte for byte, the reference resolution
(EPT, Paris, QPV straddling two EPCI) matches the national table, every bad input exits 2 with file:row:column
and writes or loads nothing, and --load goes through the write gate.

Expected values come from the shared reference CSVs (read here with the csv module) or from the fixtures' text,
not from the importer.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

from graph.cli import main
from graph.contracts.columns import SHEET_BY_NAME
from graph.contracts.errors import ContractImportError
from graph.contracts.pipeline import import_contracts
from graph.contracts.template import folder_to_xlsx, generated
from graph.layout import resource_root, shared_dir
from graph.store import OxigraphStore

ROOT = resource_root()
SRC = ROOT / "data" / "contracts-src"
SEEDS = ["annemasse-agglomeration-2024", "saint-etienne-metropole-2024"]
FIXTURES = Path(__file__).parent / "fixtures" / "import"
QPV_CSV = shared_dir() / "reference" / "qpv" / "qpv_2024.csv"
QKI = "https://w3id.org/quartiers/id/"

# case -> the file:row:column every error line of that case must name (by hand, from the fixture's CSV)
BAD = {
    "missing-column": "contracts.csv:1:carrier",
    "unknown-column": "signatories.csv:1:rôle",
    "unknown-qpv": "qpv.csv:2:qpv",
    "qpv-outside-territory": "qpv.csv:2:qpv",
    "qpv-name-unknown": "qpv.csv:3:qpv_name",
    "bad-date": "contracts.csv:2:signing_date",
    "bad-amount": "funding.csv:2:amount",
    "bad-siren": "signatories.csv:3:signatory",
    "no-source": "signatories.csv:4:source",
    "unknown-source": "qpv.csv:2:source",
    "unknown-org": "signatories.csv:4:signatory",
    "quote-too-long": "contracts.csv:2:quote",
}


def body(data: bytes) -> bytes:
    """The Turtle without its two-line header comment (which names the input)."""
    return data.split(b"\n", 2)[2]


def national_qpv() -> list[dict[str, str]]:
    with QPV_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_folder(folder: Path, sheets: dict[str, list[dict[str, str]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        columns = [c.name for c in SHEET_BY_NAME[name].columns if not c.added]
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def star_contract(folder: Path, carrier: str) -> Path:
    """A synthetic contract on a real carrier whose QPV are given as * (synthetic source URL)."""
    return write_folder(folder, {
        "sources": [{"source": "s", "url": "https://example.org/synthetic/import/star", "kind": "page"}],
        "contracts": [
            {"contract": "synthetic-star", "carrier": carrier, "title": "Contrat synthétique", "source": "s"}
        ],
        "qpv": [{"contract": "synthetic-star", "qpv": "*", "source": "s"}],
    })  # fmt: skip


def covered(data: bytes) -> set[str]:
    import pyoxigraph as ox

    return {
        t.object.value.rsplit("/", 1)[1]
        for t in ox.parse(data, format=ox.RdfFormat.TURTLE)
        if t.predicate.value.endswith("#coversQPV")
    }


def graph_counts(folder: Path) -> dict[str, int]:
    store = OxigraphStore(folder / "oxigraph", read_only=True)
    try:
        return store.graph_counts()
    finally:
        store.close()


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# --- round trips -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("slug", SEEDS)
def test_seed_tables_give_the_committed_turtle_byte_for_byte(slug: str) -> None:
    result = import_contracts([SRC / slug])
    assert list(result.files) == [slug]
    assert result.files[slug] == (ROOT / "data" / "contracts" / f"{slug}.ttl").read_bytes()


@pytest.mark.parametrize("slug", SEEDS)
def test_a_workbook_of_the_seed_gives_the_same_graph(slug: str, tmp_path: Path) -> None:
    book = tmp_path / f"{slug}.xlsx"
    book.write_bytes(folder_to_xlsx(SRC / slug))
    result = import_contracts([book])
    assert body(result.files[slug]) == body((ROOT / "data" / "contracts" / f"{slug}.ttl").read_bytes())


def test_the_template_is_generated_from_the_column_spec() -> None:
    for path, data in generated(ROOT).items():
        assert path.read_bytes() == data, f"{path} is stale: run python -m graph.contracts.template"
    # every sheet, every column, in the spec's order
    for name, sheet in SHEET_BY_NAME.items():
        header = (SRC / "_template" / f"{name}.csv").read_text(encoding="utf-8").strip()
        assert header == ",".join(c.name for c in sheet.columns)


def test_the_blank_template_imports_to_nothing() -> None:
    result = import_contracts([SRC / "_template", ROOT / "docs" / "import" / "template.xlsx"])
    assert result.files == {}


def test_the_seed_output_has_the_corrected_annemasse_facts() -> None:
    text = (ROOT / "data" / "contracts" / "annemasse-agglomeration-2024.ttl").read_text(encoding="utf-8")
    contract = text.split("\n<contrat/2024/200011773>\n", 1)[1].split("\n\n", 1)[0]
    assert "qk:signingDate" not in contract  # the page dates the Département's signature only
    budget = text.split("\n<contrat/2024/200011773/financement/renovation-urbaine-budget-2024>\n", 1)[1]
    assert "qk:contract " not in budget.split("\n\n", 1)[0]  # 10 M€ not tied to the contract
    signature = text.split("\n<contrat/2024/200011773/signature/departement-haute-savoie>\n", 1)[1]
    assert 'qk:signingDate "2025-03-07"^^xsd:date' in signature.split("\n\n", 1)[0]


# --- resolution against the national table ----------------------------------------------------------------------
def test_star_on_an_ept_covers_the_qpv_of_the_ept(tmp_path: Path) -> None:
    ept = "200057875"  # Est Ensemble
    expected = {r["code_qp"] for r in national_qpv() if ept in r["siren_ept"].split(";")}
    assert len(expected) > 10
    result = import_contracts([star_contract(tmp_path / "ept", ept)])
    assert covered(result.files["synthetic-star"]) == expected


def test_star_on_paris_covers_the_qpv_of_the_commune(tmp_path: Path) -> None:
    expected = {r["code_qp"] for r in national_qpv() if "75056" in r["insee_com"].split(";")}
    assert len(expected) == 21
    result = import_contracts([star_contract(tmp_path / "paris", "commune:75056")])
    assert covered(result.files["synthetic-star"]) == expected
    assert f"<{QKI}contrat/2024/217500016>".encode() not in result.files["synthetic-star"]  # written relative
    assert b"<contrat/2024/217500016>" in result.files["synthetic-star"]


def test_a_qpv_straddling_two_epci_is_in_both_territories(tmp_path: Path) -> None:
    rows = [r for r in national_qpv() if len(r["siren_epci"].split(";")) == 2 and not r["siren_ept"]]
    assert rows
    first, second = rows[0]["siren_epci"].split(";")
    for siren in (first, second):
        expected = {r["code_qp"] for r in national_qpv() if siren in r["siren_epci"].split(";")}
        result = import_contracts([star_contract(tmp_path / siren, siren)])
        data = result.files["synthetic-star"]
        assert covered(data) == expected and rows[0]["code_qp"] in covered(data)
        assert b"It straddles several EPCI" in data


# --- bad input ----------------------------------------------------------------------------------------------------
def test_the_valid_fixture_imports() -> None:
    result = import_contracts([FIXTURES / "valid"])
    assert covered(result.files["synthetic-bourg"]) == {"QN00101M", "QN00102M"}
    assert b'qk:amount "1250000.5"^^xsd:decimal' in result.files["synthetic-bourg"]


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exits_2_naming_file_row_column_and_writes_nothing(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    store = tmp_path / "store"
    OxigraphStore(store / "oxigraph").close()
    before = tree_digest(store)
    code = main(["import-contracts", str(FIXTURES / case), "--out", str(out), "--load", "--store", str(store)])
    err = capsys.readouterr().err
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith(str(FIXTURES))]
    assert lines, err
    assert any(line.startswith(f"{FIXTURES / case}/{BAD[case]}: ") for line in lines), err
    assert all(" / " in line for line in lines)  # French / English
    assert list(out.iterdir()) == []
    assert tree_digest(store) == before


def test_a_bad_cell_in_a_workbook_names_the_sheet(tmp_path: Path) -> None:
    book = tmp_path / "bad.xlsx"
    book.write_bytes(folder_to_xlsx(FIXTURES / "bad-date"))
    with pytest.raises(ContractImportError) as caught:
        import_contracts([book])
    assert [e.line().split(": ", 1)[0] for e in caught.value.errors] == [f"{book}[contracts]:2:signing_date"]


def test_an_unknown_sheet_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "typo"
    shutil.copytree(FIXTURES / "valid", folder)
    (folder / "qpv.csv").rename(folder / "qpvs.csv")
    with pytest.raises(ContractImportError) as caught:
        import_contracts([folder])
    assert any("qpvs" in e.line() and e.file == str(folder / "qpvs.csv") for e in caught.value.errors)


def test_two_sources_that_disagree_are_both_kept(tmp_path: Path) -> None:
    folder = tmp_path / "conflict"
    shutil.copytree(FIXTURES / "valid", folder)
    with (folder / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write("press,https://example.org/synthetic/import/press,Article,,,press,,\n")
    columns = [c.name for c in SHEET_BY_NAME["contracts"].columns if not c.added]
    with (folder / "contracts.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, columns, lineterminator="\n").writerow(
            {"contract": "synthetic-bourg", "signing_date": "2024-03-16", "source": "press"}
        )
    data = import_contracts([folder]).files["synthetic-bourg"].decode()
    assert 'qk:signingDate "2024-03-15"^^xsd:date' in data  # the first row's value is asserted
    assert 'rdf:object "2024-03-16"^^xsd:date' in data  # the other source's value, reified
    assert "<https://example.org/synthetic/import/press>" in data


# --- --load through the gate ------------------------------------------------------------------------------------
def test_load_goes_through_the_write_gate(national_store_path: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(national_store_path, store)
    code = main(["import-contracts", str(FIXTURES / "valid"), "--load", "--store", str(store), "--quiet"])
    assert code == 0
    s = OxigraphStore(store / "oxigraph", read_only=True)
    graph = "https://w3id.org/quartiers/graph/data/contracts/synthetic-bourg"
    assert s.query(f"ASK {{ GRAPH <{graph}> {{ ?c <https://w3id.org/quartiers/def#coversQPV> ?q }} }}").boolean
    recorded = s.query(
        """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        ASK { GRAPH <https://w3id.org/quartiers/graph/audit/writes> {
            ?a a prov:Activity ; prov:wasAssociatedWith/foaf:nick "quartiers-import-contracts" } }"""
    ).boolean
    assert recorded
    assert (store / "deltas").is_dir() and any((store / "deltas").iterdir())


def test_a_carrier_that_already_has_a_contract_elsewhere_is_refused(
    national_store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    shutil.copytree(national_store_path, store)
    folder = tmp_path / "clash"
    shutil.copytree(FIXTURES / "valid", folder)
    for path in folder.glob("*.csv"):  # the same synthetic contract, carried by Annemasse (a seed contract)
        text = path.read_text(encoding="utf-8").replace("200071751", "200011773").replace("01053", "74012")
        text = text.replace("QN00101M", "QN07401M").replace("Croix Blanche", "Le Chalet - Helvetia-Park - Hutins")
        path.write_text(text, encoding="utf-8")
    before = graph_counts(store)
    assert main(["import-contracts", str(folder), "--load", "--store", str(store), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{folder}/contracts.csv:2:carrier: " in err and "annemasse-agglomeration-2024" in err
    assert graph_counts(store) == before
    assert not (store / "deltas").exists() or not any((store / "deltas").iterdir())


def test_a_person_with_two_posts_represents_the_signer_with_the_right_one() -> None:
    data = import_contracts([FIXTURES / "valid"]).files["synthetic-bourg"].decode()
    signature = data.split("\n<contrat/2024/200071751/signature/200071751>\n", 1)[1].split("\n\n", 1)[0]
    assert "qk:representedBy <personne/personne-synthetique>" in signature
    assert "qk:representativePost <poste/president-synthetique>" in signature  # the post in the EPCI, not the mayor's
    person = data.split("\n<personne/personne-synthetique>\n", 1)[1].split("\n\n", 1)[0]
    assert "org:holds <poste/maire-synthetique>, <poste/president-synthetique>" in person


def test_two_inputs_with_the_same_carrier_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(FIXTURES / "valid", copy)
    text = (copy / "contracts.csv").read_text(encoding="utf-8").replace("synthetic-bourg", "synthetic-bourg-bis")
    (copy / "contracts.csv").write_text(text, encoding="utf-8")
    for name in ("signatories.csv", "qpv.csv", "funding.csv"):
        renamed = (copy / name).read_text(encoding="utf-8").replace("synthetic-bourg", "synthetic-bourg-bis")
        (copy / name).write_text(renamed, encoding="utf-8")
    with pytest.raises(ContractImportError) as caught:
        import_contracts([FIXTURES / "valid", copy])
    assert [e.line().split(": ", 1)[0] for e in caught.value.errors] == [f"{copy}/contracts.csv:2:carrier"]


def test_a_signer_at_two_ceremonies_has_one_signature_per_day(tmp_path: Path) -> None:
    folder = tmp_path / "ceremonies"
    shutil.copytree(FIXTURES / "valid", folder)
    columns = [c.name for c in SHEET_BY_NAME["signatories"].columns if not c.added]
    with (folder / "signatories.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, columns, lineterminator="\n").writerow(
            {"contract": "synthetic-bourg", "signatory": "200071751", "role": "epci", "signing_date": "02/04/2024",
             "source": "page"}
        )  # fmt: skip
    data = import_contracts([folder]).files["synthetic-bourg"].decode()
    base = "<contrat/2024/200071751/signature/200071751"
    assert f"\n{base}/2024-03-15>\n" in data and f"\n{base}/2024-04-02>\n" in data
    assert f"\n{base}>\n" not in data
    assert "\n<contrat/2024/200071751/signature/etat>\n" in data  # one ceremony: no date in the IRI


def test_a_more_precise_date_from_another_source_is_not_a_conflict(tmp_path: Path) -> None:
    folder = tmp_path / "precise"
    shutil.copytree(FIXTURES / "valid", folder)
    with (folder / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write("minutes,https://example.org/synthetic/import/minutes,Délibération,,,deliberation,,\n")
    columns = [c.name for c in SHEET_BY_NAME["contracts"].columns if not c.added]
    with (folder / "contracts.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writerow({"contract": "synthetic-bourg", "adoption_date": "2024-02", "source": "page"})
        writer.writerow({"contract": "synthetic-bourg", "adoption_date": "20/02/2024", "source": "minutes"})
    data = import_contracts([folder]).files["synthetic-bourg"].decode()
    assert 'qk:adoptionDate "2024-02-20"^^xsd:date' in data
    assert "gYearMonth" not in data
    assert "/enonce/" not in data

"""POST /contracts: an .xlsx workbook or a multipart of CSV files, for authorised writers, through the writer
process and its SHACL gate, on a real server over a writable copy of the national store.

Expected answers come from the fixtures' text (tests/fixtures/import/) and from the rules' definitions.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.contracts.template import folder_to_xlsx
from sparql_api.server import running_server
from sparql_api.settings import Settings

TOKEN = "synthetic-upload-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIXTURES = Path(__file__).parent / "fixtures" / "import"
GRAPH = "https://w3id.org/quartiers/graph/data/contracts/synthetic-bourg"
CONTRACT = "https://w3id.org/quartiers/id/contrat/2024/200071751"


@pytest.fixture(scope="module")
def url(national_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    copy = tmp_path_factory.mktemp("upload-store") / "store"
    shutil.copytree(national_store_path, copy)
    with running_server(copy, Settings(write_token=TOKEN, access_log=False)) as served:
        yield served


def ask(url: str, query: str) -> bool:
    response = httpx.post(url + "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                          timeout=60)  # fmt: skip
    response.raise_for_status()
    return bool(response.json()["boolean"])


def count(url: str, graph: str) -> int:
    response = httpx.post(
        url + "/sparql",
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def multipart(folder: Path) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("file", (p.name, p.read_bytes(), "text/csv")) for p in sorted(folder.glob("*.csv"))]


def test_without_a_token_the_upload_is_refused(url: str) -> None:
    response = httpx.post(
        url + "/contracts", content=folder_to_xlsx(FIXTURES / "valid"), headers={"Content-Type": XLSX}
    )
    assert response.status_code == 401
    assert count(url, GRAPH) == 0


def test_bad_tables_are_a_422_with_file_row_column_and_nothing_written(url: str) -> None:
    response = httpx.post(url + "/contracts", files=multipart(FIXTURES / "bad-date"), headers=AUTH, timeout=120)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [(e["file"], e["row"], e["column"]) for e in errors] == [("contracts.csv", 2, "signing_date")]
    assert " / " in errors[0]["line"]
    assert count(url, GRAPH) == 0


def test_a_violation_is_the_gates_422_and_nothing_written(url: str, tmp_path: Path) -> None:
    folder = tmp_path / "ends-2029"
    shutil.copytree(FIXTURES / "valid", folder)
    text = (folder / "contracts.csv").read_text(encoding="utf-8")
    (folder / "contracts.csv").write_text(text.replace(",2024,2030,", ",2024,2029,"), encoding="utf-8")
    response = httpx.post(url + "/contracts", files=multipart(folder), headers=AUTH, timeout=120)
    assert response.status_code == 422, response.text
    violations = {r["shape_id"] for r in response.json()["report"]["results"] if r["severity"] == "Violation"}
    assert "CDV-PER-002" in violations  # a 2024-2030 contract ends on 31 December 2030
    assert count(url, GRAPH) == 0


def test_a_workbook_is_written_through_the_gate_and_recorded(url: str) -> None:
    response = httpx.post(url + "/contracts", content=folder_to_xlsx(FIXTURES / "valid"),
                          headers={**AUTH, "Content-Type": XLSX}, timeout=120)  # fmt: skip
    assert response.status_code == 201, response.text
    assert response.json()["graphs"] == {"synthetic-bourg": GRAPH}
    assert ask(url, f"ASK {{ GRAPH <{GRAPH}> {{ <{CONTRACT}> <https://w3id.org/quartiers/def#coversQPV> ?q }} }}")
    assert ask(
        url,
        """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        ASK { GRAPH <https://w3id.org/quartiers/graph/audit/writes> {
            ?a a prov:Activity ; prov:wasAssociatedWith/foaf:nick ?who } }""",
    )
    # the same upload again replaces the graph (same triples)
    before = count(url, GRAPH)
    again = httpx.post(url + "/contracts", files=multipart(FIXTURES / "valid"), headers=AUTH, timeout=120)
    assert again.status_code == 201, again.text
    assert count(url, GRAPH) == before

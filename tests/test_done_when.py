"""The foundation's acceptance checks, over HTTP against the real `quartiers serve` process."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from graph.namespaces import sparql_prefixes

SEM_QPV = {f"QN042{n:02d}M" for n in range(2, 17)} | {f"QN042{n:02d}N" for n in range(20, 25)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`quartiers serve` on a fresh store in a temp dir, as a separate process."""
    store = tmp_path_factory.mktemp("served-store")
    port = free_port()
    log = (store.parent / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "quartiers_cli.main", "serve", "--store", str(store), "--host", "127.0.0.1",
         "--port", str(port), "-q"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "QUARTIERS_TOKEN": ""},
    )
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                pytest.fail(f"serve exited with {proc.returncode}: {(store.parent / 'serve.log').read_text()}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("serve did not answer within 300 s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def select(url: str, query: str) -> list[dict[str, str]]:
    response = httpx.post(
        url,
        data={"query": sparql_prefixes() + query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return [{k: v["value"] for k, v in b.items()} for b in body["results"]["bindings"]]


def test_the_graph_has_the_1584_qpv_of_2024(served: str) -> None:
    rows = select(served, "SELECT (COUNT(DISTINCT ?q) AS ?n) WHERE { ?q a qk:QPV }")
    assert rows == [{"n": "1584"}]


def covered(url: str, siren: str) -> set[str]:
    rows = select(url, f"SELECT ?code WHERE {{ qki:contrat\\/2024\\/{siren} qk:coversQPV/qk:qpvCode ?code }}")
    return {r["code"] for r in rows}


def test_saint_etienne_contract_covers_its_20_qpv(served: str) -> None:
    assert covered(served, "244200770") == SEM_QPV
    assert len(SEM_QPV) == 20


def test_annemasse_contract_covers_two_qpv(served: str) -> None:
    assert covered(served, "200011773") == {"QN07401M", "QN07402M"}


def test_adulte_relais_2023_totals_per_contract_equal_the_csv(served: str, shared: Path) -> None:
    """Per 2015 contract, the sum of the 2023 adulte-relais posts equals the CSV's sum.

    The CSV has 5,416 posts: 5,292 name one contract, 52 name none and 72 a joined code (``CV380CV384``);
    the joined ones are linked to each part with dct:relation, not qk:contract, so they are counted apart.
    """
    expected: dict[str, Decimal] = defaultdict(Decimal)
    joined = empty = 0
    path = shared / "reference" / "funding" / "adulte-relais_2023_by_contrat_de_ville.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["code_cv"]
            if not code:
                empty += 1
            elif len(code) > 5:
                joined += 1
            else:
                expected[code] += Decimal(row["montant"])
    assert (empty, joined) == (52, 72)
    rows = select(
        served,
        """SELECT ?code (SUM(?amount) AS ?total) (COUNT(?f) AS ?posts) WHERE {
             ?f a qk:Funding ; qk:scheme qki:programme\\/adulte-relais ; qk:year "2023"^^xsd:gYear ;
                qk:amount ?amount ; qk:contract ?c .
             FILTER NOT EXISTS { ?f a qk:FundingAggregate }
             ?c a qk:CityContract2015 ; qk:contractCode ?code .
           } GROUP BY ?code""",
    )
    got = {r["code"]: Decimal(r["total"]) for r in rows}
    assert got == dict(expected)
    assert sum(int(r["posts"]) for r in rows) == 5416 - 52 - 72
    assert got["CV137"] == expected["CV137"] > 0
    all_lines = select(
        served,
        """SELECT (COUNT(?f) AS ?n) WHERE { ?f qk:scheme qki:programme\\/adulte-relais ; qk:year "2023"^^xsd:gYear .
             FILTER NOT EXISTS { ?f a qk:FundingAggregate } }""",
    )
    assert all_lines == [{"n": "5416"}]

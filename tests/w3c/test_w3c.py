"""The W3C SPARQL 1.1 Protocol, Graph Store, Service Description and result-format suites against a real
server on 127.0.0.1 (see w3c_runner.py). Every test of every manifest must pass."""

from __future__ import annotations

import pytest
from w3c_runner import run_all, runner_settings, tally, w3c_dir

from tests.servers import serve


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    if not (w3c_dir() / "protocol" / "manifest.ttl").is_file():
        pytest.skip(f"W3C tests not found under {w3c_dir()}")
    with serve(tmp_path_factory.mktemp("w3c"), runner_settings()) as url:
        yield run_all(url)


@pytest.mark.parametrize(
    ("suite", "expected"),
    [("protocol", 34), ("graph-store-protocol", 13), ("service-description", 3), ("csv-tsv-res", 6), ("json-res", 4)],
)
def test_w3c_suite_passes_fully(results, suite, expected):
    outcomes = results[suite]
    assert len(outcomes) == expected
    failures = [o for o in outcomes if not o.passed]
    assert not failures, tally({suite: outcomes})

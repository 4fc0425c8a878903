"""The performance suite of issue 12: this project against Oxigraph server and rdflib-endpoint on the same data.

    PYTHONPATH=. .venv/bin/python -m benchmarks.suite [--quick] [--sizes 1M,5M,10M] [--out benchmarks/results]

Datasets: the real graph (built by graph.build into a temporary store, inferred graph included) and synthetic
graphs (benchmarks.synthetic) of the given sizes. For each dataset the suite loads the same N-Quads into every
engine, starts the servers on 127.0.0.1, and measures in interleaved rounds (each round visits every target in a
rotated order, so a burst of load on the shared machine hits all of them alike):
- five queries (point lookup, aggregate, QPV per région, the QPV × commune × EPCI join, DESCRIBE of a QPV):
  in-process pyoxigraph (memory and disk, results serialised) and over HTTP at concurrency 1, 8, 32 with a
  keep-alive client (p50/p95/p99, requests per second, errors);
- cold start to the first answer, RSS and PSS of each server's process tree idle and serving (peak);
- build/load triples per second, the SHACL audit, one write through the gate (real graph);
- the hardening figures of issue 8: p95 of point lookups while four slow queries run; peak RSS of the server tree
  under a hostile query.
Every figure is the median over rounds with its spread (min–max); ratios are taken within a round, then the
median. Writes results/<stamp>.json, results/latest.{json,md} and results/latency-throughput.png.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox

from benchmarks import report, servers, synthetic
from benchmarks.load import GRAPH_ACCEPT, SELECT_ACCEPT, Background, client, run_cell, unique
from graph.namespaces import QKI

RESULTS = Path(__file__).resolve().parent / "results"
PREFIXES = ("PREFIX qk: <https://w3id.org/quartiers/def#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n")
QUERIES: dict[str, tuple[str, str]] = {  # name → (template; {id}: the dataset's entity base, {qpv}: a QPV IRI)
    "point lookup": ("SELECT ?p ?o WHERE { <{qpv}> ?p ?o }", SELECT_ACCEPT),
    "adulte-relais money per 2015 contract": (
        "SELECT ?code (SUM(?amount) AS ?total) (COUNT(?f) AS ?lines) WHERE {\n"
        "  ?f a qk:Funding ; qk:scheme <{id}programme/adulte-relais> ; qk:amount ?amount ; qk:contract ?c .\n"
        "  FILTER NOT EXISTS { ?f a qk:FundingAggregate }\n"
        "  ?c a qk:CityContract2015 ; qk:contractCode ?code .\n} GROUP BY ?code", SELECT_ACCEPT),
    "QPV per région": ("SELECT ?r (COUNT(?q) AS ?n) WHERE { ?q a qk:QPV ; qk:region ?r } GROUP BY ?r", SELECT_ACCEPT),
    "QPV × commune × EPCI": (
        "SELECT ?q ?ql ?cl ?el WHERE { ?q a qk:QPV ; rdfs:label ?ql ; qk:commune ?c ; qk:epci ?e .\n"
        "  ?c rdfs:label ?cl . ?e rdfs:label ?el }", SELECT_ACCEPT),
    "DESCRIBE of a QPV": ("DESCRIBE <{qpv}>", GRAPH_ACCEPT),
}
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }"
HOSTILE_QUERY = "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
RDFLIB_SLOW = {"adulte-relais money per 2015 contract", "QPV × commune × EPCI"}  # rdflib-endpoint: c=1 only
MEMORY_GUARD = 4 * 1024**3  # a server tree above this under the hostile query is killed (shared machine)
TARGET_MS = 100.0


@dataclass
class Profile:
    rounds: int
    duration: float  # seconds per HTTP cell
    engine_runs: int  # in-process runs per round
    concurrency: tuple[int, ...] = (1, 8, 32)
    audits: int = 3
    writes: int = 5
    cold_starts: int = 3


QUICK = Profile(rounds=3, duration=2.0, engine_runs=5, audits=1, writes=5, cold_starts=2)
FULL = Profile(rounds=5, duration=5.0, engine_runs=9)
SMOKE = Profile(rounds=1, duration=0.5, engine_runs=2, concurrency=(1, 8), audits=1, writes=2, cold_starts=1)


@dataclass
class Dataset:
    name: str
    nquads: Path
    id_base: str
    qpvs: list[str]
    triples: int
    project_store: Path  # a folder with oxigraph/ (and the build manifest for the real graph)
    oxigraph_location: Path
    load: dict[str, object] = field(default_factory=dict)

    def query(self, name: str, n: int) -> str:
        template, _ = QUERIES[name]
        text = template.replace("{id}", self.id_base).replace("{qpv}", self.qpvs[n % len(self.qpvs)])
        return PREFIXES + text


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


def spread(values: list[float]) -> dict[str, float]:
    clean = [v for v in values if v == v]  # drop NaN
    if not clean:
        return {"median": float("nan"), "min": float("nan"), "max": float("nan"), "n": 0}
    return {"median": statistics.median(clean), "min": min(clean), "max": max(clean), "n": len(clean)}


def run_child(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run a command; (seconds, peak RSS in bytes of that child, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**os.environ, **(env or {})})
    out = process.stdout.read().decode() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{out[-2000:]}")
    return time.perf_counter() - started, usage.ru_maxrss * 1024, out


# --- datasets ------------------------------------------------------------------------------------------------
def real_dataset(work: Path) -> Dataset:
    folder = work / "real" / "store"
    log("building the real graph (quartiers build into a temporary store)")
    seconds, peak, out = run_child([sys.executable, "-m", "quartiers_cli.main", "build", "--store", str(folder),
                                    "-q"], {"PYTHONPATH": str(servers.REPO)})
    inference = re.search(r"inferred graph: (\d+) triples in ([\d.]+) s", out)
    store = ox.Store.read_only(str(folder / "oxigraph"))
    triples = len(store)
    nquads = work / "real" / "real.nq"
    store.dump(output=str(nquads), format=ox.RdfFormat.N_QUADS)
    qpvs = [str(row[0].value) for row in store.query(
        "SELECT ?q WHERE { GRAPH ?g { ?q a <https://w3id.org/quartiers/def#QPV> } } ORDER BY ?q")]
    del store
    location = work / "real" / "oxigraph-server"
    ox_seconds = servers.oxigraph_load(location, nquads)
    load = {"project build (quartiers build, inference included)": {
        "seconds": seconds, "triples": triples, "triples_per_s": triples / seconds, "peak_rss": peak,
        "inference_s": float(inference.group(2)) if inference else None},
        "Oxigraph server (oxigraph load of the N-Quads)": {
            "seconds": ox_seconds, "triples": triples, "triples_per_s": triples / ox_seconds}}
    return Dataset("real graph", nquads, QKI, qpvs, triples, folder, location, load)


def synthetic_dataset(work: Path, size: int) -> Dataset:
    label = f"synthetic {size // 1_000_000}M" if size % 1_000_000 == 0 else f"synthetic {size}"
    base = work / label.replace(" ", "-")
    base.mkdir(parents=True)
    nquads = base / "data.nq"
    log(f"generating {label}")
    started = time.perf_counter()
    written = synthetic.generate(nquads, size)
    generated = time.perf_counter() - started
    folder = base / "store"
    code = ("import sys; from pathlib import Path; from graph.store import OxigraphStore; "
            "s = OxigraphStore(Path(sys.argv[1]) / 'oxigraph'); s.bulk_load_file(Path(sys.argv[2]), None); "
            "print(len(s.raw)); s.close()")
    seconds, peak, out = run_child([sys.executable, "-c", code, str(folder), str(nquads)],
                                   {"PYTHONPATH": str(servers.REPO)})
    triples = int(out.strip().splitlines()[-1])
    location = base / "oxigraph-server"
    ox_seconds = servers.oxigraph_load(location, nquads)
    store = ox.Store.read_only(str(location))
    ids = [str(r[0].value) for r in store.query(
        "SELECT ?q WHERE { GRAPH ?g { ?q a <https://w3id.org/quartiers/def#QPV> } } ORDER BY ?q")]
    del store
    load = {"generation": {"seconds": generated, "triples": written},
            "project load (OxigraphStore.bulk_load_file)": {
                "seconds": seconds, "triples": triples, "triples_per_s": triples / seconds, "peak_rss": peak},
            "Oxigraph server (oxigraph load)": {
                "seconds": ox_seconds, "triples": triples, "triples_per_s": triples / ox_seconds}}
    return Dataset(label, nquads, synthetic.ID, ids, triples, folder, location, load)


def catalogue_questions() -> dict[str, str]:
    """Each catalogue question (graph/questions, issue 9) rendered with its defaults; {} before it exists."""
    try:
        from graph.questions import load_catalogue
    except ImportError:
        return {}
    return {name: question.render() for name, question in sorted(load_catalogue().items())}


# --- in-process engine ---------------------------------------------------------------------------------------
def engine_once(store: ox.Store, query: str) -> int:
    """The number of results of ``query``."""
    return len(list(store.query(query, use_default_graph_as_union=True)))


def engine_serialised(store: ox.Store, query: str) -> float:
    started = time.perf_counter()
    result = store.query(query, use_default_graph_as_union=True)
    if isinstance(result, ox.QuerySolutions):
        result.serialize(format=ox.QueryResultsFormat.JSON)
    else:
        ox.serialize(result, format=ox.RdfFormat.TURTLE)
    return time.perf_counter() - started


# --- memory sampling -----------------------------------------------------------------------------------------
class Sampler:
    """Peak RSS/PSS of a process tree, sampled every ``every`` seconds while active."""

    def __init__(self, pid: int, every: float = 0.25, guard: int | None = None,
                 on_guard: Callable[[], None] | None = None) -> None:
        self.pid, self.every, self.guard, self.on_guard = pid, every, guard, on_guard
        self.peak = {"rss": 0, "pss": 0, "processes": 0}
        self.guarded = False
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self) -> None:
        while not self.stop.is_set():
            now = servers.tree_memory(self.pid)
            for key in self.peak:
                self.peak[key] = max(self.peak[key], now[key])
            if self.guard and now["rss"] > self.guard and not self.guarded:
                self.guarded = True
                if self.on_guard:
                    self.on_guard()
            self.stop.wait(self.every)

    def __enter__(self) -> Sampler:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()


# --- one dataset ---------------------------------------------------------------------------------------------
@contextlib.contextmanager
def started(server: servers.Server, logs: Path) -> Iterator[servers.Server]:
    log(f"starting {server.name}")
    try:
        server.start(logs)
        yield server
    finally:
        server.stop()


def warm(server: servers.Server, data: Dataset) -> dict[str, int | str]:
    """Two requests of each query; the number of rows each SELECT answered (to check that every server holds
    the same data)."""
    rows: dict[str, int | str] = {}
    with client(0, 120) as http:
        for name, (_, accept) in QUERIES.items():
            for n in range(2):
                response = http.get(server.url, params={"query": unique(data.query(name, n))},
                                    headers={"Accept": accept})
                if n == 0:
                    rows[name] = (len(response.json()["results"]["bindings"]) if accept == SELECT_ACCEPT
                                  and response.status_code == 200 else str(response.status_code))
    return rows


def measure_dataset(data: Dataset, profile: Profile, work: Path, with_rdflib: bool, token: str) -> dict:
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    result: dict = {"dataset": data.name, "triples": data.triples, "load": data.load,
                    "loadavg_start": os.getloadavg()}
    # in-process engines
    memory = ox.Store()
    started_load = time.perf_counter()
    memory.bulk_load(path=str(data.nquads), format=ox.RdfFormat.N_QUADS)
    data.load["pyoxigraph in memory (bulk_load)"] = {
        "seconds": time.perf_counter() - started_load, "triples": len(memory),
        "triples_per_s": len(memory) / (time.perf_counter() - started_load)}
    disk = ox.Store.read_only(str(data.oxigraph_location))
    rows = {name: engine_once(memory, data.query(name, 0)) for name in QUERIES}
    result["rows"] = rows
    targets: list[servers.Server] = [servers.project_server(data.project_store, token),
                                     servers.oxigraph_server(data.oxigraph_location)]
    if with_rdflib:
        targets.append(servers.rdflib_endpoint(data.nquads))
    cells: dict = {}  # target → query → concurrency → [per-round summaries]
    engine: dict = {"pyoxigraph memory": {}, "pyoxigraph disk": {}}
    memory_use: dict = {}
    questions = catalogue_questions() if data.name == "real graph" else {}
    question_times: dict = {}  # question → target → [per-round ms]
    with contextlib.ExitStack() as stack:
        for server in targets:
            stack.enter_context(started(server, logs))
            answered = warm(server, data)
            time.sleep(1.0)
            memory_use[server.name] = {"idle": server.memory(), "start_to_first_answer_s": server.started_seconds,
                                       "rows": answered}
        samplers = {s.name: stack.enter_context(Sampler(s.pid)) for s in targets}
        for r in range(profile.rounds):
            log(f"{data.name}: round {r + 1}/{profile.rounds} (load {os.getloadavg()[0]:.1f})")
            for qi, name in enumerate(QUERIES):
                _, accept = QUERIES[name]
                order = targets[(r + qi) % len(targets):] + targets[:(r + qi) % len(targets)]
                for label, store in (("pyoxigraph memory", memory), ("pyoxigraph disk", disk)):
                    times = [engine_serialised(store, data.query(name, n)) for n in range(profile.engine_runs)]
                    engine[label].setdefault(name, []).append(statistics.median(times) * 1000)
                for server in order:
                    for c in profile.concurrency:
                        if server.name == "rdflib-endpoint" and (c > 8 or (c > 1 and name in RDFLIB_SLOW)):
                            continue  # seconds per request: 8 or 32 of them at once would take minutes a cell
                        least = 1 if server.name == "rdflib-endpoint" and name in RDFLIB_SLOW else 3
                        cell = run_cell(server.url, lambda n, q=name: data.query(q, n), accept, c, profile.duration,
                                        min_requests=least)
                        cells.setdefault(server.name, {}).setdefault(name, {}).setdefault(c, []).append(
                            cell.summary())
            if data.name == "real graph" and questions:
                measure_questions(questions, memory, disk, targets[:2], profile, question_times)
        for name, sampler in samplers.items():
            memory_use[name]["serving_peak"] = dict(sampler.peak)
        if data.name == "real graph":
            project = targets[0]
            result["write"] = measure_writes(project, token, profile.writes)
            result["hardening"] = {s.name: hardening(s, data) for s in targets[:2]}
    result["engine_ms"] = {k: {q: spread(v) for q, v in per.items()} for k, per in engine.items()}
    result["http"] = {s: {q: {c: aggregate_cells(v) for c, v in per_c.items()} for q, per_c in per_q.items()}
                      for s, per_q in cells.items()}
    result["ratios"] = ratios(cells, engine)
    result["memory"] = memory_use
    if question_times:
        result["questions"] = {q: {t: spread(v) for t, v in per.items()} for q, per in question_times.items()}
        result["question_rows"] = {q: engine_once(memory, text) for q, text in questions.items()}
    result["loadavg_end"] = os.getloadavg()
    return result


def measure_questions(questions: dict[str, str], memory: ox.Store, disk: ox.Store, targets: list[servers.Server],
                      profile: Profile, times: dict) -> None:
    """One round over the catalogue: in-process (memory, disk; median of 3) and p50 over HTTP at concurrency 1
    (the rendered text sent to /sparql, made unique: the answer cache never serves it)."""
    for name, text in questions.items():
        entry = times.setdefault(name, {})
        for label, store in (("pyoxigraph memory", memory), ("pyoxigraph disk", disk)):
            runs = [engine_serialised(store, text) * 1000 for _ in range(3)]
            entry.setdefault(label, []).append(statistics.median(runs))
        for server in targets:
            cell = run_cell(server.url, lambda n, t=text: t, SELECT_ACCEPT, 1, min(profile.duration, 1.0)).summary()
            entry.setdefault(server.name, []).append(cell["p50_ms"] if cell["requests"] else float("nan"))
            if cell["errors"]:
                entry.setdefault(f"{server.name} errors", []).append(sum(cell["errors"].values()))


def aggregate_cells(rounds: list[dict]) -> dict:
    errors: dict[str, int] = {}
    for summary in rounds:
        for key, value in summary["errors"].items():
            errors[key] = errors.get(key, 0) + value
    return {"rps": spread([s["rps"] for s in rounds]), "p50_ms": spread([s["p50_ms"] for s in rounds]),
            "p95_ms": spread([s["p95_ms"] for s in rounds]), "p99_ms": spread([s["p99_ms"] for s in rounds]),
            "requests": sum(s["requests"] for s in rounds), "errors": errors}


def ratios(cells: dict, engine: dict) -> dict:
    """Within each round: project ÷ peer (throughput at c=8; p50 at c=1), project p50 ÷ in-memory engine."""
    out: dict = {}
    project = cells.get("Quartiers KG", {})
    for name, per_c in project.items():
        entry = {}
        for peer in ("Oxigraph server", "rdflib-endpoint"):
            peer_c = cells.get(peer, {}).get(name)
            if not peer_c:
                continue
            if 8 in per_c and 8 in peer_c:
                entry[f"rps c=8 ÷ {peer}"] = spread([a["rps"] / b["rps"] if b["rps"] else float("nan")
                                                     for a, b in zip(per_c[8], peer_c[8], strict=True)])
            entry[f"p50 c=1 ÷ {peer}"] = spread([a["p50_ms"] / b["p50_ms"] for a, b in zip(per_c[1], peer_c[1],
                                                                                             strict=True)])
        entry["p50 c=1 ÷ in-memory engine"] = spread([a["p50_ms"] / b for a, b in zip(
            per_c[1], engine["pyoxigraph memory"][name], strict=True)])
        out[name] = entry
    return out


def measure_writes(server: servers.Server, token: str, count: int) -> dict:
    """One INSERT DATA through the gate (plan, SHACL, provenance, commit), ``count`` times."""
    log("writes through the gate")
    times, statuses = [], []
    with client(0, 120) as http:
        for n in range(count):
            update = (f"INSERT DATA {{ GRAPH <{synthetic.GRAPH}bench-writes> {{ <{synthetic.ID}note/{n}-"
                      f"{secrets.token_hex(4)}> <http://www.w3.org/2000/01/rdf-schema#label> \"note {n}\"@fr }} }}")
            started_at = time.perf_counter()
            response = http.post(server.url, content=update.encode(), headers={
                "Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"})
            times.append((time.perf_counter() - started_at) * 1000)
            statuses.append(response.status_code)
    return {"ms": spread(times), "statuses": statuses}


def hardening(server: servers.Server, data: Dataset) -> dict:
    """p95 of point lookups while four slow queries run (four clients); peak RSS under the hostile query."""
    log(f"hardening figures: {server.name}")
    out: dict = {}
    with Background(server.url, SLOW_QUERY, count=4, hang_up=14.0) as slow:
        time.sleep(1.5)
        cell = run_cell(server.url, lambda n: data.query("point lookup", n), SELECT_ACCEPT, 1, 8.0)
    out["lookups_under_4_slow"] = {**cell.summary(), "slow_statuses": slow.statuses}
    time.sleep(2.0)
    peak_guard = {"killed": False}

    def kill() -> None:
        peak_guard["killed"] = True
        server.kill()

    started_at = time.perf_counter()
    with Sampler(server.pid, every=0.1, guard=MEMORY_GUARD, on_guard=kill) as sampler:
        try:
            with client(200, 45) as http:
                response = http.get(server.url, params={"query": HOSTILE_QUERY}, headers={"Accept": SELECT_ACCEPT})
                status = str(response.status_code)
        except httpx.HTTPError as exc:
            status = type(exc).__name__
    out["hostile"] = {"peak": dict(sampler.peak), "status": status, "seconds": time.perf_counter() - started_at,
                      "killed_by_guard": peak_guard["killed"], "guard_bytes": MEMORY_GUARD,
                      "alive_after": server.alive()}
    if server.alive():
        try:
            out["hostile"]["answers_after"] = httpx.get(server.url, params={"query": servers.PROBE}, timeout=30,
                                                        headers={"Accept": SELECT_ACCEPT}).status_code
        except httpx.HTTPError as exc:
            out["hostile"]["answers_after"] = type(exc).__name__
    return out


# --- real-graph extras ---------------------------------------------------------------------------------------
def cold_starts(data: Dataset, work: Path, count: int, with_rdflib: bool) -> dict:
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    out: dict = {}
    makers: list[tuple[str, Callable[[], servers.Server]]] = [
        ("Quartiers KG (quartiers serve)", lambda: servers.project_cli_server(data.project_store)),
        ("Quartiers KG (serve the store folder)", lambda: servers.project_server(data.project_store, "x")),
        ("Oxigraph server", lambda: servers.oxigraph_server(data.oxigraph_location)),
    ]
    if with_rdflib:
        makers.append(("rdflib-endpoint", lambda: servers.rdflib_endpoint(data.nquads)))
    for n in range(count):
        for name, make in makers:
            if name == "rdflib-endpoint" and n > 0:
                continue  # it parses the whole file at each start (about a minute): once is enough
            server = make()
            log(f"cold start {n + 1}/{count}: {name}")
            began = time.perf_counter()
            with started(server, logs):
                ready = time.perf_counter() - began
                entry = out.setdefault(name, {"first_answer_s": [], "ready_s": [], "idle": None})
                entry["first_answer_s"].append(server.started_seconds)
                entry["ready_s"].append(ready)
                if entry["idle"] is None:
                    time.sleep(1.0)
                    entry["idle"] = server.memory()
    for entry in out.values():
        entry["first_answer"] = spread(entry.pop("first_answer_s"))
        entry["ready"] = spread(entry.pop("ready_s"))
    return out


def shacl_audit(data: Dataset, count: int) -> dict:
    log("SHACL audit of the real graph")
    code = ("import sys, time, json; from pathlib import Path; from graph.store import OxigraphStore; "
            "from graph.validation import validate_store, load_shapes; load_shapes(); "
            "s = OxigraphStore(Path(sys.argv[1]) / 'oxigraph', read_only=True); times = []\n"
            "for _ in range(int(sys.argv[2])):\n"
            "    t = time.perf_counter(); r = validate_store(s); times.append(time.perf_counter() - t)\n"
            "import pyoxigraph as ox; m = ox.Store(); m.bulk_extend(s.raw.quads_for_pattern(None, None, None, None))\n"
            "memory = []\n"
            "for _ in range(int(sys.argv[2])):\n"
            "    t = time.perf_counter(); validate_store(OxigraphStore.wrap(m))\n"
            "    memory.append(time.perf_counter() - t)\n"
            "print(json.dumps({'times': times, 'memory': memory, "
            "'counts': {str(k): v for k, v in r.counts().items()}}))")
    _, peak, out = run_child([sys.executable, "-c", code, str(data.project_store), str(count)],
                             {"PYTHONPATH": str(servers.REPO)})
    found = json.loads(out.strip().splitlines()[-1])
    return {"seconds": spread(found["times"]), "in_memory_seconds": spread(found["memory"]),
            "counts": found["counts"], "peak_rss": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 2 s cells (default: 5 rounds of 5 s)")
    parser.add_argument("--smoke", action="store_true", help="one short round: checks that the suite runs")
    parser.add_argument("--sizes", default="1M", help="synthetic sizes, comma-separated (e.g. 1M,5M,10M; '' none)")
    parser.add_argument("--no-real", action="store_true", help="skip the real graph")
    parser.add_argument("--rdflib-max", type=int, default=600_000,
                        help="serve rdflib-endpoint only for datasets up to this many triples (it parses them)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    args = parser.parse_args()
    profile = SMOKE if args.smoke else QUICK if args.quick else FULL
    servers.ensure_peer_env()
    token = secrets.token_hex(16)
    began = time.perf_counter()
    run: dict = {"started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "profile": profile.__dict__,
                 "quick": args.quick, "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                                  "python": platform.python_version()},
                 "versions": {"pyoxigraph": ox.__version__ if hasattr(ox, "__version__") else "?",
                              **servers.peer_versions()},
                 "loadavg_start": os.getloadavg(), "datasets": [], "queries": {k: v[0] for k, v in QUERIES.items()},
                 "slow_query": SLOW_QUERY, "hostile_query": HOSTILE_QUERY}
    with tempfile.TemporaryDirectory(prefix="quartiers-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        datasets: list[Dataset] = []
        if not args.no_real:
            real = real_dataset(work)
            run["cold_start"] = cold_starts(real, work, profile.cold_starts, real.triples <= args.rdflib_max)
            run["shacl_audit"] = shacl_audit(real, profile.audits)
            datasets.append(real)
        for size in [s for s in args.sizes.split(",") if s]:
            count = int(float(size.rstrip("Mm")) * 1_000_000) if size[-1] in "Mm" else int(size)
            started_at = time.perf_counter()
            data = synthetic_dataset(work, count)
            data.load["prepare_s"] = time.perf_counter() - started_at
            datasets.append(data)
        for data in datasets:
            started_at = time.perf_counter()
            measured = measure_dataset(data, profile, work, data.triples <= args.rdflib_max, token)
            measured["seconds"] = time.perf_counter() - started_at
            run["datasets"].append(measured)
            write_outputs(run, args.out)  # partial results survive an interruption
    run["seconds"] = time.perf_counter() - began
    run["loadavg_end"] = os.getloadavg()
    write_outputs(run, args.out)
    log(f"done in {run['seconds']:.0f} s → {args.out}")


def write_outputs(run: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(run, indent=1, ensure_ascii=False, default=str)
    (out / "latest.json").write_text(text)
    (out / f"{run['started'].replace(':', '')}.json").write_text(text)
    (out / "latest.md").write_text(report.markdown(run))
    with contextlib.suppress(Exception):
        report.plot(run, out / "latency-throughput.png")


if __name__ == "__main__":
    main()

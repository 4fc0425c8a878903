"""OWL 2 RL inference over the national graph: the options of issue #11, measured, and checked against owlrl.

Options (each gives the entailed triples that are not asserted, for ``qkg:inferred``):
- ``engine``: the project's (graph.inference) — owlrl closes the schema (a few hundred triples), the instance rules
  run in bulk in Python (semi-naive forward chaining over N-Triples strings, per-predicate expansions);
- ``sparql``: the same compiled schema turned into SPARQL INSERT rules (VALUES tables of subclasses, subproperties,
  domains, ranges, inverses; one query per chain and transitive property) run to a fixpoint in pyoxigraph;
- ``reasonable``: the Rust OWL 2 RL reasoner ``reasonable`` (PyPI), on an N-Triples dump;
- ``owlrl``: the reference, on the representative sample only (it grows about as n^1.9).

Each option's result on the representative sample (graph.inference.sample) is compared with owlrl's, with the
filter of docs/inference.md. Then: the whole graph (median of --repeat runs and spread), the inferred graph written
to an on-disk store as a build does, and one contract's write kept current incrementally (the Saint-Étienne
contract removed, then added back, on an in-memory replica; checked against recomputation).

Usage: .venv/bin/python benchmarks/inference_bench.py [--repeat 3] [--slow-repeat 1]
       [--options engine,sparql,reasonable]
       [--json FILE]. Prints Markdown; asserts nothing (targets: whole graph ≤ 10 s, one contract ≤ 1 s).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import owlrl
import pyoxigraph as ox
import rdflib

from graph.build import build_into, open_built_store
from graph.inference import infer
from graph.inference.incremental import Reasoner
from graph.inference.materialise import schema_triples_of
from graph.inference.materialised import apply_change, infer_store, write_inferred
from graph.inference.rules import Tables
from graph.inference.sample import representative_sample
from graph.inference.schema import compile_schema, is_trivial
from graph.inference.terms import parse_ntriples, store_triples
from graph.inference.vocabulary import Triple
from graph.layout import INFERRED_GRAPH, graph_files
from graph.store import OxigraphStore
from graph.terms import to_oxigraph, to_rdflib

CONTRACT_GRAPH = "https://w3id.org/quartiers/graph/data/contracts/saint-etienne-metropole-2024"
ERRORS = str(owlrl.Namespaces.ERRNS)


# ---- timing ---------------------------------------------------------------------------------------------------------
def timed(run: Callable[[], object], repeat: int) -> tuple[dict[str, float], object]:
    """Wall-clock seconds (median, min, max) and the CPU seconds of this process (median): on a shared machine
    the CPU time is what an idle one would take, give or take the threads pyoxigraph uses."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = run()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": len(times),
            "cpu": statistics.median(cpu)}, result


def fmt(t: dict[str, float] | None) -> str:
    if not t:
        return "—"
    return f"{t['median']:.2f} s ({t['min']:.2f}–{t['max']:.2f}, {t['runs']} runs; CPU {t['cpu']:.2f} s)"


# ---- the options ----------------------------------------------------------------------------------------------------
def memory_store(quads: list[ox.Quad]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(quads)
    return store


def option_engine(store: ox.Store) -> set[Triple]:
    return set(infer(store).triples)


def sparql_rules(tables: Tables, graphs: list[str]) -> list[str]:
    """The compiled schema as SPARQL updates over the union of ``graphs`` and the inferred graph."""
    using = " ".join(f"USING <{g}>" for g in [*graphs, INFERRED_GRAPH])
    into = f"GRAPH <{INFERRED_GRAPH}>"

    def values(rows: list[tuple[str, str]]) -> str:
        return " ".join(f"({a} {b})" for a, b in rows)

    direct, flipped, subject_types, object_types, literal_direct, literal_types = [], [], [], [], [], []
    for p, e in tables.node_expansions.items():
        for _rule, q, f in e.triples:
            (flipped if f else direct).append((p, q))
        subject_types += [(p, c) for _rule, c in e.subject_types]
        object_types += [(p, c) for _rule, c in e.object_types]
    for p, e in tables.literal_expansions.items():
        literal_direct += [(p, q) for _rule, q, _f in e.triples]
        literal_types += [(p, c) for _rule, c in e.subject_types]
    superclasses = [(c, d) for c, ds in tables.schema.superclasses.items() for d in ds]
    node, literal = "FILTER(!isLiteral(?o))", "FILTER(isLiteral(?o))"
    rules = [
        (direct, "?p ?q", "?s ?q ?o", node), (literal_direct, "?p ?q", "?s ?q ?o", literal),
        (flipped, "?p ?q", "?o ?q ?s", node), (subject_types, "?p ?c", "?s a ?c", node),
        (literal_types, "?p ?c", "?s a ?c", literal), (object_types, "?p ?c", "?o a ?c", node),
    ]
    updates = [
        f"INSERT {{ {into} {{ {head} }} }} {using} WHERE {{ VALUES ({variables}) {{ {values(rows)} }} "
        f"?s ?p ?o {kind} FILTER NOT EXISTS {{ {head} }} }}"
        for rows, variables, head, kind in rules if rows
    ]
    if superclasses:
        updates.append(f"INSERT {{ {into} {{ ?s a ?d }} }} {using} WHERE {{ VALUES (?c ?d) {{ {values(superclasses)} }}"
                       f" ?s a ?c FILTER NOT EXISTS {{ ?s a ?d }} }}")
    for prop, chains in tables.schema.chains.items():
        for chain in chains:
            path = " / ".join(chain)
            updates.append(f"INSERT {{ {into} {{ ?x {prop} ?z }} }} {using} WHERE {{ ?x {path} ?z "
                           f"FILTER NOT EXISTS {{ ?x {prop} ?z }} }}")
    for p in tables.schema.transitive:
        updates.append(f"INSERT {{ {into} {{ ?x {p} ?z }} }} {using} WHERE {{ ?x {p} ?y . ?y {p} ?z "
                       f"FILTER NOT EXISTS {{ ?x {p} ?z }} }}")
    return updates


def option_sparql(store: ox.Store) -> set[Triple]:
    """Rules compiled to SPARQL INSERT, run to a fixpoint (owl:sameAs rules left out: the data has none)."""
    asserted = store_triples(store, INFERRED_GRAPH)
    schema = compile_schema(schema_triples_of(asserted))
    tables = Tables.of(schema)
    graphs = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value != INFERRED_GRAPH]
    target = ox.NamedNode(INFERRED_GRAPH)
    store.extend([ox.Quad(*(to_term(x) for x in t), target) for t in schema.inferred if t not in asserted])
    updates = sparql_rules(tables, graphs)
    while True:
        before = len(store)
        for update in updates:
            store.update(update)
        if len(store) == before:
            break
    return set(parse_ntriples(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=target).decode()))


def to_term(nt: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    from graph.inference.terms import to_term as convert

    return convert(nt)


def option_reasonable(store: ox.Store) -> set[Triple]:
    import reasonable

    asserted = store_triples(store, INFERRED_GRAPH)
    with tempfile.NamedTemporaryFile(suffix=".ttl") as dump:  # N-Triples is Turtle; reasonable reads ttl/n3 files
        dump.write("".join(f"{s} {p} {o} .\n" for s, p, o in asserted).encode())
        dump.flush()
        reasoner = reasonable.PyReasoner()
        reasoner.load_file(dump.name)
        closure = reasoner.reason()
    entailed = set()
    for triple in closure:
        nt = tuple(str(to_oxigraph(x)) for x in triple)
        if nt not in asserted and not is_trivial(nt):  # type: ignore[arg-type]
            entailed.add(nt)
    return entailed  # type: ignore[return-value]


OPTIONS: dict[str, Callable[[ox.Store], set[Triple]]] = {
    "engine": option_engine,
    "sparql": option_sparql,
    "reasonable": option_reasonable,
}


# ---- the reference --------------------------------------------------------------------------------------------------
def owlrl_entailments(quads: list[ox.Quad]) -> set[Triple]:
    graph = rdflib.Graph()
    for q in quads:
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    asserted = set(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    found = set()
    for s, p, o in set(graph) - asserted:
        if isinstance(s, rdflib.Literal) or not isinstance(p, rdflib.URIRef) or str(p).startswith(ERRORS):
            continue
        nt = (str(to_oxigraph(s)), str(to_oxigraph(p)), str(to_oxigraph(o)))
        if not is_trivial(nt) and not str(o).startswith(ERRORS):
            found.add(nt)
    return found


# ---- the measures ---------------------------------------------------------------------------------------------------
def incremental_write(quads: list[ox.Quad], repeat: int) -> dict[str, object]:
    """One contract removed then added back on an in-memory replica of the national graph with its closure."""
    replica = memory_store(quads)
    replica.extend(infer(replica).quads())
    reasoner = Reasoner.of_store(replica)
    contract = [q for q in quads if q.graph_name == ox.NamedNode(CONTRACT_GRAPH)]
    removal, addition, sizes, cpu_removal, cpu_addition = [], [], [], [], []
    for _ in range(repeat):
        for q in contract:
            replica.remove(q)
        started, started_cpu = time.perf_counter(), time.process_time()
        change = reasoner.update(replica, [], contract)
        removal.append(time.perf_counter() - started)
        cpu_removal.append(time.process_time() - started_cpu)
        apply_change(replica, change)
        sizes.append((len(change.added), len(change.removed)))
        replica.extend(contract)
        started, started_cpu = time.perf_counter(), time.process_time()
        change = reasoner.update(replica, contract, [])
        addition.append(time.perf_counter() - started)
        cpu_addition.append(time.process_time() - started_cpu)
        apply_change(replica, change)
    current = set(parse_ntriples(replica.dump(format=ox.RdfFormat.N_TRIPLES,
                                               from_graph=ox.NamedNode(INFERRED_GRAPH)).decode()))
    recomputed = set(infer(replica).triples)

    def stats(times: list[float]) -> dict[str, float]:
        return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": len(times),
                "cpu": float("nan")}

    remove, add = stats(removal), stats(addition)
    remove["cpu"], add["cpu"] = statistics.median(cpu_removal), statistics.median(cpu_addition)
    return {
        "contract_quads": len(contract), "remove": remove, "add": add,
        "inferred_changed": sizes[0][1], "equals_recomputation": current == recomputed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--slow-repeat", type=int, default=1, help="runs of the whole graph for sparql, reasonable")
    parser.add_argument("--options", default="engine,sparql,reasonable")
    parser.add_argument("--json", type=Path, help="write the figures as JSON to this file")
    args = parser.parse_args()
    chosen = [o for o in args.options.split(",") if o]
    report: dict[str, object] = {"repeat": args.repeat, "options": {}}

    national = OxigraphStore()
    build_into(national, graph_files())
    quads = list(national.raw)
    sample = representative_sample(national.raw)
    report["national_quads"], report["sample_quads"] = len(quads), len(sample)
    print(f"national graph: {len(quads)} quads; representative sample: {len(sample)} quads", file=sys.stderr)

    owlrl_time, reference = timed(lambda: owlrl_entailments(sample), 1)
    report["owlrl_sample"] = {"time": owlrl_time, "entailed": len(reference)}  # type: ignore[arg-type]
    for name in chosen:
        option = OPTIONS[name]
        sample_time, on_sample = timed(lambda option=option: option(memory_store(sample)), 1)
        found: set[Triple] = on_sample  # type: ignore[assignment]
        entry: dict[str, object] = {
            "sample_time": sample_time, "equal_to_owlrl": found == reference,
            "missing": len(reference - found), "extra": len(found - reference),
        }
        print(f"{name}: sample {fmt(sample_time)}, equal to owlrl: {found == reference}", file=sys.stderr)
        runs = args.repeat if name == "engine" else args.slow_repeat
        whole_time, whole = timed(lambda option=option: option(memory_store(quads)), runs)
        entry["whole_time"], entry["whole_entailed"] = whole_time, len(whole)  # type: ignore[arg-type]
        print(f"{name}: whole graph {fmt(whole_time)}, {len(whole)} entailed", file=sys.stderr)
        report["options"][name] = entry  # type: ignore[index]

    by_rule = infer(national).by_rule()
    report["by_rule"] = by_rule
    write_time, _ = timed(lambda: write_inferred(national, infer(national)), 1)
    with tempfile.TemporaryDirectory() as tmp:
        disk, build = open_built_store(Path(tmp) / "store")
        report["build"] = {"seconds": build.seconds, "inference_seconds": build.inference_seconds}
        disk_time, _ = timed(lambda: infer_store(disk), args.repeat)
        report["disk_infer_store"] = disk_time
        disk.close()
    report["memory_infer_and_write"] = write_time
    report["incremental"] = incremental_write(quads, args.repeat)
    print(markdown(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")


def markdown(report: dict) -> str:
    lines = [
        f"National graph: {report['national_quads']} quads; representative sample: {report['sample_quads']} quads "
        f"(owlrl on the sample: {fmt(report['owlrl_sample']['time'])}, {report['owlrl_sample']['entailed']} "
        "entailed triples after the filter).",
        "",
        "| option | equal to owlrl on the sample | sample | whole graph (median, min–max) | entailed |",
        "|---|---|---:|---:|---:|",
    ]
    for name, entry in report["options"].items():
        equal = "yes" if entry["equal_to_owlrl"] else f"no ({entry['missing']} missing, {entry['extra']} extra)"
        lines.append(f"| {name} | {equal} | {fmt(entry['sample_time'])} | {fmt(entry['whole_time'])} | "
                     f"{entry['whole_entailed']} |")
    inc = report["incremental"]
    lines += [
        "",
        f"- in memory, closure + writing it to the store: {fmt(report['memory_infer_and_write'])}",
        f"- on disk, `infer_store` on the built store (closure, then only the difference written): "
        f"{fmt(report['disk_infer_store'])}; first build {report['build']['seconds']:.1f} s of which inference "
        f"{report['build']['inference_seconds']:.1f} s",
        f"- one contract's write ({inc['contract_quads']} quads, {inc['inferred_changed']} inferred triples "
        f"changed): removal {fmt(inc['remove'])}, addition {fmt(inc['add'])}; equal to recomputation: "
        f"{inc['equals_recomputation']}",
        "",
        "| rule | entailed triples |",
        "|---|---:|",
        *(f"| {rule} | {count} |" for rule, count in report["by_rule"].items()),
        f"| total | {sum(report['by_rule'].values())} |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

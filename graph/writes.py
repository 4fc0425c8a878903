"""Writes, one path: plan a write as a delta, validate the delta, record its provenance, commit exactly it.

1. **Plan**: a SPARQL update runs once on an in-memory *shadow* holding the graphs it may read or change (found
   from its text; ``GRAPH ?g``, ``DROP ALL``… need every graph); a Graph Store write replaces or merges one
   graph. The difference between the shadow before and after is the write's :class:`~graph.deltas.Delta`
   (quads and graph names removed and added), computed once, so ``NOW()``, ``UUID()`` or ``RAND()`` are
   evaluated once too.
2. **Validate**: the project's SHACL rules (or the configured shapes) on what the delta changes
   (``graph.validation.validate_change``); a Violation refuses the write with the report.
3. **Record**: a PROV-O activity in the audit graph, added to the same delta.
4. **Commit**: the delta is logged (fsynced), the graphs it touches are marked dirty in the build manifest,
   then it is applied to the on-disk store and to the replica. Replicas of other processes apply the same log.

The caller decides *whether* to commit between 3 and 4 (the endpoint commits only if the request has not
timed out), so a write is either refused or answered with its real outcome.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph.build import mark_dirty
from graph.deltas import Delta, DeltaLog, diff, graph_key
from graph.layout import INFERRED_GRAPH, WRITES_GRAPH
from graph.namespaces import BASE, FOAF, PROV, QK, RDF, XSD
from graph.sparql_text import SparqlText, SparqlTextError
from graph.store import OxigraphStore

if TYPE_CHECKING:
    from graph.inference import Reasoner

MODES = ("put", "post", "delete")


class WriteRefused(Exception):
    """A write that cannot be done as asked: ``kind`` is ``invalid``, ``forbidden`` or ``not-found``."""

    def __init__(self, kind: str, fr: str, en: str) -> None:
        super().__init__(en)
        self.kind, self.fr, self.en = kind, fr, en


class WriteRejected(Exception):
    """The write would break a Violation-level rule; ``report`` says how (a ValidationReport)."""

    def __init__(self, report: object) -> None:
        super().__init__("SHACL validation failed")
        self.report = report


@dataclass(frozen=True)
class WriteSettings:
    base_iri: str = BASE
    shacl_gate: bool = True
    min_severity: str = "Violation"
    shapes: tuple[str, ...] | None = None  # shape files; None = the project's shapes/
    allow_remote: tuple[str, ...] = ()
    max_depth: int = 128

    @property
    def audit_graph(self) -> str:
        return self.base_iri + WRITES_GRAPH[len(BASE) :]

    @property
    def inferred_graph(self) -> str:
        return self.base_iri + INFERRED_GRAPH[len(BASE) :]

    @property
    def service_graphs(self) -> set[str]:
        """Graphs only the service writes: the write audit and the entailments."""
        return {WRITES_GRAPH, INFERRED_GRAPH, self.audit_graph, self.inferred_graph}


@dataclass
class Plan:
    """A validated write, ready to commit."""

    delta: Delta
    touched: list[str] = field(default_factory=list)  # graphs of the client's change (audit graph excluded)
    created: bool = False  # a Graph Store write that created its graph
    inferred: Delta = field(default_factory=Delta)  # what the write changes in the inferred graph
    reasoner_state: object = None  # the reasoner's schema before the write (restored if it is not committed)


class Writer:
    """Plans and commits writes on ``replica`` (in memory) and ``disk`` (the durable store, if any)."""

    def __init__(
        self, replica: ox.Store, settings: WriteSettings, *, disk: ox.Store | None = None, folder: Path | None = None
    ) -> None:
        self.replica = replica
        self.disk = disk
        self.folder = folder
        self.settings = settings
        self.log = DeltaLog(folder / "deltas") if folder is not None else None
        self.generation = self.log.last() if self.log is not None else 0
        self._shapes = None
        self.reasoner: Reasoner | None = None

    def enable_inference(self) -> bool:
        """Keep the inferred graph current on every write, when the store has one (built with inference)."""
        if not self.replica.contains_named_graph(ox.NamedNode(self.settings.inferred_graph)):
            return False
        from graph.inference import Reasoner

        self.reasoner = Reasoner.of_store(self.replica, self.settings.inferred_graph)
        return True

    # --- planning ---------------------------------------------------------------------------------------
    def plan_update(
        self,
        text: str,
        *,
        base_iri: str | None,
        agent: str,
        using: list[str] | None = None,
        using_named: list[str] | None = None,
    ) -> Plan:
        started = now()
        parsed = self._lex(text)
        if (using or using_named) and parsed.has_dataset_clause():
            raise WriteRefused(
                "invalid",
                "using-graph-uri/using-named-graph-uri interdits avec USING, USING NAMED ou WITH dans la requête",
                "using-graph-uri/using-named-graph-uri are not allowed with USING, USING NAMED or WITH in the update",
            )
        if not parsed.is_update():
            raise WriteRefused("invalid", "ce n'est pas une mise à jour SPARQL", "this is not a SPARQL update")
        parsed = parsed.add_using(using or [], using_named or [])
        self._check_remote(parsed, base_iri)
        names = [g.value for g in self.replica.named_graphs() if isinstance(g, ox.NamedNode)]
        parsed = parsed.expand_all(names, self.settings.service_graphs)
        refs = parsed.graph_refs(base_iri)
        self._forbid_audit(refs.graphs)
        scope = None if refs.dynamic else [None, *sorted(refs.graphs)]
        shadow, before, graphs_before = self._shadow(scope)
        try:
            shadow.update(parsed.text, base_iri=base_iri)
        except SyntaxError as exc:
            raise WriteRefused(
                "invalid", f"mise à jour SPARQL invalide : {exc}", f"invalid SPARQL update: {exc}"
            ) from exc
        except (OSError, RuntimeError, ValueError) as exc:  # e.g. DROP of a graph that does not exist
            raise WriteRefused("invalid", f"échec de la mise à jour : {exc}", f"update failed: {exc}") from exc
        after = list(shadow.quads_for_pattern(None, None, None, None))
        delta = diff(before, after, graphs_before, named(shadow))
        touched = delta.graphs()
        self._forbid_audit(touched)
        self._validate(shadow, touched, delta)
        plan = self._infer(Plan(delta, touched))
        self._record(delta, "update", parsed.text, agent, started)
        return plan

    def plan_graph_write(self, graph: str | None, mode: str, quads: list[ox.Quad], *, agent: str) -> Plan:
        """``mode``: put (replace), post (merge), delete (drop); ``graph`` None = the default graph."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        started = now()
        self._forbid_audit([graph or ""])
        node: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        existed = graph is None or self.replica.contains_named_graph(node)  # type: ignore[arg-type]
        if mode == "delete" and not existed:
            raise WriteRefused("not-found", f"graphe <{graph}> inexistant", f"no graph <{graph}>")
        shadow, before, graphs_before = self._shadow([graph])
        new = [ox.Quad(q.subject, q.predicate, q.object, node) for q in quads]
        if mode in ("put", "delete"):
            if graph:
                shadow.remove_graph(node)  # type: ignore[arg-type]
            else:
                shadow.clear_graph(node)
        if mode != "delete":
            if graph:
                shadow.add_graph(node)  # type: ignore[arg-type]
            shadow.extend(new)
        after = list(shadow.quads_for_pattern(None, None, None, None))
        delta = diff(before, after, graphs_before, named(shadow))
        touched = [graph or ""]
        self._validate(shadow, touched, delta)
        plan = self._infer(Plan(delta, touched, created=mode != "delete" and not existed))
        body = (ox.serialize(new, format=ox.RdfFormat.N_QUADS) or b"").decode()
        digest_text = f"{mode.upper()} {graph or 'DEFAULT'}\n{body}"
        self._record(delta, f"graph-store-{mode}", digest_text, agent, started)
        return plan

    # --- commit -----------------------------------------------------------------------------------------
    def commit(self, plan: Plan) -> int:
        """Log, mark dirty, apply to the on-disk store and the replica; returns the new generation."""
        delta = plan.delta
        if not plan.inferred.empty:
            delta = Delta(delta.removed + plan.inferred.removed, delta.added + plan.inferred.added,
                          delta.dropped_graphs, delta.created_graphs)
        self.generation += 1
        if self.log is not None and self.folder is not None:
            self.log.write(self.generation, delta)
            mark_dirty(self.folder, delta.graphs())
        if self.disk is not None:
            delta.apply(self.disk)
        delta.apply(self.replica)
        return self.generation

    def abandon(self, plan: Plan) -> None:
        """A plan that will not be committed: the reasoner forgets the schema change it may have seen."""
        if self.reasoner is not None and plan.reasoner_state is not None:
            self.reasoner.schema, self.reasoner.tables = plan.reasoner_state  # type: ignore[misc]

    def replay(self) -> int:
        """Apply the whole log to the on-disk store (repairs a write interrupted by a crash) and flush."""
        if self.log is None or self.disk is None or self.folder is None:
            return self.generation
        for _, delta in self.log.between(0, self.log.last()):
            mark_dirty(self.folder, delta.graphs())
            delta.apply(self.disk)
        self.disk.flush()
        self.generation = self.log.last()
        return self.generation

    # --- helpers ----------------------------------------------------------------------------------------
    def _lex(self, text: str) -> SparqlText:
        try:
            return SparqlText.lex(text, max_depth=self.settings.max_depth)
        except SparqlTextError as exc:
            raise WriteRefused("invalid", exc.fr, exc.en) from exc

    def _check_remote(self, text: SparqlText, base_iri: str | None) -> None:
        allowed = self.settings.allow_remote
        for target in text.remote_targets(base_iri):
            if target is None or not any(target == a or target.startswith(a) for a in allowed):
                shown = f"<{target}>" if target else "SERVICE ?var"
                raise WriteRefused(
                    "forbidden",
                    f"accès à {shown} interdit (LOAD et SERVICE sont limités à la liste autorisée)",
                    f"access to {shown} is forbidden (LOAD and SERVICE are limited to the allow-list)",
                )

    def _forbid_audit(self, graphs: Iterable[str]) -> None:
        if self.settings.service_graphs & set(graphs):
            raise WriteRefused(
                "forbidden",
                "le graphe d'audit des écritures et le graphe inféré ne sont écrits que par le service",
                "the write audit graph and the inferred graph are written by the service only",
            )

    def _infer(self, plan: Plan) -> Plan:
        """What the write changes in the inferred graph, computed on the replica with the write applied, then
        undone (the replica changes only at commit). A write that makes the data inconsistent for the ontology
        (disjoint classes, a second value of a functional datatype property…) is refused."""
        if self.reasoner is None or plan.delta.empty:
            return plan
        saved = (self.reasoner.schema, self.reasoner.tables)
        plan.delta.apply(self.replica)
        try:
            change = self.reasoner.update(self.replica, plan.delta.added, plan.delta.removed)
        finally:
            plan.delta.inverse().apply(self.replica)
        if change.clashes:
            self.reasoner.schema, self.reasoner.tables = saved
            raise WriteRefused(
                "inconsistent",
                "l'écriture rendrait les données incohérentes avec l'ontologie : " + " ; ".join(change.clashes[:5]),
                "the write would make the data inconsistent with the ontology: " + "; ".join(change.clashes[:5]),
            )
        plan.inferred = Delta(change.removed, change.added)
        plan.reasoner_state = saved
        return plan

    def _shadow(self, scope: list[str | None] | None) -> tuple[ox.Store, list[ox.Quad], list[str]]:
        """An in-memory copy of the scope graphs (None = everything), their quads and their names."""
        shadow = ox.Store()
        if scope is None:
            quads = list(self.replica.quads_for_pattern(None, None, None, None))
            graphs_before = named(self.replica)
        else:
            quads, graphs_before = [], []
            for g in dict.fromkeys(scope):
                node: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(g) if g else ox.DefaultGraph()
                if g and self.replica.contains_named_graph(node):  # type: ignore[arg-type]
                    graphs_before.append(g)
                quads.extend(self.replica.quads_for_pattern(None, None, None, node))
        for g in graphs_before:
            shadow.add_graph(ox.NamedNode(g))
        shadow.extend(quads)
        return shadow, quads, graphs_before

    def _validate(self, shadow: ox.Store, touched: list[str], delta: Delta) -> None:
        graphs = [g for g in touched if g]
        if not self.settings.shacl_gate or not graphs or not (delta.removed or delta.added):
            return
        from graph.validation import validate_change
        from graph.validation.shapes import load_shapes

        if self._shapes is None and self.settings.shapes is not None:
            self._shapes = load_shapes([Path(p) for p in self.settings.shapes])
        report = validate_change(
            OxigraphStore.wrap(self.replica),
            OxigraphStore.wrap(shadow),
            graphs,
            set(delta.removed) | set(delta.added),
            min_severity=self.settings.min_severity,
            shapes=self._shapes,
        )
        if not report.conforms:
            raise WriteRejected(report)

    def _record(self, delta: Delta, kind: str, text: str, agent: str, started: str) -> None:
        """Add the PROV-O record of the write to its delta (in the audit graph)."""
        if delta.empty:
            return
        audit = ox.NamedNode(self.settings.audit_graph)
        base = self.settings.base_iri
        activity = ox.NamedNode(f"{base}id/ecriture/{uuid.uuid4()}")
        agent_node = ox.NamedNode(f"{base}id/agent/{agent}")
        digest = hashlib.sha256(text.encode()).hexdigest()

        def add(s: ox.NamedNode, p: str, o: ox.Term) -> None:
            delta.added.append(ox.Quad(s, ox.NamedNode(p), o, audit))

        added, removed = len(delta.added), len(delta.removed)
        add(activity, RDF + "type", ox.NamedNode(PROV + "Activity"))
        add(activity, PROV + "wasAssociatedWith", agent_node)
        add(activity, PROV + "startedAtTime", ox.Literal(started, datatype=ox.NamedNode(XSD + "dateTime")))
        add(activity, PROV + "endedAtTime", ox.Literal(now(), datatype=ox.NamedNode(XSD + "dateTime")))
        add(activity, QK + "operationKind", ox.Literal(kind))
        add(activity, QK + "operationHash", ox.Literal("sha256:" + digest))
        add(activity, QK + "triplesAdded", integer(added))
        add(activity, QK + "triplesRemoved", integer(removed))
        add(agent_node, RDF + "type", ox.NamedNode(PROV + "Agent"))
        add(agent_node, FOAF + "nick", ox.Literal(agent))
        per_graph: dict[str, list[int]] = {}
        for index, quads in enumerate((delta.added[:added], delta.removed)):
            for q in quads:
                per_graph.setdefault(graph_key(q), [0, 0])[index] += 1
        for i, (g, (n_added, n_removed)) in enumerate(sorted(per_graph.items())):
            version = ox.NamedNode(f"{activity.value}/graphe/{i}")
            add(activity, PROV + "generated", version)
            add(version, RDF + "type", ox.NamedNode(PROV + "Entity"))
            if g:
                add(version, PROV + "specializationOf", ox.NamedNode(g))
            else:
                add(version, QK + "defaultGraph", ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")))
            add(version, QK + "triplesAdded", integer(n_added))
            add(version, QK + "triplesRemoved", integer(n_removed))
        if not self.replica.contains_named_graph(audit):
            delta.created_graphs.append(audit.value)


def named(store: ox.Store) -> list[str]:
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

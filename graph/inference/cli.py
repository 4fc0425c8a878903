"""``quartiers infer`` (recompute ``qkg:inferred``) and ``quartiers explain S P O`` (why a triple holds)."""

from __future__ import annotations

import argparse
import json
import sys

import pyoxigraph as ox

from graph.inference.explain import Explainer, Explanation
from graph.inference.rules import RULES, Tables
from graph.inference.vocabulary import CHAIN, TYPE, Term, Triple
from graph.namespaces import PREFIXES, QKG

EXIT_OK = 0
EXIT_BAD_INPUT = 2
DISPLAY_PREFIXES = {**PREFIXES, "qkg": QKG}


def fail(message_fr: str, message_en: str) -> int:
    print(f"quartiers: {message_fr} / {message_en}", file=sys.stderr)
    return EXIT_BAD_INPUT


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "infer", parents=parents,
        help="recalculer le graphe inféré (OWL 2 RL) / recompute the inferred graph (OWL 2 RL)",
    )
    p.set_defaults(func=cmd_infer)

    p = subparsers.add_parser(
        "explain",
        parents=parents,
        help="expliquer un triplet inféré / explain an inferred triple",
        description="S P O: <IRI>, prefixed name (qk:concernsCommune, qki:contrat/2024/244200770), 'a', "
        "a literal in Turtle syntax ('\"2023\"^^xsd:gYear'), or _:blank",
    )
    p.add_argument("subject")
    p.add_argument("predicate")
    p.add_argument("object")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_explain)


# ---- infer ---------------------------------------------------------------------------------------------------------
def cmd_infer(args: argparse.Namespace) -> int:
    from graph.build import inferred_graph_name, run_inference
    from graph.cli import open_store_for
    from graph.namespaces import BASE

    store, report = open_store_for(args)
    if report.inferred is None:  # the build found the inferred graph current: compute it anyway, as asked
        run_inference(store, getattr(args, "base", None) or BASE, report)
    store.close()
    counts = report.inferred or {}
    for rule, count in counts.items():
        print(f"{count:>9}  {rule}  {RULES.get(rule, '')}")
    print(f"{sum(counts.values()):>9}  triples in {inferred_graph_name(getattr(args, 'base', None) or BASE)} "
          f"({report.inference_seconds:.2f} s)")
    for clash in report.clashes:
        print(f"incohérence / clash: {clash}", file=sys.stderr)
    return EXIT_OK


# ---- explain -------------------------------------------------------------------------------------------------------
class TermError(ValueError):
    """A command-line term that is not an IRI, a known prefixed name, a blank node or a literal."""


def parse_term(text: str, position: str) -> Term:
    """The N-Triples form of a term given on the command line."""
    text = text.strip()
    if position == "predicate" and text == "a":
        return TYPE
    try:
        if text.startswith("<") and text.endswith(">"):
            return str(ox.NamedNode(text[1:-1]))
        if text.startswith("_:") and position != "predicate":
            return str(ox.BlankNode(text[2:]))
        prefix, sep, local = text.partition(":")
        if sep and prefix in DISPLAY_PREFIXES and not local.startswith("//"):
            return str(ox.NamedNode(DISPLAY_PREFIXES[prefix] + local.replace("\\/", "/")))
        if sep and prefix.isalpha() and prefix.lower() in ("http", "https", "urn", "mailto"):
            return str(ox.NamedNode(text))
    except ValueError as exc:
        raise TermError(f"{position}: {text}: {exc}") from exc
    if position == "object":
        declarations = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in DISPLAY_PREFIXES.items())
        try:
            parsed = list(ox.parse(f"{declarations}<urn:s> <urn:p> {text} .".encode(), format=ox.RdfFormat.TURTLE))
        except SyntaxError as exc:
            raise TermError(f"{position}: {text}: {exc}") from exc
        if len(parsed) == 1:
            return str(parsed[0].object)
    raise TermError(f"{position}: {text}")


def short(term: Term) -> str:
    if term.startswith("<"):
        value = term[1:-1]
        for prefix, namespace in DISPLAY_PREFIXES.items():
            if value.startswith(namespace) and len(value) > len(namespace):
                return f"{prefix}:{value[len(namespace):]}"
    return term


def show_triple(t: Triple, tables: Tables) -> str:
    s, p, o = t
    if p == CHAIN:
        members = tables.schema.chains.get(s, ())
        listed = next((m for m in members), ())
        return f"{short(s)} {short(p)} ( {' '.join(short(m) for m in listed)} ) ."
    return f"{short(s)} {short(p)} {short(o)} ."


def render(explanation: Explanation, tables: Tables) -> list[str]:
    lines = [show_triple(explanation.triple, tables) + "  " + origin(explanation)]
    lines += render_children(explanation, tables, "")
    return lines


def origin(explanation: Explanation) -> str:
    if explanation.asserted:
        return "[affirmé / asserted: " + ", ".join(short(f"<{g}>") if g else "default graph"
                                                  for g in explanation.graphs) + "]"
    return "[inféré / inferred]"


def render_children(explanation: Explanation, tables: Tables, indent: str) -> list[str]:
    if explanation.asserted or not explanation.rule:
        return []
    lines = [f"{indent}└─ {explanation.rule}: {RULES.get(explanation.rule, explanation.rule)}"]
    children = [(e, "") for e in explanation.premises] + [(e, "schéma / schema: ") for e in explanation.schema]
    inner = indent + "   "
    for i, (child, label) in enumerate(children):
        last = i == len(children) - 1
        lines.append(f"{inner}{'└─' if last else '├─'} {label}{show_triple(child.triple, tables)}  {origin(child)}")
        lines += render_children(child, tables, inner + ("   " if last else "│  "))
    return lines


def cmd_explain(args: argparse.Namespace) -> int:
    from graph.build import inferred_graph_name
    from graph.cli import open_store_for
    from graph.inference.incremental import Reasoner
    from graph.namespaces import BASE

    try:
        triple = (
            parse_term(args.subject, "subject"),
            parse_term(args.predicate, "predicate"),
            parse_term(args.object, "object"),
        )
    except TermError as exc:
        return fail(f"terme invalide, {exc}", f"invalid term, {exc}")
    if not triple[1].startswith("<") or triple[0].startswith('"'):
        return fail("le prédicat doit être une IRI et le sujet pas un littéral",
                    "the predicate must be an IRI and the subject not a literal")
    store, _report = open_store_for(args)
    graph = inferred_graph_name(getattr(args, "base", None) or BASE)
    reasoner = Reasoner.of_store(store.raw, graph)
    explanation = Explainer(store.raw, reasoner.tables, graph).explain(triple)
    if explanation is None:
        shown = " ".join(triple)
        return fail(f"triplet ni affirmé ni inféré : {shown}", f"triple neither asserted nor entailed: {shown}")
    if args.format == "json":
        print(json.dumps(explanation.to_json(), ensure_ascii=False, indent=1))
    else:
        print("\n".join(render(explanation, reasoner.tables)))
    return EXIT_OK




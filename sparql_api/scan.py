"""A small SPARQL lexer, enough to check and rewrite requests without a full parser.

Used for: the LOAD/SERVICE allow-list, the USING/WITH conflict with protocol parameters, adding the
protocol's ``using-graph-uri`` clauses to an update, and the graphs an update may read or write (the SHACL
gate copies only those). Strings, comments and IRIs are single tokens, so keywords inside them never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from graph.sparql_lexer import Token, tokenize


class Resolver:
    """Turns IRI and prefixed-name tokens into absolute IRIs, following PREFIX and BASE declarations."""

    def __init__(self, base: str | None = None) -> None:
        self.base = base or ""
        self.prefixes: dict[str, str] = {}

    def declare(self, tokens: list[Token], i: int) -> None:
        tok = tokens[i]
        if tok.keyword == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            self.prefixes[tokens[i + 1].text[:-1]] = self.iri(tokens[i + 2]) or ""
        elif tok.keyword == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            self.base = self.iri(tokens[i + 1]) or self.base

    def iri(self, tok: Token) -> str | None:
        if tok.kind == "iri":
            value = tok.text[1:-1]
            return urljoin(self.base, value) if self.base else value
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix in self.prefixes:
                return self.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        return None


def _skip_silent(tokens: list[Token], i: int) -> int:
    return i + 1 if i < len(tokens) and tokens[i].keyword == "SILENT" else i


def remote_targets(text: str, base: str | None = None) -> list[str | None]:
    """IRIs named by SERVICE and LOAD (None for ``SERVICE ?var``: unknown before evaluation)."""
    tokens = tokenize(text)
    resolver = Resolver(base)
    found: list[str | None] = []
    for i, tok in enumerate(tokens):
        resolver.declare(tokens, i)
        if tok.keyword in ("SERVICE", "LOAD"):
            j = _skip_silent(tokens, i + 1)
            found.append(resolver.iri(tokens[j]) if j < len(tokens) else None)
    return found


def has_dataset_clause(update: str) -> bool:
    """Whether an update names its own dataset (USING, USING NAMED or WITH)."""
    return any(tok.keyword in ("USING", "WITH") for tok in tokenize(update))


def add_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """Give every DELETE/INSERT ... WHERE operation the protocol's dataset (using-graph-uri,
    using-named-graph-uri): ``USING`` clauses are inserted before each operation-level WHERE.
    A ``DELETE WHERE { p }`` shortcut is expanded to ``DELETE { p } USING ... WHERE { p }``."""
    clauses = "".join(f" USING <{g}>" for g in default_graphs) + "".join(
        f" USING NAMED <{g}>" for g in named_graphs
    )
    tokens = tokenize(update)
    edits: list[tuple[int, int, str]] = []
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
        elif depth == 0 and tok.keyword == "WHERE":
            if i > 0 and tokens[i - 1].keyword == "DELETE":
                close = _matching_brace(tokens, i + 1)
                pattern = update[tokens[i + 1].start : tokens[close].end]
                edits.append((tok.start, tok.start, f"{pattern}{clauses} "))
            else:
                edits.append((tok.start, tok.start, f"{clauses.strip()} "))
    for start, end, text in reversed(edits):
        update = update[:start] + text + update[end:]
    return update


def _matching_brace(tokens: list[Token], i: int) -> int:
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].text == "{":
            depth += 1
        elif tokens[j].text == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


@dataclass(frozen=True)
class GraphRefs:
    """The named graphs an update names; ``dynamic`` when it may reach graphs not named in its text
    (``GRAPH ?g``, ``DROP ALL``, ``CLEAR NAMED``, an unresolvable name)."""

    graphs: frozenset[str]
    dynamic: bool


_GRAPH_OPERAND_KEYWORDS = {"GRAPH", "WITH", "INTO", "TO", "ADD", "COPY", "MOVE"}


def graph_refs(text: str, base: str | None = None) -> GraphRefs:
    tokens = tokenize(text)
    resolver = Resolver(base)
    graphs: set[str] = set()
    dynamic = False
    for i, tok in enumerate(tokens):
        resolver.declare(tokens, i)
        key = tok.keyword
        j = _skip_silent(tokens, i + 1)
        if key in ("DROP", "CLEAR") and j < len(tokens) and tokens[j].keyword in ("ALL", "NAMED"):
            dynamic = True
        if key == "USING" or key in _GRAPH_OPERAND_KEYWORDS:
            j = _skip_silent(tokens, i + 1)
            if j < len(tokens) and tokens[j].keyword in ("NAMED", "GRAPH"):
                j += 1
            if j >= len(tokens) or tokens[j].keyword == "DEFAULT" or tokens[j].text == "{":
                continue
            if tokens[j].kind in ("iri", "pname"):
                iri = resolver.iri(tokens[j])
                if iri is None:
                    dynamic = True
                else:
                    graphs.add(iri)
            elif tokens[j].kind == "var":
                dynamic = True
    return GraphRefs(frozenset(graphs), dynamic)


def expand_all(update: str, named_graphs: list[str], protected: set[str]) -> str:
    """Rewrite ``DROP/CLEAR [SILENT] ALL|NAMED`` into one operation per graph, leaving out ``protected``
    graphs (the write audit graph): the service's own records survive a client's ``CLEAR ALL``."""
    tokens = tokenize(update)
    edits: list[tuple[int, int, str]] = []
    for i, tok in enumerate(tokens):
        if tok.keyword not in ("DROP", "CLEAR"):
            continue
        j = _skip_silent(tokens, i + 1)
        if j >= len(tokens) or tokens[j].keyword not in ("ALL", "NAMED"):
            continue
        silent = " SILENT" if j > i + 1 else ""
        verb = f"{tok.keyword}{silent}"
        ops = [f"{verb} DEFAULT"] if tokens[j].keyword == "ALL" else []
        ops += [f"{verb} GRAPH <{g}>" for g in named_graphs if g not in protected]
        if not ops:
            ops = [f"{tok.keyword} SILENT GRAPH <urn:x-quartiers:none>"]
        edits.append((tok.start, tokens[j].end, " ; ".join(ops)))
    for start, end, text in reversed(edits):
        update = update[:start] + text + update[end:]
    return update

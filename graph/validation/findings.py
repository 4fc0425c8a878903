"""What an engine returns: one finding per (rule, focus node, value), in pyoxigraph terms."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Finding:
    """A rule's result before labels and messages are attached (engine-independent)."""

    rule_iri: str
    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None = None

    def key(self) -> tuple[str, str, str]:
        """A comparable key; blank nodes are reduced to "_:" since their ids differ between engines."""
        return (self.rule_iri, term_key(self.focus), term_key(self.value))


def term_key(term: ox.Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:"
    return str(term)

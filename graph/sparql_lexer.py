"""A small SPARQL lexer: strings, comments and IRIs are single tokens, so keywords inside them never count.

Enough to check and rewrite requests without a full parser (the store uses it to see whether a query names
its own dataset; the endpoint for the LOAD/SERVICE allow-list and the graphs an update touches).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7-\uFFFF]+)
  | (?P<bnode>_:[\w\u00B7-\uFFFF.\-]*)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7-\uFFFF]*)?:(?:[\w\-.:%\\\u00B7-\uFFFF]*))
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<name>[A-Za-z_][\w]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
  | (?P<op>\^\^|\|\||&&|!=|<=|>=|.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # iri, pname, var, name, string, op, ...
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "name" else ""


def tokenize(text: str) -> list[Token]:
    """Significant tokens (no whitespace, no comments)."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:  # pragma: no cover - the last alternative matches any character
            break
        kind = match.lastgroup or "op"
        end = match.end()
        if kind == "pname":
            while text[end - 1] == "." and end - 1 > pos:  # a local name never ends with "."
                end -= 1
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, text[pos:end], pos, end))
        pos = end
    return tokens


def declares_dataset(query: str) -> bool:
    """Whether a query names its own dataset with FROM or FROM NAMED."""
    return any(tok.keyword == "FROM" for tok in tokenize(query))

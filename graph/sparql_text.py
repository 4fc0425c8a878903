"""SPARQL text: lexed once, checked against limits, inspected and rewritten without a full parser.

A request's text is lexed exactly once into a :class:`SparqlText`; every check and rewrite works on its tokens:
- limits (size, nesting depth — the engine's recursive parser overflows its stack on a few thousand nested
  groups or parentheses, so deep texts are refused before they reach it);
- what kind of operation it is (query or update), whether a query names its own dataset (FROM);
- the IRIs SERVICE and LOAD reach (the allow-list), the graphs an update may read or write;
- the protocol's rewrites of updates: ``using-graph-uri`` parameters become ``USING`` clauses, and
  ``DROP/CLEAR ALL|NAMED`` becomes one operation per graph (so the service's audit graph survives).
Rewrites splice freshly lexed tokens for the inserted text only; the rest keeps its tokens.
Strings, comments and IRIs are single tokens, so keywords inside them never count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

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
  | (?P<op>\^\^|\|\||&&|!=|<=|>=|<<|>>|.)
    """,
    re.VERBOSE | re.DOTALL,
)
OPENERS = {"{": "}", "(": ")", "[": "]", "<<": ">>"}
CLOSERS = {v: k for k, v in OPENERS.items()}
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
QUERY_KEYWORDS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
DEFAULT_MAX_DEPTH = 128


@dataclass(frozen=True)
class Token:
    kind: str  # iri, pname, var, name, string, op, number, lang, bnode
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "name" else ""

    def shifted(self, offset: int) -> Token:
        return Token(self.kind, self.text, self.start + offset, self.end + offset)


class SparqlTextError(ValueError):
    """The text breaks a limit or a rule; ``fr``/``en`` say which and where."""

    def __init__(self, fr: str, en: str) -> None:
        super().__init__(en)
        self.fr = fr
        self.en = en


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Significant tokens (no whitespace, no comments) of ``text``, positions shifted by ``offset``."""
    tokens: list[Token] = []
    pos = 0
    match_at = _TOKEN.match
    while pos < len(text):
        match = match_at(text, pos)
        if match is None:  # pragma: no cover - the last alternative matches any character
            break
        kind = match.lastgroup or "op"
        end = match.end()
        if kind == "pname":
            while text[end - 1] == "." and end - 1 > pos:  # a local name never ends with "."
                end -= 1
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, text[pos:end], pos + offset, end + offset))
        pos = end
    return tokens


def line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def nesting_depth(tokens: Iterable[Token]) -> tuple[int, Token | None]:
    """The deepest nesting of ``{ ( [ <<`` and the token where it is first reached."""
    depth = deepest = 0
    where: Token | None = None
    for tok in tokens:
        if tok.kind != "op":
            continue
        if tok.text in OPENERS:
            depth += 1
            if depth > deepest:
                deepest, where = depth, tok
        elif tok.text in CLOSERS:
            depth = max(0, depth - 1)
    return deepest, where


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
            if not self.base:
                return value
            try:
                return urljoin(self.base, value)
            except ValueError:  # e.g. "[" in a host: not an IRI the allow-list could match
                return value
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix in self.prefixes:
                return self.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        return None


@dataclass(frozen=True)
class GraphRefs:
    """The named graphs an update names; ``dynamic`` when it may reach graphs not named in its text
    (``GRAPH ?g``, ``DROP ALL``, ``CLEAR NAMED``, an unresolvable name)."""

    graphs: frozenset[str]
    dynamic: bool


_GRAPH_OPERAND_KEYWORDS = {"GRAPH", "WITH", "INTO", "TO", "ADD", "COPY", "MOVE"}


@dataclass(frozen=True)
class SparqlText:
    """A SPARQL query or update with its tokens."""

    text: str
    tokens: tuple[Token, ...]

    @classmethod
    def lex(cls, text: str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> SparqlText:
        """Lex ``text`` once and refuse it when it nests deeper than ``max_depth``."""
        parsed = cls(text, tuple(tokenize(text)))
        depth, where = nesting_depth(parsed.tokens)
        if depth > max_depth and where is not None:
            line, column = line_column(text, where.start)
            raise SparqlTextError(
                f"imbrication trop profonde ({depth} niveaux, au plus {max_depth}) à la ligne {line}, colonne {column}",
                f"nesting too deep ({depth} levels, at most {max_depth}) at line {line}, column {column}",
            )
        return parsed

    # --- what the text is -------------------------------------------------------------------------------
    def first_keyword(self) -> str:
        """The first keyword after the prologue (PREFIX/BASE declarations)."""
        tokens, i = self.tokens, 0
        while i < len(tokens):
            key = tokens[i].keyword
            if key == "PREFIX":
                i += 3
            elif key == "BASE":
                i += 2
            else:
                return key
        return ""

    def is_update(self) -> bool:
        return self.first_keyword() in UPDATE_KEYWORDS

    def declares_dataset(self) -> bool:
        """Whether a query names its own dataset with FROM or FROM NAMED."""
        return any(tok.keyword == "FROM" for tok in self.tokens)

    def has_dataset_clause(self) -> bool:
        """Whether an update names its own dataset (USING, USING NAMED or WITH)."""
        return any(tok.keyword in ("USING", "WITH") for tok in self.tokens)

    def remote_targets(self, base: str | None = None) -> list[str | None]:
        """IRIs named by SERVICE and LOAD (None for ``SERVICE ?var``: unknown before evaluation)."""
        tokens = list(self.tokens)
        resolver = Resolver(base)
        found: list[str | None] = []
        for i, tok in enumerate(tokens):
            resolver.declare(tokens, i)
            if tok.keyword in ("SERVICE", "LOAD"):
                j = _skip_silent(tokens, i + 1)
                found.append(resolver.iri(tokens[j]) if j < len(tokens) else None)
        return found

    def graph_refs(self, base: str | None = None) -> GraphRefs:
        tokens = list(self.tokens)
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

    # --- rewrites ---------------------------------------------------------------------------------------
    def edited(self, edits: list[tuple[int, int, str]]) -> SparqlText:
        """A new text with ``(start, end, replacement)`` character edits applied (non-overlapping, any order);
        only the replacements are lexed."""
        if not edits:
            return self
        pieces: list[str] = []
        tokens: list[Token] = []
        pos = 0
        new_pos = 0
        remaining = iter(self.tokens)
        pending = next(remaining, None)
        for start, end, replacement in sorted(edits):
            pieces.append(self.text[pos:start])
            while pending is not None and pending.end <= start:
                tokens.append(pending.shifted(new_pos - pos))
                pending = next(remaining, None)
            new_pos += start - pos
            tokens.extend(tokenize(replacement, new_pos))
            pieces.append(replacement)
            new_pos += len(replacement)
            while pending is not None and pending.start < end:
                pending = next(remaining, None)
            pos = end
        pieces.append(self.text[pos:])
        while pending is not None:
            tokens.append(pending.shifted(new_pos - pos))
            pending = next(remaining, None)
        return SparqlText("".join(pieces), tuple(tokens))

    def add_using(self, default_graphs: list[str], named_graphs: list[str]) -> SparqlText:
        """Give every DELETE/INSERT … WHERE operation the protocol's dataset (using-graph-uri,
        using-named-graph-uri): ``USING`` clauses are inserted before each operation-level WHERE.
        A ``DELETE WHERE { p }`` shortcut is expanded to ``DELETE { p } USING … WHERE { p }``."""
        clauses = "".join(f" USING <{g}>" for g in default_graphs) + "".join(
            f" USING NAMED <{g}>" for g in named_graphs
        )
        if not clauses:
            return self
        tokens = self.tokens
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
                    pattern = self.text[tokens[i + 1].start : tokens[close].end]
                    edits.append((tok.start, tok.start, f"{pattern}{clauses} "))
                else:
                    edits.append((tok.start, tok.start, f"{clauses.strip()} "))
        return self.edited(edits)

    def expand_all(self, named_graphs: Iterable[str], protected: set[str]) -> SparqlText:
        """Rewrite ``DROP/CLEAR [SILENT] ALL|NAMED`` into one operation per graph, leaving out ``protected``
        graphs (the write audit graph): the service's own records survive a client's ``CLEAR ALL``."""
        graphs = sorted(g for g in named_graphs if g not in protected)
        tokens = self.tokens
        edits: list[tuple[int, int, str]] = []
        for i, tok in enumerate(tokens):
            if tok.keyword not in ("DROP", "CLEAR"):
                continue
            j = _skip_silent(list(tokens), i + 1)
            if j >= len(tokens) or tokens[j].keyword not in ("ALL", "NAMED"):
                continue
            silent = " SILENT" if j > i + 1 else ""
            verb = f"{tok.keyword}{silent}"
            ops = [f"{verb} DEFAULT"] if tokens[j].keyword == "ALL" else []
            ops += [f"{verb} GRAPH <{g}>" for g in graphs]
            if not ops:
                ops = [f"{tok.keyword} SILENT GRAPH <urn:x-quartiers:none>"]
            edits.append((tok.start, tokens[j].end, " ; ".join(ops)))
        return self.edited(edits)


def _skip_silent(tokens: list[Token] | tuple[Token, ...], i: int) -> int:
    return i + 1 if i < len(tokens) and tokens[i].keyword == "SILENT" else i


def _matching_brace(tokens: tuple[Token, ...], i: int) -> int:
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].text == "{":
            depth += 1
        elif tokens[j].text == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def declares_dataset(query: str) -> bool:
    """Whether a query names its own dataset with FROM or FROM NAMED (for library callers with plain text)."""
    return SparqlText(query, tuple(tokenize(query))).declares_dataset()

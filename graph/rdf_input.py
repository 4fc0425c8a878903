"""RDF sent by a client: checked for nesting depth, then parsed fully into memory.

The engine's parsers are recursive (JSON-LD nested ten thousand levels overflows the stack) or slow on deep
nesting (Turtle collections, RDF/XML elements); a cheap scan refuses deep input before it reaches them.
"""

from __future__ import annotations

import re
from xml.parsers import expat

import pyoxigraph as ox

from graph.store import StoreError, parse_quads, rdf_format

DEFAULT_MAX_DEPTH = 128
# strings, IRIs and comments are skipped whole; brackets are counted
_TURTLE_SCAN = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*"""' rb"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    rb'|"(?:[^"\\\n\r]|\\.)*"' rb"|'(?:[^'\\\n\r]|\\.)*'"
    rb"|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n\r]*|<<|>>|[\[\](){}]",
    re.DOTALL,
)
_JSON_SCAN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPEN = {b"[", b"(", b"{", b"<<"}
_CLOSE = {b"]", b")", b"}", b">>"}


class TooDeep(StoreError):
    pass


def scan_depth(data: bytes, pattern: re.Pattern[bytes]) -> tuple[int, int]:
    """The deepest bracket nesting and the byte offset where it is reached."""
    depth = deepest = where = 0
    for match in pattern.finditer(data):
        token = match.group()
        if token in _OPEN:
            depth += 1
            if depth > deepest:
                deepest, where = depth, match.start()
        elif token in _CLOSE:
            depth = max(0, depth - 1)
    return deepest, where


def xml_depth(data: bytes) -> int:
    parser = expat.ParserCreate()
    state = {"depth": 0, "deepest": 0}

    def start(_name: str, _attrs: dict[str, str]) -> None:
        state["depth"] += 1
        state["deepest"] = max(state["deepest"], state["depth"])

    def end(_name: str) -> None:
        state["depth"] -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return 0  # parse_quads reports the syntax error with its position
    return state["deepest"]


def check_depth(data: bytes, fmt: ox.RdfFormat, max_depth: int) -> None:
    if fmt == ox.RdfFormat.RDF_XML:
        depth, where = xml_depth(data), 0
    elif fmt in (ox.RdfFormat.JSON_LD, ox.RdfFormat.STREAMING_JSON_LD):
        depth, where = scan_depth(data, _JSON_SCAN)
    elif fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        depth, where = scan_depth(data, _TURTLE_SCAN)
    else:
        return
    if depth > max_depth:
        line = data.count(b"\n", 0, where) + 1
        raise TooDeep(
            f"imbrication trop profonde ({depth} niveaux, au plus {max_depth}) ligne {line} / "
            f"nesting too deep ({depth} levels, at most {max_depth}) at line {line}"
        )


def parse_client_rdf(
    data: bytes, media_type: str, graph: str | None, *, base_iri: str | None = None, max_depth: int = DEFAULT_MAX_DEPTH
) -> list[ox.Quad]:
    """Every quad of a client's RDF body (triples into ``graph``), or StoreError saying what and where."""
    fmt = rdf_format(media_type)
    check_depth(data, fmt, max_depth)
    return parse_quads(data, media_type, graph, base_iri)

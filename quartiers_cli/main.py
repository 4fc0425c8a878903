"""``quartiers``: the library's subcommands (graph.cli) plus ``serve`` (sparql_api.cli)."""

from __future__ import annotations

import sys

from graph import cli as library


def main(argv: list[str] | None = None) -> int:
    from sparql_api.cli import register as register_serve

    return library.main(argv, extra=[register_serve])


if __name__ == "__main__":
    sys.exit(main())

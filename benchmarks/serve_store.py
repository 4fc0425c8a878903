"""Serve a store folder with the project's default settings (no access log), for the benchmark suite.

    python -m benchmarks.serve_store STORE_DIR PORT [QUERY_TIMEOUT]

Unlike ``quartiers serve`` it does not build the project's files into the folder first, so it serves synthetic
stores as they are. Writes are enabled by $QUARTIERS_TOKEN, as with ``quartiers serve``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sparql_api.server import serve
from sparql_api.settings import Settings


def main() -> None:
    store, port = Path(sys.argv[1]), int(sys.argv[2])
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0
    serve(store, Settings(host="127.0.0.1", port=port, write_token=os.environ.get("QUARTIERS_TOKEN") or None,
                          query_timeout=timeout, access_log=False))


if __name__ == "__main__":
    main()

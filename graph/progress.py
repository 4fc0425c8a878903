"""Progress reporting for long steps (building the store, importing tables): a tqdm bar on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable

from tqdm import tqdm


def graph_progress(label: str, total: int | None = None) -> Callable[[str], None]:
    """A callback advancing a progress bar by one graph, showing the graph being loaded."""
    bar = tqdm(total=total, desc=label, unit="graph", file=sys.stderr, leave=False)

    def step(name: str) -> None:
        bar.set_postfix_str(name.rsplit("/graph/", 1)[-1][:60])
        bar.update(1)

    return step

"""The suite's results as Markdown tables and a PNG plot (latency and throughput against size)."""

from __future__ import annotations

from pathlib import Path

PROJECT, OXIGRAPH, RDFLIB = "Quartiers KG", "Oxigraph server", "rdflib-endpoint"
SERVERS = (PROJECT, OXIGRAPH, RDFLIB)
TARGET_MS = 100.0


def num(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def med(entry: dict | None, digits: int = 1) -> str:
    """median (min–max) of a spread."""
    if not entry or not entry.get("n"):
        return "—"
    if entry["n"] == 1 or num(entry["min"], digits) == num(entry["max"], digits):
        return num(entry["median"], digits)
    return f"{num(entry['median'], digits)} ({num(entry['min'], digits)}–{num(entry['max'], digits)})"


def mb(value: int | None) -> str:
    return "—" if not value else f"{value / 1024**2:,.0f} MB"


def errors_of(cell: dict) -> str:
    return "" if not cell.get("errors") else " ⚠ " + ", ".join(f"{k}×{v}" for k, v in cell["errors"].items())


def dataset_tables(data: dict) -> list[str]:
    lines = [
        f"### {data['dataset']} — {data['triples']:,} triples",
        "",
        f"Load average at start {', '.join(f'{x:.1f}' for x in data['loadavg_start'])}; at end "
        f"{', '.join(f'{x:.1f}' for x in data.get('loadavg_end', []))}. "
        f"Measured in {data.get('seconds', 0):.0f} s.",
        "",
    ]
    http = data.get("http", {})
    present = [s for s in SERVERS if s in http]
    header = (
        "| query | rows | in-process memory (ms) | in-process disk (ms) | "
        + " | ".join(f"{s} p50 c=1 (ms)" for s in present)
        + " |"
    )
    lines += [
        "Latency at concurrency 1 (median over rounds, min–max); ≤ 100 ms flagged ✓, over ✗:",
        "",
        header,
        "|---|---:|---:|---:|" + "---:|" * len(present),
    ]
    for query, rows in data.get("rows", {}).items():
        cells = []
        for server in present:
            cell = http[server].get(query, {}).get("1") or http[server].get(query, {}).get(1)
            if not cell:
                cells.append("—")
                continue
            p50 = cell["p50_ms"]["median"]
            flag = "" if p50 != p50 else (" ✓" if p50 <= TARGET_MS else " ✗")
            cells.append(med(cell["p50_ms"]) + flag + errors_of(cell))
        engine = data.get("engine_ms", {})
        lines.append(
            f"| {query} | {rows:,} | {med(engine.get('pyoxigraph memory', {}).get(query), 2)} | "
            f"{med(engine.get('pyoxigraph disk', {}).get(query), 2)} | " + " | ".join(cells) + " |"
        )
    lines += [
        "",
        "Throughput (requests/s) and p95/p99 (ms), keep-alive clients:",
        "",
        "| query | concurrency | "
        + " | ".join(f"{s} req/s" for s in present)
        + " | "
        + " | ".join(f"{s} p95 / p99" for s in present)
        + " |",
        "|---|---:|" + "---:|" * (2 * len(present)),
    ]
    for query in data.get("rows", {}):
        for c in ("1", "8", "32"):
            found = [http[s].get(query, {}).get(c) or http[s].get(query, {}).get(int(c)) for s in present]
            if not any(found):
                continue
            rps = [med(f["rps"]) + errors_of(f) if f else "—" for f in found]
            tails = [f"{num(f['p95_ms']['median'])} / {num(f['p99_ms']['median'])}" if f else "—" for f in found]
            lines.append(f"| {query} | {c} | " + " | ".join(rps) + " | " + " | ".join(tails) + " |")
    ratios = data.get("ratios", {})
    if ratios:
        keys = sorted({k for entry in ratios.values() for k in entry})
        lines += [
            "",
            "Ratios taken within each round (median, min–max); > 1 means this project is faster for req/s, "
            "slower for p50:",
            "",
            "| query | " + " | ".join(keys) + " |",
            "|---|" + "---:|" * len(keys),
        ]
        for query, entry in ratios.items():
            lines.append(f"| {query} | " + " | ".join(med(entry.get(k), 2) for k in keys) + " |")
    memory = data.get("memory", {})
    if memory:
        lines += [
            "",
            "| server | processes | RSS idle | PSS idle | RSS serving (peak) | PSS serving (peak) | "
            "start → first answer |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for server, entry in memory.items():
            idle, peak = entry.get("idle", {}), entry.get("serving_peak", {})
            lines.append(
                f"| {server} | {idle.get('processes', '—')} | {mb(idle.get('rss'))} | {mb(idle.get('pss'))} | "
                f"{mb(peak.get('rss'))} | {mb(peak.get('pss'))} | "
                f"{num(entry.get('start_to_first_answer_s'), 2)} s |"
            )
    questions = data.get("questions", {})
    if questions:
        columns = ["pyoxigraph memory", "pyoxigraph disk", PROJECT, OXIGRAPH]
        over = [q for q, e in questions.items() if any(e.get(c, {}).get("median", 0) > TARGET_MS for c in columns[:3])]
        lines += [
            "",
            f"Catalogue questions (graph/questions, defaults), ms, median over rounds (min–max); ✗ over "
            f"{TARGET_MS:.0f} ms. Over the target in-process or over HTTP: {', '.join(over) or 'none'}.",
            "",
            "| question | rows | " + " | ".join(columns[:2]) + f" | {PROJECT} HTTP p50 c=1 | {OXIGRAPH} HTTP p50 c=1 |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for q, e in questions.items():
            cells = []
            for c in columns:
                value = e.get(c)
                flag = (
                    ""
                    if not value or value["median"] != value["median"]
                    else (" ✗" if value["median"] > TARGET_MS else " ✓")
                )
                errs = e.get(f"{c} errors")
                cells.append(med(value) + flag + (f" ⚠ errors in {errs['n']} rounds" if errs else ""))
            lines.append(f"| {q} | {data.get('question_rows', {}).get(q, '—')} | " + " | ".join(cells) + " |")
    mismatch = [
        f"{server} {query}: {got}"
        for server, entry in memory.items()
        for query, got in entry.get("rows", {}).items()
        if query != "DESCRIBE of a QPV" and got != data.get("rows", {}).get(query)
    ]
    lines += [
        "",
        "Rows check (each server's first answer against the in-process engine): "
        + ("all equal." if not mismatch else "**differences** — " + "; ".join(mismatch)),
    ]
    load = data.get("load", {})
    if load:
        lines += ["", "| build / load | seconds | triples | triples/s | peak RSS |", "|---|---:|---:|---:|---:|"]
        for name, entry in load.items():
            if isinstance(entry, dict):
                note = f" (inference {entry['inference_s']:.1f} s)" if entry.get("inference_s") else ""
                lines.append(
                    f"| {name} | {num(entry.get('seconds'), 2)}{note} | {entry.get('triples', 0):,} | "
                    f"{num(entry.get('triples_per_s'))} | {mb(entry.get('peak_rss'))} |"
                )
    if "write" in data:
        w = data["write"]
        lines += [
            "",
            f"One write through the gate (INSERT DATA, SHACL gate on): {med(w['ms'])} ms, statuses {w['statuses']}.",
        ]
    for server, figures in data.get("hardening", {}).items():
        slow, hostile = figures["lookups_under_4_slow"], figures["hostile"]
        lines += [
            "",
            f"Hardening — {server}: point lookups while four slow queries run: p50 "
            f"{num(slow['p50_ms'])} ms, **p95 {num(slow['p95_ms'])} ms** (target ≤ 100 ms), "
            f"{slow['requests']} answered, errors {slow['errors'] or 'none'}; slow queries ended "
            f"{sorted(set(slow['slow_statuses']))}. Hostile query: **peak RSS {mb(hostile['peak']['rss'])}** "
            f"(PSS {mb(hostile['peak']['pss'])}, {hostile['peak']['processes']} processes; target ≤ 2 GB), "
            f"answer {hostile['status']} after {num(hostile['seconds'])} s"
            + (", killed by the suite's 4 GB guard" if hostile.get("killed_by_guard") else "")
            + f", answers afterwards: {hostile.get('answers_after', 'no (dead)')}.",
        ]
    return lines


def markdown(run: dict) -> str:
    lines = [
        f"# Benchmark results — {run['started']}{' (quick)' if run.get('quick') else ''}",
        "",
        f"Machine: {run['machine']['cpus']} CPUs, {run['machine']['platform']}, Python "
        f"{run['machine']['python']}; load average at start "
        f"{', '.join(f'{x:.1f}' for x in run['loadavg_start'])}"
        + (f", at end {', '.join(f'{x:.1f}' for x in run['loadavg_end'])}" if run.get("loadavg_end") else "")
        + f". Versions: {run['versions']}. Profile: {run['profile']}.",
        "",
    ]
    if "cold_start" in run:
        lines += [
            "## Cold start on the built real graph",
            "",
            "| server | process start → first answer (s) | → ready (s) | RSS idle | PSS idle | processes |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, entry in run["cold_start"].items():
            idle = entry.get("idle") or {}
            lines.append(
                f"| {name} | {med(entry['first_answer'], 2)} | {med(entry['ready'], 2)} | "
                f"{mb(idle.get('rss'))} | {mb(idle.get('pss'))} | {idle.get('processes', '—')} |"
            )
        lines.append("")
    if "shacl_audit" in run:
        audit = run["shacl_audit"]
        lines += [
            f"SHACL audit of the whole real graph (graph.validation, oxigraph engine): {med(audit['seconds'], 2)} s "
            f"(target ≤ 3 s); on an in-memory copy of the same store {med(audit.get('in_memory_seconds'), 2)} s; "
            f"results {audit['counts']}, peak RSS {mb(audit.get('peak_rss'))}.",
            "",
        ]
    lines.append("## Per dataset")
    lines.append("")
    for data in run["datasets"]:
        lines += dataset_tables(data)
        lines.append("")
    return "\n".join(lines) + "\n"


def plot(run: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    datasets = sorted(run["datasets"], key=lambda d: d["triples"])
    if not datasets:
        return
    queries = list(datasets[0].get("rows", {}))
    fig, axes = plt.subplots(2, len(queries), figsize=(4 * len(queries), 7), squeeze=False)
    for column, query in enumerate(queries):
        for server in (*SERVERS, "pyoxigraph memory"):
            xs, p50, rps = [], [], []
            for data in datasets:
                if server == "pyoxigraph memory":
                    entry = data.get("engine_ms", {}).get(server, {}).get(query)
                    if entry:
                        xs.append(data["triples"])
                        p50.append(entry["median"])
                        rps.append(float("nan"))
                    continue
                cells = data.get("http", {}).get(server, {}).get(query, {})
                one, eight = cells.get("1") or cells.get(1), cells.get("8") or cells.get(8)
                if one:
                    xs.append(data["triples"])
                    p50.append(one["p50_ms"]["median"])
                    rps.append(eight["rps"]["median"] if eight else float("nan"))
            if xs:
                axes[0][column].plot(xs, p50, marker="o", label=server)
                axes[1][column].plot(xs, rps, marker="o", label=server)
        axes[0][column].set_title(query, fontsize=9)
        axes[0][column].set_yscale("log")
        axes[1][column].set_yscale("log")
        axes[1][column].set_xlabel("triples")
        for row in axes:
            row[column].set_xscale("log")
            row[column].grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("p50 at concurrency 1 (ms)")
    axes[1][0].set_ylabel("requests/s at concurrency 8")
    axes[0][0].axhline(TARGET_MS, color="red", linewidth=0.6, linestyle="--")
    axes[0][-1].legend(fontsize=7)
    fig.suptitle(f"Quartiers KG vs peers — {run['started']} (load avg {run['loadavg_start'][0]:.1f})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

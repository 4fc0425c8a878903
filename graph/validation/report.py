"""Validation reports: results with labels and bilingual messages, as JSON, SHACL Turtle or a human summary."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

from graph.validation.findings import Finding
from graph.validation.shapes import SEVERITIES, SEVERITY_RANK, ShapeSet

SH = "http://www.w3.org/ns/shacl#"
HEADINGS = {
    "fr": {"Violation": "Violations", "Warning": "Avertissements", "Info": "Informations"},
    "en": {"Violation": "Violations", "Warning": "Warnings", "Info": "Information"},
}
WORDS = {
    "fr": {"value": "valeur :", "none": "aucun résultat", "conforms": "conforme", "fails": "non conforme"},
    "en": {"value": "value:", "none": "no result", "conforms": "conforms", "fails": "does not conform"},
}


@dataclass(frozen=True)
class ValidationResult:
    """One result: which rule, how severe, on which node (IRI and label), along which path, with which value."""

    shape_id: str
    severity: str
    focus_node: str
    focus_label: str | None
    path: str | None
    value: str | None
    message_fr: str
    message_en: str
    focus_term: str = field(default="", repr=False, compare=False)  # N-Triples form, for Turtle output
    value_term: str | None = field(default=None, repr=False, compare=False)
    path_turtle: str | None = field(default=None, repr=False, compare=False)

    def message(self, lang: str = "fr") -> str:
        return self.message_en if lang == "en" else self.message_fr


@dataclass
class ValidationReport:
    """All results of one validation (every severity). ``conforms`` is false when one result is at or above
    ``min_severity`` (JSON ``conforms_at_min_severity``); ``shacl_conforms`` (JSON ``shacl_conforms``, Turtle
    ``sh:conforms``) is false as soon as there is any result, as the SHACL specification says."""

    results: list[ValidationResult]
    min_severity: str = "Violation"
    engine: str = "oxigraph"

    @property
    def conforms(self) -> bool:
        """No result at or above ``min_severity`` (what exit codes and the write gate use)."""
        threshold = SEVERITY_RANK[self.min_severity]
        return not any(SEVERITY_RANK[r.severity] >= threshold for r in self.results)

    @property
    def shacl_conforms(self) -> bool:
        """SHACL's sh:conforms: true only when the report holds no result at all (of any severity)."""
        return not self.results

    def counts(self) -> dict[str, int]:
        counted = Counter(r.severity for r in self.results)
        return {s: counted.get(s, 0) for s in reversed(SEVERITIES)}

    def has(self, severity: str) -> bool:
        return any(r.severity == severity for r in self.results)

    def to_json(self) -> dict[str, object]:
        fields = ("shape_id", "severity", "focus_node", "focus_label", "path", "value", "message_fr", "message_en")
        return {
            "conforms_at_min_severity": self.conforms,
            "min_severity": self.min_severity,
            "shacl_conforms": self.shacl_conforms,
            "counts": self.counts(),
            "results": [{k: asdict(r)[k] for k in fields} for r in self.results],
        }

    def to_turtle(self) -> str:
        return report_turtle(self)

    def summary(self, lang: str = "fr") -> str:
        return report_summary(self, lang)


def literal(text: str, lang: str | None = None) -> str:
    return str(ox.Literal(text, language=lang)) if lang else str(ox.Literal(text))


def report_turtle(report: ValidationReport) -> str:
    """A SHACL validation report graph (sh:ValidationReport), messages with their language tags."""
    lines = [
        f"@prefix sh: <{SH}> .",
        "",
        "[] a sh:ValidationReport ;",
        f"    sh:conforms {'true' if report.shacl_conforms else 'false'}",
    ]
    for r in report.results:
        parts = [
            "a sh:ValidationResult",
            f"sh:resultSeverity sh:{r.severity}",
            f"sh:sourceShape <https://w3id.org/quartiers/shapes#{r.shape_id}>",
            f"sh:focusNode {r.focus_term or '<' + r.focus_node + '>'}",
        ]
        if r.path_turtle:
            parts.append(f"sh:resultPath {r.path_turtle}")
        if r.value_term:
            parts.append(f"sh:value {r.value_term}")
        parts.append(f"sh:resultMessage {literal(r.message_fr, 'fr')}, {literal(r.message_en, 'en')}")
        lines[-1] += " ;"
        lines.append("    sh:result [ " + " ;\n        ".join(parts) + " ]")
    lines[-1] += " ."
    return "\n".join(lines) + "\n"


def report_summary(report: ValidationReport, lang: str = "fr") -> str:
    """Human summary grouped by severity then rule: message, then each focus node (label, IRI) and value."""
    words = WORDS["en" if lang == "en" else "fr"]
    headings = HEADINGS["en" if lang == "en" else "fr"]
    counts = report.counts()
    status = words["conforms"] if report.conforms else words["fails"]
    head = ", ".join(f"{counts[s]} {headings[s].lower()}" for s in counts)
    out = [f"{status} — {head}"]
    grouped: dict[str, dict[str, list[ValidationResult]]] = defaultdict(lambda: defaultdict(list))
    for r in report.results:
        grouped[r.severity][r.shape_id].append(r)
    for severity in reversed(SEVERITIES):
        if severity not in grouped:
            continue
        out.append("")
        out.append(f"== {headings[severity]} ({counts[severity]}) ==")
        for shape_id in sorted(grouped[severity]):
            items = grouped[severity][shape_id]
            out.append(f"[{shape_id}] {items[0].message(lang)} ({len(items)})")
            for r in items:
                label = f"{r.focus_label} " if r.focus_label else ""
                value = f" — {words['value']} {r.value}" if r.value is not None else ""
                path = f" ({r.path})" if r.path else ""
                out.append(f"  - {label}<{r.focus_node}>{path}{value}")
    if not report.results:
        out.append(words["none"])
    return "\n".join(out) + "\n"


def term_text(term: ox.Term) -> str:
    """The IRI, lexical form or blank-node id of a term, for people."""
    return term.value if hasattr(term, "value") else str(term)


def build_report(
    findings: list[Finding],
    shapes: ShapeSet,
    labels: dict[str, str],
    *,
    min_severity: str,
    engine: str,
) -> ValidationReport:
    """Attach severity, messages (with their language, from the rule), labels and paths to the findings."""
    results: list[ValidationResult] = []
    for f in findings:
        rule = shapes.rules[f.rule_iri]
        focus = term_text(f.focus)
        results.append(
            ValidationResult(
                shape_id=rule.rule_id,
                severity=rule.severity,
                focus_node=focus,
                focus_label=labels.get(str(f.focus)),
                path=rule.path,
                value=None if f.value is None else term_text(f.value),
                message_fr=rule.messages["fr"],
                message_en=rule.messages["en"],
                focus_term=str(f.focus),
                value_term=None if f.value is None else str(f.value),
                path_turtle=rule.path_turtle,
            )
        )
    results.sort(key=lambda r: (-SEVERITY_RANK[r.severity], r.shape_id, r.focus_node, r.value or ""))
    return ValidationReport(results=results, min_severity=min_severity, engine=engine)

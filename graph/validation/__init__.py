"""Validation of the knowledge graph against the project's SHACL shapes (shapes/).

``validate_store`` checks the whole store or some named graphs; ``validate_files`` checks files before they are
loaded; both return a ``ValidationReport``. Two engines give the same results: ``oxigraph`` (default, rules
compiled to SPARQL, fast on the national graph) and ``pyshacl`` (the reference). See docs/validation.md.
"""

from graph.validation.api import ENGINES, validate_change, validate_files, validate_store
from graph.validation.dataset import UnknownGraphError, UnusableInputError
from graph.validation.report import ValidationReport, ValidationResult
from graph.validation.shapes import ShapeSet, load_shapes

__all__ = [
    "ENGINES",
    "ShapeSet",
    "UnknownGraphError",
    "UnusableInputError",
    "ValidationReport",
    "ValidationResult",
    "load_shapes",
    "validate_change",
    "validate_files",
    "validate_store",
]

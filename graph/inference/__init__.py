"""OWL 2 RL inference over the store: the closure of ontology + data in the named graph ``qkg:inferred``.

* ``infer(source)`` — the full closure (``InferenceResult``: entailed triples not asserted, by rule, clashes);
* ``graph.inference.incremental`` — what a write adds to / removes from ``qkg:inferred`` (DRed);
* ``graph.inference.explain`` — the rule and asserted triples behind an entailed triple.

See docs/inference.md for the rules kept, what is left out and why.
"""

from graph.inference.materialise import InferenceResult, infer

__all__ = ["InferenceResult", "infer"]

"""OWL 2 RL inference over the store: the closure of ontology + data in the named graph ``qkg:inferred``.

* ``infer(source)`` — the full closure (``InferenceResult``: entailed triples not asserted, by rule, clashes);
  ``infer_store(store)`` computes it and writes it into the store's inferred graph;
* ``Reasoner.of_store(replica).update(replica, added, removed)`` — what a write changes in ``qkg:inferred``
  (``InferredChange``, DRed); ``apply_change`` applies it to a pyoxigraph store;
* ``Explainer(store, tables).explain(triple)`` — the rule and asserted triples behind an entailed triple.

See docs/inference.md for the rules kept, what is left out and why.
"""

from graph.inference.explain import Explainer, Explanation
from graph.inference.incremental import InferredChange, Reasoner, inferred_change
from graph.inference.materialise import InferenceResult, infer
from graph.inference.materialised import apply_change, infer_store

__all__ = [
    "Explainer",
    "Explanation",
    "InferenceResult",
    "InferredChange",
    "Reasoner",
    "apply_change",
    "infer",
    "infer_store",
    "inferred_change",
]

"""Quartiers KG: the knowledge graph of France's contrats de ville and their QPV.

Public entry points live in the modules named after their concern:
``graph.layout`` (where files are, which named graph each one fills), ``graph.store``
(the one store interface and its backends), ``graph.build`` (load everything into a store).
"""

__version__ = "0.1.0"

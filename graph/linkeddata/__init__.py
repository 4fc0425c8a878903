"""Linked data over the store (pure functions; the service evaluates their queries in its workers):

- ``describe``: what the dataset says about one IRI (outgoing, incoming, provenance of each fact);
- ``catalog``: the DCAT-AP 3 catalogue and the VoID description;
- ``jsonld``: the JSON-LD context generated from the ontology, and documents written against it;
- ``ontology``: the ontology's documentation (terms, labels, definitions, alignments, examples);
- ``iris``: where the public base's IRIs live on the server; ``svg``: a QPV's outline from its WKT.
"""

"""The RDF, RDFS and OWL terms the reasoner reads or writes.

The reasoner handles terms in their N-Triples form (``<iri>``, ``_:id``, ``"lexical"@lang``,
``"lexical"^^<datatype>``), the form pyoxigraph writes and ``str()`` gives: Python strings hash and compare faster
than pyoxigraph terms, and the closure goes back to the store as N-Quads text. ``graph.inference.terms`` converts.
"""

from __future__ import annotations

from graph.namespaces import OWL, RDF, RDFS, XSD

Term = str
Triple = tuple[str, str, str]


def iri(value: str) -> str:
    return f"<{value}>"

TYPE = iri(RDF + "type")
FIRST = iri(RDF + "first")
REST = iri(RDF + "rest")
NIL = iri(RDF + "nil")
PROPERTY = iri(RDF + "Property")

SUBCLASS = iri(RDFS + "subClassOf")
SUBPROPERTY = iri(RDFS + "subPropertyOf")
DOMAIN = iri(RDFS + "domain")
RANGE = iri(RDFS + "range")
RDFS_CLASS = iri(RDFS + "Class")


def owl(name: str) -> str:
    return iri(OWL + name)


SAME_AS = owl("sameAs")
DIFFERENT_FROM = owl("differentFrom")
THING = owl("Thing")
NOTHING = owl("Nothing")
EQUIVALENT_CLASS = owl("equivalentClass")
EQUIVALENT_PROPERTY = owl("equivalentProperty")
INVERSE_OF = owl("inverseOf")
CHAIN = owl("propertyChainAxiom")
DISJOINT_WITH = owl("disjointWith")
PROPERTY_DISJOINT_WITH = owl("propertyDisjointWith")
MEMBERS = owl("members")
FUNCTIONAL = owl("FunctionalProperty")
INVERSE_FUNCTIONAL = owl("InverseFunctionalProperty")
TRANSITIVE = owl("TransitiveProperty")
SYMMETRIC = owl("SymmetricProperty")
ASYMMETRIC = owl("AsymmetricProperty")
IRREFLEXIVE = owl("IrreflexiveProperty")
ALL_DISJOINT_CLASSES = owl("AllDisjointClasses")

# the predicates of schema (TBox) triples: a triple with one of these is part of the ontology wherever it is stored
SCHEMA_PREDICATES = frozenset(
    [SUBCLASS, SUBPROPERTY, DOMAIN, RANGE, EQUIVALENT_CLASS, EQUIVALENT_PROPERTY, INVERSE_OF, CHAIN, DISJOINT_WITH,
     PROPERTY_DISJOINT_WITH, MEMBERS]
    + [owl(n) for n in (
        "hasKey", "intersectionOf", "unionOf", "complementOf", "oneOf", "onProperty", "onClass", "someValuesFrom",
        "allValuesFrom", "hasValue", "maxCardinality", "maxQualifiedCardinality", "minCardinality", "cardinality",
        "qualifiedCardinality", "minQualifiedCardinality", "disjointUnionOf", "distinctMembers", "sourceIndividual",
        "assertionProperty", "targetIndividual", "targetValue", "hasSelf", "onDatatype", "withRestrictions",
        "datatypeComplementOf", "inverseObjectPropertyExpression",
    )]
)
# the classes whose instances are schema terms (``x rdf:type owl:Class`` is a schema triple)
SCHEMA_CLASSES = frozenset(
    [RDFS_CLASS, PROPERTY, FUNCTIONAL, INVERSE_FUNCTIONAL, TRANSITIVE, SYMMETRIC, ASYMMETRIC, IRREFLEXIVE,
     ALL_DISJOINT_CLASSES]
    + [owl(n) for n in (
        "Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "ReflexiveProperty", "Restriction",
        "AllDisjointProperties", "AllDifferent", "NegativePropertyAssertion", "DataRange",
    )]
    + [iri(RDFS + "Datatype")]
)
# the predicates whose values are RDF lists in the schema
LIST_PREDICATES = frozenset(
    [CHAIN, MEMBERS] + [owl(n) for n in ("hasKey", "intersectionOf", "unionOf", "oneOf", "disjointUnionOf",
                                          "distinctMembers", "withRestrictions")]
)
# OWL constructs outside the rules this engine implements (see docs/inference.md): an ontology using one is refused
UNSUPPORTED = {
    owl("intersectionOf"): "cls-int1/cls-int2",
    owl("unionOf"): "cls-uni",
    owl("complementOf"): "cls-com",
    owl("someValuesFrom"): "cls-svf1/cls-svf2",
    owl("allValuesFrom"): "cls-avf",
    owl("hasValue"): "cls-hv1/cls-hv2",
    owl("maxCardinality"): "cls-maxc1/cls-maxc2",
    owl("maxQualifiedCardinality"): "cls-maxqc1-4",
    owl("oneOf"): "cls-oo",
    owl("hasKey"): "prp-key",
    owl("sourceIndividual"): "prp-npa1/prp-npa2",
    owl("distinctMembers"): "eq-diff2/eq-diff3",
    owl("AllDifferent"): "eq-diff2/eq-diff3",
    owl("AllDisjointProperties"): "prp-adp",
}
BUILTIN_NAMESPACES = tuple(f"<{ns}" for ns in (RDF, RDFS, OWL, XSD))


def is_literal(term: Term) -> bool:
    return term[0] == '"'


def is_node(term: Term) -> bool:
    """An IRI or a blank node (what can be a subject)."""
    return term[0] != '"'


def is_iri(term: Term) -> bool:
    return term[0] == "<"


def is_builtin(term: Term) -> bool:
    """A term of the RDF, RDFS, OWL or XSD vocabularies."""
    return term.startswith(BUILTIN_NAMESPACES)

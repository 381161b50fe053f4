"""Turtle files as rdflib triples, parsed by pyoxigraph.

The vocabulary and code lists (`vocab/`, a series' `vocabulario.ttl`) are read
by the parser (departments), the graph builder (the code lists every graph
carries) and the SHACL gate. rdflib's own Turtle parser takes ~17 ms on the two
national code lists the first time a process reads them; pyoxigraph's takes a
tenth of that, and the triples are turned into the rdflib terms rdflib's parser
would have made, so every stage compares them term for term.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

Term = URIRef | BNode | Literal
Triple = tuple[URIRef, URIRef, URIRef | Literal]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def rdflib_term(term: object) -> Term:
    """A pyoxigraph term as the rdflib term rdflib's own parser would have made."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def parse_turtle(data: bytes) -> list[Triple]:
    return [
        (rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object))  # type: ignore[misc]
        for t in ox.parse(data, format=ox.RdfFormat.TURTLE)
    ]


@lru_cache(maxsize=16)
def read_turtle(path: Path) -> tuple[Triple, ...]:
    """A vocabulary file's triples, parsed once per process."""
    return tuple(parse_turtle(path.read_bytes()))

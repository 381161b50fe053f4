"""Triples → Turtle and JSON-LD bytes, the same bytes for the same triples.

rdflib terms are used to build the graph (closed namespaces catch misspelt
terms); pyoxigraph writes it, because it is several times faster than rdflib
on large graphs and writes triples in the order given. The order given is
sorted, there are no blank nodes, so output depends only on the triples.
"""

from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox
from rdflib import Literal, URIRef

from pipelines.graph.cube import Triple
from pipelines.graph.namespaces import BUDGET_PHASE, CODIGO, PREFIXES, VOCAB_BASE

# Prefixes whose local names contain no "/": Turtle would have to escape it
# (`codigo:actividad\/x`), which is legal but hard to read, so the code lists
# get one prefix each and slash-separated data IRIs are written in full.
CODE_LISTS = ("departamento", "pais", "programa", "direccion", "actividad", "grupo-gasto", "periodo",
              "unidad", "sexo", "pueblo")
TURTLE_PREFIXES: dict[str, str] = {
    **{k: v for k, v in PREFIXES.items() if k not in ("codigo", "estructura")},
    **{name: f"{CODIGO}{name}/" for name in CODE_LISTS},
    "organizacion": f"{VOCAB_BASE}organizacion/",
    "fase": str(BUDGET_PHASE),
}


def _term(node: URIRef | Literal) -> ox.NamedNode | ox.Literal:
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if node.language:
        return ox.Literal(str(node), language=node.language)
    if node.datatype:
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
    return ox.Literal(str(node))


def _sort_key(triple: Triple) -> tuple[str, int, str, str]:
    s, p, o = triple
    # Subjects together, rdf:type first, then predicates and objects in order.
    first = 0 if str(p).endswith("22-rdf-syntax-ns#type") else 1
    return str(s), first, str(p), o.n3()


def to_oxigraph(triples: Iterable[Triple]) -> list[ox.Triple]:
    """Distinct triples in a fixed order, as pyoxigraph terms."""
    ordered = sorted(set(triples), key=_sort_key)
    return [ox.Triple(_term(s), _term(p), _term(o)) for s, p, o in ordered]


def turtle(triples: list[ox.Triple]) -> bytes:
    """Turtle with the prefix declarations written here, sorted, whatever order the writer uses."""
    body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES).split(b"\n")
    while body and body[0].startswith(b"@prefix"):
        body.pop(0)
    header = ["# Grafo generado por rendicion-abierta a partir del informe; no editar a mano."]
    header += [f"@prefix {name}: <{iri}> ." for name, iri in sorted(TURTLE_PREFIXES.items())]
    return ("\n".join(header) + "\n\n").encode() + b"\n".join(body)


def jsonld(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.JSON_LD) + b"\n"

"""Triples → Turtle and JSON-LD bytes, the same bytes for the same triples.

rdflib terms are used to build the graph (closed namespaces catch misspelt
terms); pyoxigraph writes the Turtle, because it is several times faster than
rdflib on large graphs and writes triples in the order given. The order given
is sorted, there are no blank nodes, so output depends only on the triples.

The JSON-LD is compact JSON-LD written here, from the same sorted triples:
an inline `@context` declaring the prefixes the graph uses (the Turtle ones,
plus `codigo`, `estructura` and `datos` for the package's base IRI), one node
per subject in `@graph`, `@type` for rdf:type, a single value unwrapped,
plain strings for xsd:string, JSON numbers and booleans for canonical
xsd:integer and xsd:boolean literals, `{"@value", "@type"|"@language"}` for
the rest; a blank node (the package graphs have none; an IRI page's
description may reach some, e.g. a SHACL shape's `sh:property [ … ]`) is
`_:<id>`. The endpoint's IRI pages (`pipelines.sparql.describe`) use this
writer too. pyoxigraph 0.5 writes only expanded JSON-LD (it ignores `prefixes`);
rdflib's serializer with a context iterates a set of subjects, so its order
follows PYTHONHASHSEED, and takes ~120 ms on the bundled report against ~25 ms here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from json.encoder import encode_basestring as _string  # type: ignore[attr-defined]

import pyoxigraph as ox
from rdflib import Literal, URIRef

from pipelines.graph.cube import Triple
from pipelines.graph.namespaces import BUDGET_PHASE, CODIGO, PREFIXES, VOCAB_BASE, SeriesTerms

# Prefixes whose local names contain no "/": Turtle would have to escape it
# (`codigo:actividad\/x`), which is legal but hard to read, so the code lists
# get one prefix each and slash-separated data IRIs are written in full.
CODE_LISTS = (
    "departamento",
    "pais",
    "programa",
    "direccion",
    "actividad",
    "grupo-gasto",
    "periodo",
    "unidad",
    "sexo",
    "pueblo",
)
TURTLE_PREFIXES: dict[str, str] = {
    **{k: v for k, v in PREFIXES.items() if k not in ("codigo", "estructura")},
    **{name: f"{CODIGO}{name}/" for name in CODE_LISTS},
    "organizacion": f"{VOCAB_BASE}organizacion/",
    "fase": str(BUDGET_PHASE),
}


_NAMED: dict[str, ox.NamedNode] = {}
"""IRI → pyoxigraph term: predicates, classes, datasets and codes repeat thousands of times per graph."""


def _term(node: URIRef | Literal) -> ox.NamedNode | ox.Literal:
    if isinstance(node, URIRef):
        found = _NAMED.get(node)
        if found is None:
            if len(_NAMED) > 200_000:  # bounded: a worker builds thousands of graphs
                _NAMED.clear()
            found = _NAMED[node] = ox.NamedNode(str(node))
        return found
    if node.language:
        return ox.Literal(str(node), language=node.language)
    if node.datatype:
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
    return ox.Literal(str(node))


def _sort_key(triple: Triple) -> tuple[str, int, str, str]:
    s, p, o = triple
    # Subjects together, rdf:type first, then predicates and objects in order.
    first = 0 if str(p).endswith("22-rdf-syntax-ns#type") else 1
    # `<iri>` is what URIRef.n3() returns, without its per-call validation: the same order, cheaper.
    return str(s), first, str(p), o.n3() if isinstance(o, Literal) else f"<{o}>"


def to_oxigraph(triples: Iterable[Triple]) -> list[ox.Triple]:
    """Distinct triples in a fixed order, as pyoxigraph terms."""
    ordered = sorted(set(triples), key=_sort_key)
    return [ox.Triple(_term(s), _term(p), _term(o)) for s, p, o in ordered]


def series_prefixes(prefixes: dict[str, str], series: str | None) -> dict[str, str]:
    """`prefixes` with `medida:`, `programa:`, … bound to one series' namespaces (`medida:asignado`,
    as the cookbook writes it, rather than the escaped `medida:sosep\\/asignado`)."""
    return {**prefixes, **SeriesTerms(series).prefixes()} if series else prefixes


def turtle(triples: list[ox.Triple], series: str | None = None) -> bytes:
    """Turtle with the prefix declarations written here, sorted, whatever order the writer uses."""
    prefixes = series_prefixes(TURTLE_PREFIXES, series)
    body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes).split(b"\n")
    while body and body[0].startswith(b"@prefix"):
        body.pop(0)
    header = ["# Grafo generado por rendicion-abierta a partir del informe; no editar a mano."]
    header += [f"@prefix {name}: <{iri}> ." for name, iri in sorted(prefixes.items())]
    return ("\n".join(header) + "\n\n").encode() + b"\n".join(body)


JSONLD_PREFIXES: dict[str, str] = {
    **TURTLE_PREFIXES,
    "codigo": str(CODIGO),
    "estructura": PREFIXES["estructura"],
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = PREFIXES["xsd"]
XSD_STRING, XSD_INTEGER, XSD_BOOLEAN = XSD + "string", XSD + "integer", XSD + "boolean"
CANONICAL_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")


class _Compactor:
    """IRIs → `prefix:rest` by the longest declared namespace; records the prefixes used."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = sorted(prefixes.items(), key=lambda item: (-len(item[1]), item[0]))
        self.used: dict[str, str] = {}
        self.cache: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        found = self.cache.get(iri)
        if found is None:
            found = iri
            for name, namespace in self.prefixes:
                rest = iri[len(namespace) :]
                # A suffix starting with "//" would be read as an absolute IRI, not a compact one.
                if iri.startswith(namespace) and rest and not rest.startswith("//"):
                    self.used[name] = namespace
                    found = f"{name}:{rest}"
                    break
            self.cache[iri] = found
        return found


def _id(term: ox.NamedNode | ox.BlankNode, compact: _Compactor) -> str:
    return "_:" + term.value if isinstance(term, ox.BlankNode) else compact(term.value)


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal, compact: _Compactor) -> object:
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return {"@id": _id(term, compact)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    datatype = term.datatype.value
    if datatype == XSD_STRING:
        return term.value
    if datatype == XSD_INTEGER and CANONICAL_INTEGER.fullmatch(term.value) and term.value != "-0":
        return int(term.value)
    if datatype == XSD_BOOLEAN and term.value in ("true", "false"):
        return term.value == "true"
    return {"@value": term.value, "@type": compact(datatype)}


def jsonld(
    triples: list[ox.Triple], base: str, series: str | None = None, prefixes: dict[str, str] | None = None
) -> bytes:
    """Compact JSON-LD of `triples` (already in `to_oxigraph` order), prefixes declared inline.

    `base` is the package's instance-data base IRI, declared as `datos:`; `series` binds `medida:`,
    `programa:`, … to that series' namespaces; `prefixes` adds others (the endpoint's). Only the
    prefixes the triples use are declared. Triples of one subject must be consecutive, or the
    subject gets two nodes (the same graph, a longer document).
    """
    compact = _Compactor({**(prefixes or {}), **series_prefixes(JSONLD_PREFIXES, series), "datos": base})
    nodes: list[dict[str, object]] = []
    node: dict[str, object] = {}
    subject = None
    for triple in triples:
        if triple.subject != subject:
            subject = triple.subject
            node = {"@id": _id(subject, compact)}
            nodes.append(node)
        if triple.predicate.value == RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            key, value = "@type", compact(triple.object.value)
        else:
            key, value = compact(triple.predicate.value), _value(triple.object, compact)
        if key not in node:
            node[key] = value
        elif isinstance(node[key], list):
            node[key].append(value)
        else:
            node[key] = [node[key], value]
    context = dict(sorted(compact.used.items()))
    out: list[str] = []
    _dump({"@context": context, "@graph": nodes}, 0, out)
    return "".join(out).encode("utf-8") + b"\n"


def _dump(value: object, level: int, out: list[str]) -> None:
    """Exactly `json.dumps(value, ensure_ascii=False, indent=1)`, appended to `out`.

    The standard library falls back to its pure-Python encoder whenever an
    indent is asked for; this writer does the same layout without the
    generator machinery, twice as fast on a report's graph. A test holds the
    two to the same bytes.
    """
    if isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = "\n" + " " * (level + 1)
        separator = "{" + inner
        for key, item in value.items():
            out.append(separator)
            out.append(_string(key) + ": ")
            _dump(item, level + 1, out)
            separator = "," + inner
        out.append("\n" + " " * level + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        inner = "\n" + " " * (level + 1)
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _dump(item, level + 1, out)
            separator = "," + inner
        out.append("\n" + " " * level + "]")
    elif value is True or value is False or value is None or type(value) is not int:
        out.append(json.dumps(value))
    else:
        out.append(int.__repr__(value))

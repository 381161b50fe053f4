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
from collections.abc import Callable, Iterable
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
"""IRI → pyoxigraph term: predicates, classes, datasets and codes repeat thousands of times per graph.

Keyed by plain `str`: an rdflib term hashes and compares through Python methods
(`Identifier.__eq__`), a `str` in C, and a graph makes ~25,000 lookups.
"""


def _named(iri: str) -> ox.NamedNode:
    found = _NAMED.get(iri)
    if found is None:
        if len(_NAMED) > 200_000:  # bounded: a worker builds thousands of graphs
            _NAMED.clear()
        found = _NAMED[iri] = ox.NamedNode(iri)
    return found


def _literal(node: Literal) -> ox.Literal:
    if node.language:
        return ox.Literal(str(node), language=node.language)
    if node.datatype:
        return ox.Literal(str(node), datatype=_named(str(node.datatype)))
    return ox.Literal(str(node))


def _sort_key(triple: Triple) -> tuple[str, int, str, str]:
    s, p, o = triple
    # Subjects together, rdf:type first, then predicates and objects in order.
    first = 0 if str(p).endswith("22-rdf-syntax-ns#type") else 1
    # `<iri>` is what URIRef.n3() returns, without its per-call validation: the same order, cheaper.
    # (`type(o) is URIRef` first: isinstance on rdflib's terms goes through an ABC check.)
    return str(s), first, str(p), f"<{o}>" if type(o) is URIRef or not isinstance(o, Literal) else o.n3()


def to_oxigraph(triples: Iterable[Triple]) -> list[ox.Triple]:
    """Distinct triples in a fixed order, as pyoxigraph terms.

    The sort key is also the identity: it spells subject, predicate and object
    (a literal with its datatype or language), so one dict keyed by it removes
    duplicates with `str` hashing instead of rdflib's, and sorting its keys
    gives the same order as sorting the distinct triples by it.
    """
    keyed: dict[tuple[str, int, str, str], Triple] = {}
    for triple in triples:
        keyed.setdefault(_sort_key(triple), triple)
    ordered = []
    for key in sorted(keyed):
        subject, _, predicate, written = key
        o = keyed[key][2]
        value = _named(written[1:-1]) if written[0] == "<" else _literal(o)
        ordered.append(ox.Triple(_named(subject), _named(predicate), value))
    return ordered


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


def jsonld(
    triples: list[ox.Triple], base: str, series: str | None = None, prefixes: dict[str, str] | None = None
) -> bytes:
    """Compact JSON-LD of `triples` (already in `to_oxigraph` order), prefixes declared inline.

    `base` is the package's instance-data base IRI, declared as `datos:`; `series` binds `medida:`,
    `programa:`, … to that series' namespaces; `prefixes` adds others (the endpoint's). Only the
    prefixes the triples use are declared. The text is written node by node as it is read, each
    IRI compacted and quoted once; the `@context`, known only at the end, is written in front.
    Triples of one subject must be consecutive, or the subject gets two nodes (the same graph,
    a longer document); a subject's keys may come in any order.
    """
    compact = _Compactor({**(prefixes or {}), **series_prefixes(JSONLD_PREFIXES, series), "datos": base})
    quoted: dict[str, str] = {}

    def q(iri: str) -> str:
        found = quoted.get(iri)
        if found is None:
            found = quoted[iri] = _string(compact(iri))
        return found

    def node_id(term: ox.NamedNode | ox.BlankNode) -> str:
        return _string("_:" + term.value) if isinstance(term, ox.BlankNode) else q(term.value)

    nodes: list[str] = []
    keys: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
    subject: object = None
    head = ""

    def close_node() -> None:
        entries = [head]
        for key, values in keys.items():
            if len(values) == 1:
                entries.append(f"\n   {key}: {_value_text(values[0], key, q, node_id, 3)}")
            else:
                items = ",\n    ".join(_value_text(v, key, q, node_id, 4) for v in values)
                entries.append(f"\n   {key}: [\n    {items}\n   ]")
        nodes.append("{" + ",".join(entries) + "\n  }")
        keys.clear()

    for s, p, o in triples:
        if s != subject:
            if subject is not None:
                close_node()
            subject = s
            head = f'\n   "@id": {node_id(s)}'
        key = '"@type"' if p.value == RDF_TYPE and isinstance(o, ox.NamedNode) else q(p.value)
        values = keys.get(key)
        if values is None:
            keys[key] = [o]
        else:
            values.append(o)
    if subject is not None:
        close_node()
    out: list[str] = []
    _dump(dict(sorted(compact.used.items())), 1, out)
    graph = "[\n  " + ",\n  ".join(nodes) + "\n ]" if nodes else "[]"
    return ('{\n "@context": ' + "".join(out) + ',\n "@graph": ' + graph + "\n}\n").encode("utf-8")


def _value_text(
    term: ox.NamedNode | ox.BlankNode | ox.Literal,
    key: str,
    q: Callable[[str], str],
    node_id: Callable[[ox.NamedNode | ox.BlankNode], str],
    level: int,
) -> str:
    """One value of a node's key as `json.dumps(indent=1)` writes it at depth `level`.

    `key` is the key as written (quoted); `q` compacts and quotes an IRI, `node_id` a node.
    """
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        if key == '"@type"':
            return q(term.value)
        return "{\n" + " " * (level + 1) + '"@id": ' + node_id(term) + "\n" + " " * level + "}"
    text = term.value
    if term.language:
        pairs = f'"@value": {_string(text)},', f'"@language": {_string(term.language)}'
    else:
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return _string(text)
        if datatype == XSD_INTEGER and CANONICAL_INTEGER.fullmatch(text) and text != "-0":
            return int.__repr__(int(text))
        if datatype == XSD_BOOLEAN and text in ("true", "false"):
            return text
        pairs = f'"@value": {_string(text)},', f'"@type": {q(datatype)}'
    indent = "\n" + " " * (level + 1)
    return "{" + indent + pairs[0] + indent + pairs[1] + "\n" + " " * level + "}"


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

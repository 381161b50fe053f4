"""IRIs that resolve: an IRI under the base answered at the same path, in Turtle, JSON-LD or a Spanish page.

An IRI's description is its triples as subject, plus those of the blank nodes
they reach (recursively), so a client gets what the IRI says about itself.
A hash IRI (`…/def#programa`) is answered by its document (`…/def`): the
description of the document IRI plus that of every `#` term in it, as a
browser and w3id.org strip the fragment. Which `#` terms a document has is
read once from the vocabulary files (a dozen kB), because finding them in the
store would scan every triple (1.2 M at 200 periods).

Lookups read the store's default graph (the merge of every package and the
vocabulary); a store with only named graphs is read as their union, each
triple once. These are index lookups, not SPARQL: ~0.03 ms each at 200
periods, so they run in the front process, outside the query workers.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from pipelines.graph.serialize import jsonld
from pipelines.sparql.query import GRAPH_FORMATS, PREFIXES, needs_union

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
)
COMMENTS = (
    "http://www.w3.org/2004/02/skos/core#definition",
    "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://purl.org/dc/terms/description",
)
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
SPANISH: dict[str, str] = {
    RDF_TYPE: "tipo",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "nombre",
    "http://www.w3.org/2000/01/rdf-schema#label": "etiqueta",
    "http://www.w3.org/2000/01/rdf-schema#comment": "comentario",
    "http://www.w3.org/2004/02/skos/core#notation": "código",
    "http://www.w3.org/2004/02/skos/core#inScheme": "lista de códigos",
    "http://www.w3.org/2004/02/skos/core#topConceptOf": "concepto principal de",
    "http://www.w3.org/2004/02/skos/core#definition": "definición",
    "http://www.w3.org/2004/02/skos/core#Concept": "concepto",
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": "lista de códigos",
    "http://www.w3.org/2002/07/owl#sameAs": "el mismo que",
    "http://purl.org/linked-data/cube#Observation": "observación",
    "http://purl.org/linked-data/cube#dataSet": "conjunto de datos",
    "http://purl.org/linked-data/cube#DataSet": "conjunto de datos (Data Cube)",
    "http://purl.org/dc/terms/title": "título",
    "http://purl.org/dc/terms/description": "descripción",
    "http://www.w3.org/ns/dcat#Dataset": "conjunto de datos (DCAT)",
    "http://www.w3.org/2000/01/rdf-schema#range": "rango",
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": "subclase de",
    "http://www.w3.org/2002/07/owl#Class": "clase",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "propiedad de objeto",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "propiedad de datos",
}
"""Spanish names of common standard terms the store has no Spanish label for."""


def _order(triple: ox.Triple) -> tuple[bool, str, bool, str, str]:
    """IRIs before blank nodes, each subject's triples together, rdf:type first: a stable JSON-LD document."""
    subject, predicate = triple.subject, triple.predicate.value
    return isinstance(subject, ox.BlankNode), str(subject), predicate != RDF_TYPE, predicate, str(triple.object)


def hash_documents(vocab: list[Path], bases: list[str]) -> dict[str, list[str]]:
    """Document IRI → its `#` terms, for the subjects of the vocabulary files that are under one of the bases."""
    documents: dict[str, set[str]] = defaultdict(set)
    for path in vocab:
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            subject = triple.subject
            if isinstance(subject, ox.NamedNode) and "#" in subject.value and subject.value.startswith(tuple(bases)):
                documents[subject.value.split("#", 1)[0]].add(subject.value)
    return {document: sorted(terms) for document, terms in documents.items()}


@dataclass(frozen=True)
class Description:
    iri: str
    subjects: list[str]
    """The IRIs described: the IRI itself, then a document's `#` terms."""
    triples: list[ox.Triple]


class Describer:
    """Descriptions and their pages, read from one store opened read-only."""

    def __init__(self, store: ox.Store, bases: list[str], documents: dict[str, list[str]]) -> None:
        self.store = store
        self.bases = bases
        self.documents = documents
        self.graph: ox.DefaultGraph | None = None if needs_union(store) else ox.DefaultGraph()

    # -------------------------------------------------------------- triples

    def _about(self, subject: ox.NamedNode | ox.BlankNode) -> list[ox.Triple]:
        seen: dict[ox.Triple, None] = {}
        for quad in self.store.quads_for_pattern(subject, None, None, self.graph):
            seen.setdefault(quad.triple, None)
        return list(seen)

    def describe(self, iri: str) -> Description | None:
        """The IRI's description, or None when the store says nothing about it (HTTP 404)."""
        subjects = [iri, *(t for t in self.documents.get(iri, []) if t != iri)]
        triples: list[ox.Triple] = []
        found: list[str] = []
        pending: list[ox.NamedNode | ox.BlankNode] = []
        for subject in subjects:
            about = self._about(ox.NamedNode(subject))
            if about:
                found.append(subject)
                triples += about
                pending += [t.object for t in about if isinstance(t.object, ox.BlankNode)]
        seen: set[ox.BlankNode] = set()
        while pending:
            node = pending.pop()
            if node in seen:
                continue
            seen.add(node)
            about = self._about(node)
            triples += about
            pending += [t.object for t in about if isinstance(t.object, ox.BlankNode)]
        return Description(iri, found, triples) if found else None

    def iri_for(self, path: str) -> str | None:
        """The described IRI a local path (`/codigo/departamento/16`) stands for, trying each base in order."""
        from urllib.parse import unquote

        rest = path.lstrip("/")
        for candidate in dict.fromkeys([rest, unquote(rest)]):
            for base in self.bases:
                iri = base + candidate
                if iri in self.documents:
                    return iri
                try:
                    node = ox.NamedNode(iri)
                except ValueError:  # not an IRI (`/%00`, a space): nothing can be said of it, a 404
                    continue
                if next(self.store.quads_for_pattern(node, None, None, self.graph), None) is not None:
                    return iri
        return None

    def serialize(self, description: Description, fmt: str) -> bytes:
        """Turtle, N-Triples and RDF/XML by pyoxigraph; JSON-LD compact, with an inline `@context` of the prefixes it
        uses, by the package graphs' writer (pyoxigraph 0.5 writes only expanded JSON-LD, a page of full IRIs)."""
        if fmt == "jsonld":
            return jsonld(sorted(description.triples, key=_order), self.bases[0], prefixes=PREFIXES)
        return ox.serialize(description.triples, format=GRAPH_FORMATS[fmt], prefixes=PREFIXES if fmt == "ttl" else None)

    # -------------------------------------------------------------- labels and links

    def label(self, node: ox.NamedNode | ox.BlankNode) -> str | None:
        """Its Spanish label (skos:prefLabel, rdfs:label, dct:title), else our Spanish name for a standard term,
        else a label without language, else any."""
        found, spanish = self._text(node, LABELS)
        if not spanish and isinstance(node, ox.NamedNode) and node.value in SPANISH:
            return SPANISH[node.value]
        return found

    def _text(self, node: ox.NamedNode | ox.BlankNode, predicates: tuple[str, ...]) -> tuple[str | None, bool]:
        """The first Spanish literal of these properties (and True), else one without language, else any."""
        fallback: str | None = None
        for predicate in predicates:
            for quad in self.store.quads_for_pattern(node, ox.NamedNode(predicate), None, self.graph):
                value = quad.object
                if isinstance(value, ox.Literal):
                    if value.language == "es":
                        return value.value, True
                    if fallback is None or not value.language:
                        fallback = value.value
        return fallback, False

    def title(self, iri: str) -> str:
        """The page's title: the label, else the type's name and the IRI's path (observations have no label)."""
        node = ox.NamedNode(iri)
        found = self.label(node)
        if found:
            return found
        kinds = [q.object for q in self.store.quads_for_pattern(node, ox.NamedNode(RDF_TYPE), None, self.graph)]
        kind = next((self.label(k) for k in kinds if isinstance(k, ox.NamedNode)), None)
        path = self.local(iri)
        return f"{kind.capitalize()} {path}" if kind and path != iri else self.compact(iri)

    def local(self, iri: str) -> str:
        """Where the page links to: the local path for an IRI under a base, else the IRI itself."""
        for base in self.bases:
            if iri.startswith(base):
                return "/" + iri[len(base) :]
        return iri

    def compact(self, iri: str) -> str:
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    # -------------------------------------------------------------- the page

    def _value(self, term: Term, triples: list[ox.Triple], depth: int = 0) -> str:
        if isinstance(term, ox.NamedNode):
            text = self.label(term) or self.compact(term.value)
            return (
                f'<a href="{html.escape(self.local(term.value))}" title="{html.escape(term.value)}">'
                f"{html.escape(text)}</a>"
            )
        if isinstance(term, ox.BlankNode):
            return self._table([t for t in triples if t.subject == term], triples, depth + 1) if depth < 8 else "…"
        if isinstance(term, ox.Literal):
            note = (
                f"@{term.language}"
                if term.language
                else ("" if term.datatype.value.endswith("#string") else self.compact(term.datatype.value))
            )
            small = f" <small>{html.escape(note)}</small>" if note else ""
            return f"{html.escape(term.value)}{small}"
        return html.escape(str(term))

    def _table(self, own: list[ox.Triple], triples: list[ox.Triple], depth: int = 0) -> str:
        rows: dict[str, list[str]] = defaultdict(list)
        names: dict[str, str] = {}
        for triple in own:
            predicate = triple.predicate.value
            names[predicate] = self.label(triple.predicate) or self.compact(predicate)
            rows[predicate].append(self._value(triple.object, triples, depth))
        order = sorted(rows, key=lambda p: (p != RDF_TYPE, p not in LABELS, names[p].casefold()))
        body = "".join(
            f'<tr><th><a href="{html.escape(self.local(p))}" title="{html.escape(p)}">{html.escape(names[p])}</a>'
            f"</th><td>{'<br>'.join(sorted(rows[p]))}</td></tr>"
            for p in order
        )
        return f"<table>{body}</table>"

    def page(self, description: Description) -> str:
        """A Spanish HTML page: the label as title, each property and value, links kept on this server."""
        iri = description.iri
        title = self.title(iri if iri in description.subjects or iri + "#" not in description.subjects else iri + "#")
        sections = []
        for subject in description.subjects:
            node = ox.NamedNode(subject)
            own = [t for t in description.triples if t.subject == node]
            anchor = subject.split("#", 1)[1] if "#" in subject else ""
            ident = f' id="{html.escape(anchor)}"' if anchor else ""
            heading = (
                ""
                if subject == iri
                else (
                    f"<h2{ident}>{html.escape(self.label(node) or self.compact(subject))} "
                    f"<small><code>{html.escape(subject)}</code></small></h2>"
                )
            )
            comment, _ = self._text(node, COMMENTS)
            sections.append(
                heading + (f"<p>{html.escape(comment)}</p>" if comment else "") + self._table(own, description.triples)
            )
        return PAGE.format(
            title=html.escape(title), iri=html.escape(iri), body="\n".join(sections), here=html.escape(self.local(iri))
        )


PAGE = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · rendición abierta</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.4}}
table{{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}}th,td{{border-top:1px solid #ddd;padding:.3rem .5rem;
text-align:left;vertical-align:top}}th{{width:30%;font-weight:600}}td table{{margin:0}}small,code{{color:#555}}</style>
</head><body>
<p><a href="/">rendición abierta</a> · datos abiertos de los informes cuatrimestrales de rendición de cuentas</p>
<h1>{title}</h1>
<p><code>{iri}</code></p>
<p>También en <a href="{here}?format=ttl">Turtle</a> y <a href="{here}?format=jsonld">JSON-LD</a>
(o pida <code>text/turtle</code> o <code>application/ld+json</code> en la cabecera Accept).</p>
{body}
</body></html>
"""

"""The SHACL shapes file, compiled once into plain Python objects the fast gate evaluates.

pyshacl re-reads the shapes graph and rebuilds its constraint objects for
every nested shape it meets on every report; here `vocab/formas.ttl` is read
once per process (per content) into `Shape` objects holding already-parsed
parameters. Files are parsed with pyoxigraph (much faster than rdflib's
Turtle parser) and turned into rdflib terms, so the data triples the graph
builder makes (rdflib terms) are compared term for term.

Only the SHACL Core features `Shape` knows are compiled. A shapes file using
anything else in the `sh:` namespace raises `Unsupported`, and the gate then
validates with pyshacl instead: a constraint is never silently skipped.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Literal, URIRef

from pipelines.graph.cube import Triple
from pipelines.turtle import parse_turtle

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDF_FIRST = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#first")
RDF_REST = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
RDF_NIL = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil")
RDFS_CLASS = URIRef("http://www.w3.org/2000/01/rdf-schema#Class")
Term = URIRef | BNode | Literal


def sh(name: str) -> URIRef:
    return URIRef(SH + name)


class Unsupported(Exception):
    """The shapes use a SHACL feature the fast gate does not implement (pyshacl is used instead)."""


class Index:
    """Triples indexed both ways, as sets; optionally over a `parent` and recording every lookup made.

    A report's graph is its own triples over the cached base (vocabulary and
    structures), which is never copied. The recording is what makes cached
    verdicts safe to reuse: a verdict computed on the base still holds for a
    report's graph as long as the report adds no triple one of its lookups
    would have seen. The triples given must not repeat the parent's.
    """

    __slots__ = ("spo", "by_p", "pos", "parent", "reads")

    def __init__(self, triples: Iterable[Triple] = (), parent: Index | None = None) -> None:
        self.spo: dict[Term, dict[URIRef, dict[Term, None]]] = {}
        self.by_p: dict[URIRef, list[tuple[Term, Term]]] = {}
        self.pos: dict[URIRef, dict[Term, dict[Term, None]]] = {}
        self.parent = parent
        self.reads: set[tuple[str, Term, Term]] | None = None
        for s, p, o in triples:
            self.add(s, p, o)

    def add(self, s: Term, p: URIRef, o: Term) -> None:
        by_p = self.spo.get(s)
        if by_p is None:
            self.spo[s] = {p: {o: None}}
        else:
            objects = by_p.get(p)
            if objects is None:
                by_p[p] = {o: None}
            elif o in objects:
                return
            else:
                objects[o] = None
        pairs = self.by_p.get(p)
        if pairs is None:
            self.by_p[p] = [(s, o)]
        else:
            pairs.append((s, o))
        self.pos.pop(p, None)

    def _pos(self, p: URIRef) -> dict[Term, dict[Term, None]]:
        """Subjects by object for one predicate, built on first use (most predicates are never asked)."""
        found = self.pos.get(p)
        if found is None:
            found = self.pos[p] = {}
            for s, o in self.by_p.get(p, ()):
                subjects = found.get(o)
                if subjects is None:
                    found[o] = {s: None}
                else:
                    subjects[s] = None
        return found

    def has(self, s: Term, p: URIRef, o: Term) -> bool:
        return o in self.objects(s, p)

    def objects(self, s: Term, p: URIRef) -> Collection[Term]:
        if self.reads is not None:
            self.reads.add(("o", s, p))
        by_p = self.spo.get(s)
        own = by_p.get(p, ()) if by_p else ()
        if self.parent is None:
            return own
        inherited = self.parent.objects(s, p)
        if not inherited:
            return own
        return [*inherited, *own] if own else inherited

    def subjects(self, p: URIRef, o: Term) -> Collection[Term]:
        if self.reads is not None:
            self.reads.add(("s", p, o))
        own = self._pos(p).get(o, ()) if p in self.by_p else ()
        if self.parent is None:
            return own
        inherited = self.parent.subjects(p, o)
        if not inherited:
            return own
        return [*inherited, *own] if own else inherited

    def pairs(self, p: URIRef) -> list[tuple[Term, Term]]:
        """Every (subject, object) of predicate `p`."""
        own = self.by_p.get(p, [])
        return own if self.parent is None else self.parent.pairs(p) + own

    def value(self, s: Term, p: URIRef) -> Term | None:
        return next(iter(self.objects(s, p)), None)

    def triples(self) -> Iterator[Triple]:
        if self.parent is not None:
            yield from self.parent.triples()
        for p, pairs in self.by_p.items():
            for s, o in pairs:
                yield s, p, o  # type: ignore[misc]

    def __len__(self) -> int:
        return sum(len(pairs) for pairs in self.by_p.values()) + (len(self.parent) if self.parent else 0)


# ------------------------------------------------------------------ shapes

Path_ = URIRef | tuple  # a predicate, ("inverse", p) or ("sequence", (path, ...))


@dataclass
class Shape:
    """A node shape (path None) or a property shape, with its constraints already parsed."""

    node: Term
    path: Path_ | None = None
    components: list[tuple[URIRef, object]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    message: str | None = None
    severity: URIRef = field(default_factory=lambda: sh("Violation"))
    deactivated: bool = False
    targets: list[tuple[str, Term]] = field(default_factory=list)
    checks: list | None = None
    """The components as functions (filled by `engine` on first use)."""


@dataclass(frozen=True)
class SparqlConstraint:
    """A SHACL-SPARQL constraint: `$this` becomes `?this`, pre-bound to each focus node."""

    shape: Term
    targets: tuple[URIRef, ...]
    select: str
    """The sh:select text as written in the shapes file (the key of a native evaluator)."""
    prefixes: str
    """`PREFIX` lines from the constraint's sh:prefixes."""
    query: str
    """Prefix declarations + the select, ready for pyoxigraph."""
    message: str


# sh: predicates a shape may carry, by what the compiler does with them.
TARGETS = {"targetClass": "class", "targetNode": "node", "targetSubjectsOf": "subjects", "targetObjectsOf": "objects"}
PARAMETERS = {
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "minLength",
    "maxLength",
    "pattern",
    "languageIn",
    "uniqueLang",
    "in",
    "hasValue",
    "node",
    "or",
    "and",
    "xone",
    "not",
}
ANNOTATIONS = {
    "path",
    "property",
    "message",
    "severity",
    "deactivated",
    "name",
    "description",
    "order",
    "group",
    "defaultValue",
    "flags",
    "sparql",
    "prefixes",
    "declare",
    "prefix",
    "namespace",
    "select",
}


def rdf_list(graph: Index, head: Term) -> list[Term]:
    items = []
    while head != RDF_NIL:
        first = graph.value(head, RDF_FIRST)
        if first is None:
            raise Unsupported(f"lista RDF mal formada en {head}")
        items.append(first)
        head = graph.value(head, RDF_REST)  # type: ignore[assignment]
        if head is None:
            raise Unsupported("lista RDF sin rdf:nil")
    return items


def _path(graph: Index, node: Term) -> Path_:
    if isinstance(node, URIRef):
        return node
    if graph.value(node, RDF_FIRST) is not None:
        return ("sequence", tuple(_path(graph, p) for p in rdf_list(graph, node)))
    inverse = graph.value(node, sh("inversePath"))
    if inverse is not None and isinstance(inverse, URIRef):
        return ("inverse", inverse)
    raise Unsupported(f"ruta SHACL no admitida en {node}")


class Compiler:
    """Shapes graph → `Shape` objects; every shape compiled once, nested ones shared."""

    def __init__(self, graph: Index) -> None:
        self.graph = graph
        self.done: dict[Term, Shape] = {}

    def shape(self, node: Term) -> Shape:
        if node in self.done:
            return self.done[node]
        g = self.graph
        shape = Shape(node)
        self.done[node] = shape  # before recursing: shapes may refer to each other
        for p, _objects in g.spo.get(node, {}).items():
            if not p.startswith(SH):
                continue
            name = p[len(SH) :]
            if name not in PARAMETERS and name not in ANNOTATIONS and name not in TARGETS:
                raise Unsupported(f"sh:{name} (en {node})")
        path = g.value(node, sh("path"))
        shape.path = _path(g, path) if path is not None else None
        messages = sorted(g.objects(node, sh("message")), key=lambda m: (getattr(m, "language", "") != "es", str(m)))
        shape.message = str(messages[0]) if messages else None
        shape.severity = g.value(node, sh("severity")) or sh("Violation")  # type: ignore[assignment]
        shape.deactivated = g.value(node, sh("deactivated")) == Literal(True)
        for name, kind in TARGETS.items():
            shape.targets += [(kind, t) for t in g.objects(node, sh(name))]
        if RDFS_CLASS in g.objects(node, RDF_TYPE):
            shape.targets.append(("class", node))
        for name in sorted(PARAMETERS):
            for value in g.objects(node, sh(name)):
                shape.components.append(
                    (sh(name[0].upper() + name[1:] + "ConstraintComponent"), self.parameter(node, name, value))
                )
        shape.properties = [self.shape(p) for p in g.objects(node, sh("property"))]
        return shape

    def parameter(self, node: Term, name: str, value: Term) -> object:
        g = self.graph
        if name in ("node", "not"):
            return self.shape(value)
        if name in ("or", "and", "xone"):
            return tuple(self.shape(member) for member in rdf_list(g, value))
        if name in ("in", "languageIn"):
            items = rdf_list(g, value)
            return tuple(str(i).lower() for i in items) if name == "languageIn" else frozenset(items)
        if name in ("minCount", "maxCount", "minLength", "maxLength"):
            return int(value)  # type: ignore[arg-type]
        if name == "pattern":
            flags = g.value(node, sh("flags"))
            return re.compile(str(value), re.IGNORECASE if flags is not None and "i" in str(flags).lower() else 0)
        if name == "uniqueLang":
            return value == Literal(True)
        return value


def _prefix_lines(graph: Index, constraint: Term) -> str:
    lines = []
    for ontology in graph.objects(constraint, sh("prefixes")):
        for decl in graph.objects(ontology, sh("declare")):
            lines.append(f"PREFIX {graph.value(decl, sh('prefix'))}: <{graph.value(decl, sh('namespace'))}>")
    return "\n".join(sorted(lines)) + "\n"


def compile_shapes(triples: list[Triple]) -> tuple[list[Shape], tuple[SparqlConstraint, ...]]:
    """Top-level shapes (those with targets) and the SPARQL constraints, from the shapes file's triples."""
    graph = Index(triples)
    compiler = Compiler(graph)
    constraints = []
    for shape_node, by_p in sorted(graph.spo.items(), key=lambda item: str(item[0])):
        for node in sorted(by_p.get(sh("sparql"), ()), key=str):
            if any(graph.value(shape_node, sh(t)) is not None for t in TARGETS if t != "targetClass"):
                raise ValueError(f"{shape_node}: sh:sparql shapes must target by sh:targetClass only")
            select, prefixes = str(graph.value(node, sh("select"))), _prefix_lines(graph, node)
            constraints.append(
                SparqlConstraint(
                    shape=shape_node,
                    targets=tuple(sorted(graph.objects(shape_node, sh("targetClass")), key=str)),  # type: ignore[arg-type]
                    select=select,
                    prefixes=prefixes,
                    query=prefixes + select.replace("$this", "?this"),
                    message=str(graph.value(node, sh("message"))),
                )
            )
    top = [
        compiler.shape(node)
        for node in sorted(graph.spo, key=str)
        if any(graph.value(node, sh(t)) is not None for t in TARGETS)
        or (RDFS_CLASS in graph.objects(node, RDF_TYPE) and graph.value(node, sh("property")) is not None)
    ]
    return top, tuple(constraints)


def read_shapes(path: Path) -> tuple[list[Shape], tuple[SparqlConstraint, ...]]:
    return compile_shapes(parse_turtle(path.read_bytes()))

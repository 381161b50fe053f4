"""The SHACL gate: a package's graph must conform to vocab/formas.ttl before it is written.

Validation is of the package's triples plus the rest of `vocab/` (code lists,
programs, ontology), so a reference to a code the vocabulary lacks is a
violation too. The failure message lists the first violations in plain words
(focus node, property, the shape's Spanish message), because whoever meets it
is running `rendicion build`, not reading a SHACL report.

Most of that graph does not change from one report to the next: the
vocabulary, and the Data Cube structures and measure properties a series'
table descriptions define (every IRI under `…/def/`). Re-validating them for
every report was half of the gate's time. So the gate keeps, per process, a
*base*: those triples indexed, the verdict of every shape on every focus node
in them, and every lookup each verdict made. It is keyed by the content of
the shapes and vocabulary files and by the exact structure triples, so an edit
to any of them makes a new one. For a report, only focus nodes of its own
triples, and base focus nodes whose recorded lookups one of its triples would
answer differently, are evaluated again; every other verdict is reused as is.

Engines (measured on the bundled report; see scripts/benchmark.py):
SHACL Core runs on `engine` (compiled shapes over in-memory indexes, verdict
for verdict what pyshacl reports; tests/graph/test_shacl_engines.py compares
them), the SHACL-SPARQL constraints (`sh:sparql`, the Data Cube integrity
rules) on `cube_sparql`'s native evaluators, or on pyoxigraph with `$this`
pre-bound for a query they do not know. pyshacl is imported only if the shapes
use a feature the compiler lacks (`shacl_reference` then runs the whole gate
the way it ran before). SPARQL shapes must target by `sh:targetClass` (a
different target is refused so a shape is never silently skipped).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, URIRef

from pipelines.errors import ShaclError
from pipelines.graph.cube import Triple
from pipelines.graph.cube_sparql import Row, Unsure, native
from pipelines.graph.engine import Evaluator, Result, instances, targets
from pipelines.graph.namespaces import PREFIXES, VOCAB_BASE, data_base
from pipelines.graph.shapes import Index, Shape, SparqlConstraint, Term, Unsupported, read_shapes
from pipelines.paths import VOCAB_DIR
from pipelines.turtle import parse_turtle

SHAPES = "formas.ttl"
SHOWN = 5
SERIES_PREFIX = VOCAB_BASE + "def/"
"""Subjects of the triples a series' descriptions fix (structures, components, measures): part of the base."""
BASES_KEPT = 4
PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def vocab_files(folder: Path = VOCAB_DIR) -> list[Path]:
    """Every vocabulary file but the shapes, in a fixed order."""
    return sorted(p for p in folder.glob("*.ttl") if p.name != SHAPES)


@dataclass
class Vocabulary:
    """The shapes compiled and the vocabulary parsed, for one content of the vocab folder."""

    key: str
    shapes: list[Shape] | None
    """None: the shapes use something the fast engine lacks (pyshacl validates instead)."""
    constraints: list[tuple[SparqlConstraint, Callable[[Index, Term], list[Row]] | None]]
    triples: list[Triple]


@dataclass
class Base:
    """Vocabulary + a series' structures: indexed, validated, with the lookups each verdict made."""

    index: Index
    triples: frozenset[Triple]
    verdicts: dict[tuple[Term, Term], list[Result]] = field(default_factory=dict)
    reads: dict[tuple[str, Term, Term], list[tuple[Term, Term]]] = field(default_factory=dict)
    read_subjects: set[Term] = field(default_factory=set)
    """Nodes some verdict looked up forwards (subject → objects), whether the base has triples on them or not."""
    inverse_predicates: set[Term] = field(default_factory=set)
    """Predicates some verdict looked up backwards (object → subjects)."""


_vocabularies: dict[str, Vocabulary] = {}
_bases: dict[tuple[str, frozenset[Triple]], Base] = {}


def vocabulary(folder: Path = VOCAB_DIR) -> Vocabulary:
    """This process' compiled copy of `folder`, re-made only when a file's content changes."""
    files = [folder / SHAPES, *vocab_files(folder)]
    contents = [path.read_bytes() for path in files]
    digest = hashlib.sha256()
    for path, content in zip(files, contents):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(content).digest())
    key = digest.hexdigest()
    if key not in _vocabularies:
        triples = [t for content in contents[1:] for t in parse_turtle(content)]
        try:
            shapes, constraints = read_shapes(files[0])
            compiled = [(c, native(c.select, c.prefixes)) for c in constraints]
        except Unsupported:
            shapes, compiled = None, []
        _vocabularies.clear()
        _vocabularies[key] = Vocabulary(key, shapes, compiled, triples)
    return _vocabularies[key]


def _base(vocab: Vocabulary, series: frozenset[Triple]) -> Base:
    """The cached base for these structures, validated once with every lookup recorded."""
    key = (vocab.key, series)
    if key in _bases:
        return _bases[key]
    base = Base(Index([*vocab.triples, *series]), frozenset(vocab.triples) | series)
    assert vocab.shapes is not None
    for shape in vocab.shapes:
        for focus in targets(base.index, shape):
            base.index.reads = set()
            base.verdicts[(shape.node, focus)] = Evaluator(base.index).validate(shape, focus)
            for read in base.index.reads:
                base.reads.setdefault(read, []).append((shape.node, focus))
                if read[0] == "s":
                    base.inverse_predicates.add(read[1])
                else:
                    base.read_subjects.add(read[1])
    base.index.reads = None
    if len(_bases) >= BASES_KEPT:
        _bases.pop(next(iter(_bases)))
    _bases[key] = base
    return base


def core_results(triples: list[Triple], folder: Path = VOCAB_DIR) -> tuple[list[Result], Index]:
    """SHACL Core violations of the package's graph (with the vocabulary), and the graph's index."""
    vocab = vocabulary(folder)
    series = frozenset(t for t in triples if t[0].startswith(SERIES_PREFIX))
    base = _base(vocab, series)
    known = base.triples
    graph = Index((t for t in triples if t not in known), parent=base.index)
    stale: set[tuple[Term, Term]] = set()
    reads, read_subjects = base.reads, base.read_subjects
    for p, pairs in graph.by_p.items():
        inverse = p in base.inverse_predicates
        for s, o in pairs:
            if s in read_subjects:
                stale.update(reads.get(("o", s, p), ()))
            if inverse:
                stale.update(reads.get(("s", p, o), ()))
    evaluator = Evaluator(graph)
    found: list[Result] = []
    assert vocab.shapes is not None
    for shape in vocab.shapes:
        for focus in targets(graph, shape):
            cached = base.verdicts.get((shape.node, focus))
            if cached is not None and (shape.node, focus) not in stale:
                found += cached
            else:
                found += evaluator.validate(shape, focus)
    return found, graph


def _short(node: object, base: str | None = None) -> str:
    """A node as a reader would write it: prefixed name, `datos:` for the package's data, or the value."""
    text = node.value if isinstance(node, (ox.NamedNode, ox.Literal)) else str(node)
    if isinstance(node, (URIRef, ox.NamedNode)):
        for prefix, namespace in [*PREFIXES.items(), ("datos", data_base(base))]:
            if text.startswith(namespace) and len(text) > len(namespace):
                return f"{prefix}:{text[len(namespace) :]}"
        return f"<{text}>"
    return text


def core_line(result: Result, base: str | None = None) -> str:
    where = _short(result.focus, base)
    if isinstance(result.path, URIRef):
        where += f" {_short(result.path, base)}"
    text = f"{where}: {result.message}"
    if result.value is not None and not isinstance(result.value, BNode):
        text += f" (valor: {_short(result.value, base)})"
    return text


def sparql_line(constraint: SparqlConstraint, focus: object, row: dict[str, object], base: str | None = None) -> str:
    def shown(found: re.Match[str]) -> str:
        value = row.get(found.group(1))
        return _short(value, base) if value is not None else "?"

    return f"{_short(focus, base)}: {PLACEHOLDER.sub(shown, constraint.message)}"


def _oxigraph_term(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def oxigraph_rows(store: ox.Store, constraint: SparqlConstraint, focus: Term) -> list[dict[str, object]]:
    """The query's solutions with `?this` pre-bound to `focus`, as SHACL-SPARQL prescribes."""
    this = {ox.Variable("this"): _oxigraph_term(focus)}
    solutions = store.query(constraint.query, substitutions=this)
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    return [{name: solution[name] for name in names} for solution in solutions]  # type: ignore[union-attr]


def sparql_lines(
    graph: Index, constraints: list[tuple[SparqlConstraint, Callable | None]], base: str | None = None
) -> list[str]:
    """Each solution of each SPARQL constraint as a line; pyoxigraph only for what has no native evaluator."""
    store: ox.Store | None = None
    lines = []
    for constraint, evaluate in constraints:
        focus_nodes = sorted({n for cls in constraint.targets for n in instances(graph, cls)}, key=str)
        for focus in focus_nodes:
            rows: list[dict[str, object]] | None = None
            if evaluate is not None:
                try:
                    rows = evaluate(graph, focus)  # type: ignore[assignment]
                except Unsure:
                    rows = None
            if rows is None:
                if store is None:
                    store = ox.Store()
                    store.extend(ox.Quad(*map(_oxigraph_term, t)) for t in graph.triples())  # type: ignore[misc]
                rows = oxigraph_rows(store, constraint, focus)
            lines += [sparql_line(constraint, focus, row, base) for row in rows]
    return lines


def violations(triples: list[Triple], folder: Path = VOCAB_DIR, base: str | None = None) -> list[str]:
    """Each violation as one readable line (the package's own IRIs as `datos:` under `base`), sorted."""
    vocab = vocabulary(folder)
    if vocab.shapes is None:
        from pipelines.graph.shacl_reference import reference_violations

        return reference_violations(triples, folder)
    found, graph = core_results(triples, folder)
    return sorted([core_line(r, base) for r in found] + sparql_lines(graph, vocab.constraints, base))


def check_graph(triples: list[Triple], package: str, folder: Path = VOCAB_DIR, base: str | None = None) -> None:
    """Raise ShaclError naming the first violations if the graph does not conform."""
    found = violations(triples, folder, base)
    if found:
        shown = "\n  - ".join(found[:SHOWN])
        more = f"\n  … y {len(found) - SHOWN} más" if len(found) > SHOWN else ""
        raise ShaclError(
            f"el grafo de {package} no cumple las formas SHACL de vocab/{SHAPES} "
            f"({len(found)} infracciones); no se escribe:\n  - {shown}{more}",
            violations=found,
        )

"""The SHACL gate: a package's graph must conform to vocab/formas.ttl before it is written.

Validation runs on the package's triples plus the rest of `vocab/` (code
lists, programs, ontology), so a reference to a code the vocabulary lacks is a
violation too. The failure message lists the first violations in plain words
(focus node, property, the shape's Spanish message), because whoever meets it
is running `rendicion build`, not reading a SHACL report.

Two engines, one shapes file. pyshacl checks the core constraints. The
SHACL-SPARQL constraints (`sh:sparql`, the Data Cube integrity rules) are run
here on pyoxigraph with `$this` pre-bound to each focus node, exactly as
SHACL-SPARQL prescribes: rdflib's SPARQL engine needs seconds for the
no-duplicate-observations rule on one package, pyoxigraph milliseconds. Such
shapes must target by `sh:targetClass` (the only target kind this runner
implements; a different one is refused so a shape is never silently skipped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH

from pipelines.errors import ReportError
from pipelines.graph.cube import Triple
from pipelines.graph.namespaces import PREFIXES, data_base
from pipelines.graph.serialize import to_oxigraph
from pipelines.paths import VOCAB_DIR

SHAPES = "formas.ttl"
SHOWN = 5


@dataclass(frozen=True)
class SparqlConstraint:
    shape: URIRef
    targets: tuple[URIRef, ...]
    query: str
    message: str


def vocab_files(folder: Path = VOCAB_DIR) -> list[Path]:
    """Every vocabulary file but the shapes, in a fixed order."""
    return sorted(p for p in folder.glob("*.ttl") if p.name != SHAPES)


@lru_cache(maxsize=2)
def _vocab_ntriples(folder: Path) -> str:
    graph = Graph()
    for path in vocab_files(folder):
        graph.parse(path, format="turtle")
    return graph.serialize(format="nt")


def _prefix_lines(shapes: Graph, constraint: BNode) -> str:
    lines = []
    for ontology in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(ontology, SH.declare):
            lines.append(f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>")
    return "\n".join(sorted(lines)) + "\n"


@lru_cache(maxsize=2)
def load_shapes(folder: Path = VOCAB_DIR) -> tuple[Graph, tuple[SparqlConstraint, ...]]:
    """The core shapes (for pyshacl) and the SPARQL constraints (for pyoxigraph)."""
    shapes = Graph().parse(folder / SHAPES, format="turtle")
    constraints = []
    for shape, node in sorted(shapes.subject_objects(SH.sparql)):
        if any(shapes.value(shape, t) is not None for t in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)):
            raise ValueError(f"{shape}: sh:sparql shapes must target by sh:targetClass only")
        constraints.append(SparqlConstraint(
            shape=shape,
            targets=tuple(sorted(shapes.objects(shape, SH.targetClass))),
            query=_prefix_lines(shapes, node) + str(shapes.value(node, SH.select)).replace("$this", "?this"),
            message=str(shapes.value(node, SH.message)),
        ))
        for triple in list(shapes.triples((node, None, None))):
            shapes.remove(triple)
        shapes.remove((shape, SH.sparql, node))
    return shapes, tuple(constraints)


def _short(node: object) -> str:
    """A node as a reader would write it: prefixed name, `datos:` for the package's data, or the value."""
    text = node.value if isinstance(node, (ox.NamedNode, ox.Literal)) else str(node)
    if isinstance(node, (URIRef, ox.NamedNode)):
        for prefix, namespace in [*PREFIXES.items(), ("datos", data_base())]:
            if text.startswith(namespace) and len(text) > len(namespace):
                return f"{prefix}:{text[len(namespace):]}"
        return f"<{text}>"
    return text


def _core_violations(data: Graph, shapes: Graph) -> list[str]:
    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    if conforms:
        return []
    lines = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = str(report.value(result, SH.resultMessage))
        where = _short(report.value(result, SH.focusNode))
        if isinstance(path, URIRef):
            where += f" {_short(path)}"
        text = f"{where}: {message}"
        if value is not None and not isinstance(value, BNode):
            text += f" (valor: {_short(value)})"
        lines.append(text)
    return lines


def _sparql_violations(data: Graph, triples: list[Triple], constraints: tuple[SparqlConstraint, ...],
                       folder: Path) -> list[str]:
    store = ox.Store()
    store.load(_vocab_ntriples(folder), format=ox.RdfFormat.N_TRIPLES)
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in to_oxigraph(triples))
    this = ox.Variable("this")
    lines = []
    for constraint in constraints:
        focus_nodes = sorted({s for cls in constraint.targets for s in data.subjects(RDF.type, cls)})
        for focus in focus_nodes:
            for solution in store.query(constraint.query, substitutions={this: ox.NamedNode(str(focus))}):
                message = re.sub(r"\{[?$](\w+)\}", lambda m: _short(solution[m.group(1)]) if solution[m.group(1)] is not None else '?', constraint.message)
                lines.append(f"{_short(focus)}: {message}")
    return lines


def violations(triples: list[Triple], folder: Path = VOCAB_DIR) -> list[str]:
    """Each violation as one readable line, sorted; empty when the graph conforms."""
    core, constraints = load_shapes(folder)
    data = Graph()
    data.parse(data=_vocab_ntriples(folder), format="nt")
    for triple in triples:
        data.add(triple)
    return sorted(_core_violations(data, core) + _sparql_violations(data, triples, constraints, folder))


def check_graph(triples: list[Triple], package: str, folder: Path = VOCAB_DIR) -> None:
    """Raise ReportError naming the first violations if the graph does not conform."""
    found = violations(triples, folder)
    if found:
        shown = "\n  - ".join(found[:SHOWN])
        more = f"\n  … y {len(found) - SHOWN} más" if len(found) > SHOWN else ""
        raise ReportError(
            f"el grafo de {package} no cumple las formas SHACL de vocab/{SHAPES} "
            f"({len(found)} infracciones); no se escribe:\n  - {shown}{more}"
        )

"""SHACL Core over an `Index`: the fast gate's evaluator, verdict for verdict pyshacl's.

Each constraint component follows pyshacl 0.40's reading of the SHACL spec
(the comparison tests in tests/graph/test_shacl_engines.py hold it to that):
`sh:class` through `rdf:type/rdfs:subClassOf*`, `sh:datatype` refusing
ill-typed literals, `sh:pattern` on the lexical form, `sh:uniqueLang`
case-insensitive, `sh:minInclusive` and friends failing when values do not
compare. Results are reported only for shapes of severity `sh:Violation`
(the gate lists violations, as before). Messages are the shape's
`sh:message`; a shape without one gets a short Spanish description of the
component instead of pyshacl's English.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef

from pipelines.graph.shapes import RDF_TYPE, Index, Path_, Shape, Term, sh

RDFS_SUBCLASS = URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")
RDF_LANGSTRING = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")
XSD = "http://www.w3.org/2001/XMLSchema#"
VIOLATION = sh("Violation")
SH_NS = str(sh(""))
NODE = sh("NodeConstraintComponent")


@dataclass(frozen=True, order=True)
class Result:
    """One validation result, as pyshacl would report it (message aside)."""

    focus: Term
    path: Path_ | None
    value: Term | None
    component: URIRef
    shape: Term
    message: str


def path_values(g: Index, node: Term, path: Path_) -> Collection[Term]:
    """The value nodes of `node` for a predicate, inverse or sequence path (distinct, in lookup order)."""
    if isinstance(path, URIRef):
        return g.objects(node, path)
    kind, inner = path
    if kind == "inverse":
        return g.subjects(inner, node)
    current: list[Term] = [node]
    for step in inner:
        found: dict[Term, None] = {}
        for item in current:
            for value in path_values(g, item, step):
                found[value] = None
        current = list(found)
    return current


def superclasses(g: Index, cls: Term, seen: set | None = None) -> set[Term]:
    """`cls` and everything it is an rdfs:subClassOf of, transitively."""
    seen = set() if seen is None else seen
    if cls not in seen:
        seen.add(cls)
        for parent in g.objects(cls, RDFS_SUBCLASS):
            superclasses(g, parent, seen)
    return seen


def subclasses(g: Index, cls: Term) -> set[Term]:
    found, todo = {cls}, [cls]
    while todo:
        for child in g.subjects(RDFS_SUBCLASS, todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def instances(g: Index, cls: Term) -> dict[Term, None]:
    return {node: None for c in sorted(subclasses(g, cls), key=str) for node in g.subjects(RDF_TYPE, c)}


def targets(g: Index, shape: Shape) -> dict[Term, None]:
    """The shape's focus nodes in `g` (sh:targetClass counts instances of subclasses too)."""
    found: dict[Term, None] = {}
    for kind, value in shape.targets:
        if kind == "class":
            found.update(instances(g, value))
        elif kind == "node":
            found[value] = None
        elif kind == "subjects":
            found.update((s, None) for s, _ in g.pairs(value))  # type: ignore[arg-type]
        else:
            found.update((o, None) for _, o in g.pairs(value))  # type: ignore[arg-type]
    return found


class Evaluator:
    """Evaluates shapes on one graph; `sh:class` answers are memoised unless lookups are being recorded."""

    def __init__(self, g: Index) -> None:
        self.g = g
        self.memo: dict[tuple[Term, Term], bool] | None = None if g.reads is not None else {}

    # ---------------------------------------------------------------- components

    def is_instance(self, value: Term, cls: Term) -> bool:
        if isinstance(value, Literal):
            return False
        key = (value, cls)
        if self.memo is not None and key in self.memo:
            return self.memo[key]
        found = any(t == cls or cls in superclasses(self.g, t) for t in list(self.g.objects(value, RDF_TYPE)))
        if self.memo is not None:
            self.memo[key] = found
        return found

    @staticmethod
    def datatype_ok(value: Term, datatype: URIRef) -> bool:
        if not isinstance(value, Literal):
            return False
        if value.datatype == datatype:
            if getattr(value, "ill_typed", None) is True:
                return False
            return _actual_datatype(value, datatype)
        if datatype == URIRef("http://www.w3.org/2000/01/rdf-schema#Literal"):
            return True
        if datatype == URIRef("http://www.w3.org/2000/01/rdf-schema#Datatype") and value.datatype:
            return True
        if value.datatype is None and value.language is None and datatype == URIRef(XSD + "string"):
            return _actual_datatype(value, datatype)
        if datatype == RDF_LANGSTRING and value.language:
            return _actual_datatype(value, datatype)
        return False

    def failures(self, component: URIRef, parameter: object, focus: Term, values: Collection[Term]) -> list:
        """The value nodes that break one component (None: the focus node as a whole)."""
        return _check(component, parameter)(self, values)

    # ---------------------------------------------------------------- shapes

    def conforms(self, shape: Shape, node: Term) -> bool:
        """Whether `node` conforms to `shape` (used by sh:node, sh:or, sh:and, sh:xone, sh:not)."""
        if shape.deactivated:
            return True
        values = [node] if shape.path is None else path_values(self.g, node, shape.path)
        for _, _, check in _checks(shape):
            if check(self, values):
                return False
        return all(self.conforms(p, v) for p in shape.properties for v in values)

    def validate(self, shape: Shape, focus: Term) -> list[Result]:
        """Every violation `shape` finds on `focus`, its property shapes included."""
        if shape.deactivated:
            return []
        values = [focus] if shape.path is None else path_values(self.g, focus, shape.path)
        found: list[Result] = []
        for component, parameter, check in _checks(shape):
            failing = check(self, values)
            if failing and shape.severity == VIOLATION:
                message = shape.message or default_message(component, parameter)
                found += [Result(focus, shape.path, value, component, shape.node, message) for value in failing]
            if failing and component == NODE:
                # pyshacl nests the value node's own violations under the result (sh:detail);
                # the gate has always listed them too, with their shape's message.
                for value in failing:
                    found += self.validate(parameter, value)  # type: ignore[arg-type]
        for prop in shape.properties:
            for value in values:
                found += self.validate(prop, value)
        return found


Check = Callable[["Evaluator", Collection[Term]], list]


def _check(component: URIRef, parameter: object) -> Check:
    """One component as a function of the value nodes, returning those that break it (None: all of them)."""
    name = component[len(SH_NS) : -len("ConstraintComponent")]
    value_check = VALUE_CHECKS.get(name)
    if value_check is not None:
        return lambda e, values: [v for v in values if not value_check(e, v, parameter)]
    if name == "MinCount":
        return lambda e, values: [None] if len(values) < parameter else []  # type: ignore[operator]
    if name == "MaxCount":
        return lambda e, values: [None] if len(values) > parameter else []  # type: ignore[operator]
    if name == "HasValue":
        return lambda e, values: [] if parameter in values else [None]
    if name == "UniqueLang":
        return lambda e, values: [None for _ in _duplicated_languages(values)] if parameter else []
    raise AssertionError(name)


def _checks(shape: Shape) -> list[tuple[URIRef, object, Check]]:
    """The shape's components as functions, made once per shape."""
    if shape.checks is None:
        shape.checks = [(c, p, _check(c, p)) for c, p in shape.components]
    return shape.checks  # type: ignore[return-value]


def _duplicated_languages(values: Collection[Term]) -> dict[str, None]:
    seen: set[str] = set()
    duplicated: dict[str, None] = {}
    for v in values:
        if isinstance(v, Literal) and v.language:
            lang = str(v.language).lower()
            if lang in seen:
                duplicated[lang] = None
            seen.add(lang)
    return duplicated


def _actual_datatype(value: Literal, datatype: URIRef) -> bool:
    """pyshacl's second check: the Python value rdflib made from the literal has the expected type."""
    from datetime import date, datetime, time
    from decimal import Decimal

    expected = {
        XSD + "integer": int,
        XSD + "float": float,
        XSD + "decimal": Decimal,
        XSD + "boolean": bool,
        XSD + "date": date,
        XSD + "time": time,
        XSD + "dateTime": datetime,
    }
    if datatype in (URIRef(XSD + "string"), RDF_LANGSTRING):
        return isinstance(value.value, (str, bytes))
    kind = expected.get(str(datatype))
    return True if kind is None else isinstance(value.value, kind)


def _compare(value: Term, limit: Literal) -> int | None:
    """pyshacl's literal ordering: -1/0/1, or None when the two cannot be compared."""
    if not isinstance(value, Literal):
        return None
    if isinstance(value.value, str) != isinstance(limit.value, str):
        return None
    try:
        if value.eq(limit):
            return 0
        from datetime import datetime, time

        if value.value.__class__ in (datetime, time):
            return 0 if value.value == limit.value else (1 if value.value > limit.value else -1)
        return 1 if value > limit else -1
    except (TypeError, NotImplementedError):
        return None


def _pattern_text(value: Term) -> str | None:
    if isinstance(value, BNode):
        return None
    if (
        isinstance(value, Literal)
        and value.value is not None
        and value.datatype in (None, RDF_LANGSTRING, URIRef(XSD + "string"))
    ):
        return str(value.value)
    return str(value)


def _language_ok(value: Term, allowed: tuple[str, ...]) -> bool:
    if not isinstance(value, Literal) or not value.language:
        return False
    lang = str(value.language).lower()
    return "*" in allowed or lang in allowed or lang.split("-")[0] in allowed


def _node_kind_ok(value: Term, kind: URIRef) -> bool:
    name = kind[len(sh("")) :]
    if isinstance(value, URIRef):
        return name in ("IRI", "BlankNodeOrIRI", "IRIOrLiteral")
    if isinstance(value, BNode):
        return name in ("BlankNode", "BlankNodeOrIRI", "BlankNodeOrLiteral")
    return name in ("Literal", "BlankNodeOrLiteral", "IRIOrLiteral")


def _length_ok(value: Term, limit: int, longest: bool) -> bool:
    if isinstance(value, BNode):
        return False
    size = len(str(value))
    return size <= limit if longest else size >= limit


VALUE_CHECKS: dict[str, Callable[[Evaluator, Term, object], bool]] = {
    "Class": lambda e, v, p: e.is_instance(v, p),  # type: ignore[arg-type]
    "Datatype": lambda e, v, p: Evaluator.datatype_ok(v, p),  # type: ignore[arg-type]
    "NodeKind": lambda e, v, p: _node_kind_ok(v, p),  # type: ignore[arg-type]
    "MinInclusive": lambda e, v, p: (c := _compare(v, p)) is not None and c >= 0,  # type: ignore[arg-type]
    "MaxInclusive": lambda e, v, p: (c := _compare(v, p)) is not None and c <= 0,  # type: ignore[arg-type]
    "MinExclusive": lambda e, v, p: _compare(v, p) == 1,  # type: ignore[arg-type]
    "MaxExclusive": lambda e, v, p: _compare(v, p) == -1,  # type: ignore[arg-type]
    "MinLength": lambda e, v, p: _length_ok(v, p, longest=False),  # type: ignore[arg-type]
    "MaxLength": lambda e, v, p: _length_ok(v, p, longest=True),  # type: ignore[arg-type]
    "Pattern": lambda e, v, p: (text := _pattern_text(v)) is not None and p.search(text) is not None,  # type: ignore
    "LanguageIn": lambda e, v, p: _language_ok(v, p),  # type: ignore[arg-type]
    "In": lambda e, v, p: v in p,  # type: ignore[operator]
    "Node": lambda e, v, p: e.conforms(p, v),  # type: ignore[arg-type]
    "Not": lambda e, v, p: not e.conforms(p, v),  # type: ignore[arg-type]
    "And": lambda e, v, p: all(e.conforms(s, v) for s in p),  # type: ignore[attr-defined]
    "Or": lambda e, v, p: any(e.conforms(s, v) for s in p),  # type: ignore[attr-defined]
    "Xone": lambda e, v, p: sum(e.conforms(s, v) for s in p) == 1,  # type: ignore[attr-defined]
}

MESSAGES = {
    "MinCount": "tiene menos de {} valores",
    "MaxCount": "tiene más de {} valores",
    "Class": "el valor no es un {}",
    "Datatype": "el valor no es un literal {} válido",
    "NodeKind": "el valor no es de la clase de nodo {}",
    "In": "el valor no está entre los permitidos",
    "HasValue": "falta el valor {}",
    "Node": "el valor no cumple la forma {}",
    "Pattern": "el valor no sigue el patrón {}",
    "LanguageIn": "la etiqueta de idioma no está entre las permitidas",
    "UniqueLang": "hay dos valores en el mismo idioma",
    "Or": "el valor no cumple ninguna de las alternativas",
    "Xone": "el valor no cumple exactamente una alternativa",
}


def default_message(component: URIRef, parameter: object) -> str:
    """A short Spanish description of the broken component, for shapes without sh:message."""
    from pipelines.graph.namespaces import PREFIXES

    name = component[len(SH_NS) : -len("ConstraintComponent")]
    shown = parameter
    if isinstance(parameter, Shape):
        shown = parameter.node
    if isinstance(shown, URIRef):
        shown = next((f"{k}:{shown[len(v) :]}" for k, v in PREFIXES.items() if shown.startswith(v)), f"<{shown}>")
    text = MESSAGES.get(name, "no cumple {}").format(shown)
    return f"{text} (sh:{name[0].lower()}{name[1:]})"


def evaluate(g: Index, shapes: Iterable[Shape], only: Callable[[Shape, Term], bool] | None = None) -> list[Result]:
    """All violations of `shapes` on `g`; `only(shape, focus)` False skips a focus node (cached elsewhere)."""
    evaluator = Evaluator(g)
    found: list[Result] = []
    for shape in shapes:
        for focus in targets(g, shape):
            if only is None or only(shape, focus):
                found += evaluator.validate(shape, focus)
    return found

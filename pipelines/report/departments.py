"""Match printed department names against the department code list in `vocab/`.

The code list (SKOS, with spelling variants as altLabel) is the single source:
the parser, the `departamentos` resource and the graph all read it.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL, SKOS

from pipelines.paths import VOCAB_DIR

CODE_LIST = VOCAB_DIR / "departamentos.ttl"


@dataclass(frozen=True)
class Department:
    codigo: str
    nombre: str
    iso_3166_2: str
    wikidata: str
    variants: tuple[str, ...]


def normalize(name: str) -> str:
    """Case-, accent- and spacing-insensitive key for a name."""
    decomposed = unicodedata.normalize("NFD", name.casefold())
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(bare.split())


@lru_cache(maxsize=4)
def load_departments(path: Path = CODE_LIST) -> tuple[Department, ...]:
    """All departments, ordered by INE code."""
    graph = Graph().parse(path, format="turtle")
    iso = next(p for p in set(graph.predicates()) if str(p).endswith("#iso31662"))
    departments = []
    for concept in graph.subjects(SKOS.notation, None):
        departments.append(
            Department(
                codigo=str(graph.value(concept, SKOS.notation)),
                nombre=str(graph.value(concept, SKOS.prefLabel)),
                iso_3166_2=str(graph.value(concept, iso)),
                wikidata=str(graph.value(concept, OWL.sameAs)),
                variants=tuple(sorted(str(v) for v in graph.objects(concept, SKOS.altLabel))),
            )
        )
    return tuple(sorted(departments, key=lambda d: d.codigo))


@lru_cache(maxsize=4)
def _index(path: Path = CODE_LIST) -> dict[str, Department]:
    index: dict[str, Department] = {}
    for dep in load_departments(path):
        for label in (dep.nombre, *dep.variants):
            index[normalize(label)] = dep
    return index


def match_department(name: str) -> Department | None:
    """The department a printed name refers to, or None."""
    return _index().get(normalize(name))


def closest_department(name: str) -> str | None:
    """The known name closest to a misspelt one, for the error message."""
    index = _index()
    found = difflib.get_close_matches(normalize(name), list(index), n=1, cutoff=0.5)
    return index[found[0]].nombre if found else None

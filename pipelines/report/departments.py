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

from rdflib.namespace import OWL, SKOS

from pipelines.paths import VOCAB_DIR
from pipelines.turtle import read_turtle

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
    about: dict[str, dict[str, list[str]]] = {}
    for s, p, o in read_turtle(path):
        about.setdefault(str(s), {}).setdefault(str(p), []).append(str(o))
    iso = next(p for facts in about.values() for p in facts if p.endswith("#iso31662"))

    def one(facts: dict[str, list[str]], predicate: str) -> str:
        return facts.get(predicate, ["None"])[0]

    departments = [
        Department(
            codigo=one(facts, str(SKOS.notation)),
            nombre=one(facts, str(SKOS.prefLabel)),
            iso_3166_2=one(facts, iso),
            wikidata=one(facts, str(OWL.sameAs)),
            variants=tuple(sorted(facts.get(str(SKOS.altLabel), []))),
        )
        for facts in about.values()
        if str(SKOS.notation) in facts
    ]
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

"""The on-disk SPARQL store, one named graph per package, loaded one package at a time.

Layout (what a query sees):

- each package's graph (`grafo.ttl`) is the named graph whose IRI is the
  package's own IRI (`<base>paquete/<package name>`, as `pipelines.graph`
  mints it and the graph itself declares as its `dcat:Dataset`);
- each vocabulary file is the named graph `VOCAB_GRAPHS + <file name>`
  (e.g. https://w3id.org/rendicion-abierta/vocab/formas.ttl);
- the default graph is the RDF merge of all of them: each triple once, however
  many packages repeat it (code lists, structures, measures). Queries without
  `GRAPH` (the cookbook, `rendicion serve`, `rendicion query`) read it as they
  always did; `GRAPH <package IRI> { … }` reads one package.

Why a materialised merge and not Oxigraph's "union default graph": Oxigraph
0.5 does not deduplicate that union (oxigraph/oxigraph#1919, fixed by #1920
for 0.6): a label repeated by two packages matched twice, and five of the six
cookbook queries returned duplicated rows over two packages.

`load_package` replaces one package's named graph: its triples that no other
graph holds leave the default graph, the named graph is cleared and loaded
again, and its triples join the default graph. Every other package is left
untouched, so a partition's run costs the same with 2 or 200 periods loaded.
The three steps are not one transaction; each is idempotent, so re-running
the partition after a crash repairs the store. `rebuild_store` builds it all
in a scratch folder and swaps it in (first run, or a store written by the
default-graph-only `load_store`), and compacts it (`Store.optimize`, RocksDB's
full compaction) before the swap: measured over 200 periods, every cookbook
query ran 2–3× faster on the compacted store (beneficiarios-por-departamento
1.43 s → 0.64 s in-process; 4 s more to load; the folder grows 348 → 619 MB).
`load_package` compacts only every `COMPACT_EVERY` loads (counted in the
layout graph): at 200 periods a compaction takes ~4 s, too much for every
partition's run, and a store left uncompacted drifts back to the 2–3× slower
reads. Between two compactions a store kept by Dagster is as fast as the last
one left it plus the packages loaded since.

One process at a time may open the store for writing (RocksDB lock); a writer
that finds it locked waits (`LOCK_WAIT_S`). Dagster also runs the store asset
in the `oxigraph` pool (limit 1, dagster.yaml), so two runs never race for it.
"""

from __future__ import annotations

import dataclasses
import gc
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from pipelines.errors import ReportError
from pipelines.sparql.query import vocabulary

VOCAB_GRAPHS = "https://w3id.org/rendicion-abierta/vocab/"
"""Prefix of the vocabulary files' named graphs: + the file name under vocab/."""
LAYOUT_GRAPH = ox.NamedNode("https://w3id.org/rendicion-abierta/almacen")
"""A named graph holding one triple that says the store follows this layout."""
LAYOUT = ox.Quad(
    LAYOUT_GRAPH,
    ox.NamedNode("http://purl.org/dc/terms/conformsTo"),
    ox.NamedNode("https://w3id.org/rendicion-abierta/almacen/grafos-con-nombre-1"),
    LAYOUT_GRAPH,
)
LOADS = ox.NamedNode("https://w3id.org/rendicion-abierta/almacen/cargasSinCompactar")
"""Predicate of the layout graph's count of packages loaded since the store was last compacted."""
COMPACT_EVERY = 20
"""Packages loaded one at a time between two compactions (`Store.optimize`)."""
DCAT_DATASET = ox.NamedNode("http://www.w3.org/ns/dcat#Dataset")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LOCK_WAIT_S = 120.0


@dataclass(frozen=True)
class Loaded:
    """What one load did, as the Dagster asset reports it."""

    graph: str
    """The package's named graph IRI (the package's IRI)."""
    triples: int
    """Triples in that named graph."""
    total: int | None
    """Triples in the default graph (the merge of every loaded graph); counted on a rebuild only,
    since counting is linear in the store's size (0.3 s at 200 packages)."""
    packages: int
    """Package named graphs in the store."""
    seconds: float
    rebuilt: bool = False
    compacted: bool = False
    """This load also compacted the store (every `COMPACT_EVERY` loads, and on a rebuild)."""


def package_graph_iri(path: Path) -> str:
    """The IRI of the package whose graph `path` is: the `dcat:Dataset` named `…/paquete/<folder name>`."""
    suffix = f"/paquete/{path.parent.name}"
    try:
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if (
                triple.predicate == RDF_TYPE
                and triple.object == DCAT_DATASET
                and isinstance(triple.subject, ox.NamedNode)
                and triple.subject.value.endswith(suffix)
            ):
                return triple.subject.value
    except (OSError, SyntaxError, ValueError) as error:
        raise ReportError(f"no se puede leer el grafo: {error}", report=str(path)) from None
    raise ReportError(f"el grafo no declara el paquete …{suffix} como dcat:Dataset", report=str(path))


def vocab_graph_iri(path: Path) -> str:
    return VOCAB_GRAPHS + path.name


@contextmanager
def open_store(location: Path, wait_s: float = LOCK_WAIT_S) -> Iterator[ox.Store]:
    """The store for writing, waiting while another process holds its lock; closed (and flushed) after."""
    location.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            store = ox.Store(str(location))
            break
        except OSError as error:
            held = "lock" in str(error).lower() and "current process" not in str(error)
            if not held or time.monotonic() > deadline:
                raise ReportError(f"no se puede abrir el almacén {location}: {error}") from None
            time.sleep(0.2)
    try:
        yield store
        store.flush()
    finally:
        del store
        gc.collect()  # the RocksDB lock goes with the last reference


def _count(store: ox.Store, graph: ox.NamedNode | None = None) -> int:
    pattern = f"GRAPH <{graph.value}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    solution = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")))
    return int(solution["n"].value)


def _quads(path: Path, graph: ox.NamedNode) -> Iterator[ox.Quad]:
    """Each triple of the file twice: in its named graph and in the default graph (same blank nodes)."""
    try:
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.from_extension(path.suffix.lstrip("."))):
            yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)
            yield ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph())
    except (OSError, SyntaxError, ValueError) as error:
        raise ReportError(f"no se puede cargar el grafo: {error}", report=str(path)) from None


def replace_graph(store: ox.Store, graph: ox.NamedNode, path: Path) -> None:
    """Clear `graph` and load `path` into it, keeping the default graph the merge of all named graphs."""
    quads = list(_quads(path, graph))  # parsed before anything is removed: a broken file changes nothing
    iri = graph.value
    store.update(f"""DELETE {{ ?s ?p ?o }} WHERE {{
        GRAPH <{iri}> {{ ?s ?p ?o }}
        FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other != <{iri}>) }}
    }}; CLEAR SILENT GRAPH <{iri}>""")
    store.extend(quads)


def _package_graphs(store: ox.Store) -> int:
    return sum(1 for g in store.named_graphs() if isinstance(g, ox.NamedNode) and "/paquete/" in g.value)


def _load_vocabulary(store: ox.Store, vocab: list[Path]) -> None:
    for path in vocab:
        replace_graph(store, ox.NamedNode(vocab_graph_iri(path)), path)


def _summary(store: ox.Store, iri: str, started: float, rebuilt: bool = False) -> Loaded:
    graph = ox.NamedNode(iri) if iri else None
    return Loaded(
        iri,
        _count(store, graph) if graph else 0,
        _count(store) if rebuilt else None,
        _package_graphs(store),
        time.perf_counter() - started,
        rebuilt,
    )


def load_package(
    graph_path: Path,
    location: Path,
    every_package: Callable[[], list[Path]] | None = None,
    vocab: list[Path] | None = None,
) -> Loaded:
    """Replace one package's named graph (and refresh the vocabulary's); every other graph stays as it was.

    A store without this layout (written by the default-graph-only `load_store`) is
    rebuilt instead, once, from `every_package` and `graph_path`.
    """
    started = time.perf_counter()
    vocab = vocabulary() if vocab is None else vocab
    iri = package_graph_iri(graph_path)
    loaded = _replace_package(location, iri, graph_path, vocab, started)
    if loaded is not None:
        return loaded
    rebuild_store(sorted({*(every_package() if every_package else []), graph_path}), location, vocab)
    return _summarise(location, iri, started)


def _replace_package(location: Path, iri: str, graph_path: Path, vocab: list[Path], started: float) -> Loaded | None:
    """The replacement in a store with this layout (or an empty one); None if the store needs a rebuild.
    (Its own function so the store object is gone, and its lock released, when it returns.)"""
    with open_store(location) as store:
        if LAYOUT not in store and next(iter(store), None) is not None:
            return None
        store.add(LAYOUT)
        _load_vocabulary(store, vocab)
        replace_graph(store, ox.NamedNode(iri), graph_path)
        compacted = _count_load(store)
        return dataclasses.replace(_summary(store, iri, started), compacted=compacted)


def _count_load(store: ox.Store) -> bool:
    """One more package loaded since the last compaction; compact at `COMPACT_EVERY` (True: it did)."""
    subject = LAYOUT.subject
    found = [q.object.value for q in store.quads_for_pattern(subject, LOADS, None, LAYOUT_GRAPH)]
    loads = (int(found[0]) if found and found[0].isdigit() else 0) + 1
    for q in list(store.quads_for_pattern(subject, LOADS, None, LAYOUT_GRAPH)):
        store.remove(q)
    compact = loads >= COMPACT_EVERY
    store.add(ox.Quad(subject, LOADS, ox.Literal(str(0 if compact else loads)), LAYOUT_GRAPH))
    if compact:
        store.optimize()
    return compact


def _summarise(location: Path, iri: str, started: float) -> Loaded:
    with open_store(location) as store:
        return _summary(store, iri, started, rebuilt=True)


def rebuild_store(graph_paths: list[Path], location: Path, vocab: list[Path] | None = None) -> Loaded:
    """Build the whole store (this layout) in a scratch folder and swap it in; a failed build changes nothing."""
    started = time.perf_counter()
    vocab = vocabulary() if vocab is None else vocab
    location.parent.mkdir(parents=True, exist_ok=True)
    scratch = location.with_name(location.name + ".nuevo")
    shutil.rmtree(scratch, ignore_errors=True)
    named = [(vocab_graph_iri(p), p) for p in vocab] + [(package_graph_iri(p), p) for p in graph_paths]
    summary = _bulk(scratch, named, started)
    old = location.with_name(location.name + ".viejo")
    shutil.rmtree(old, ignore_errors=True)
    if location.exists():
        location.rename(old)
    scratch.rename(location)
    shutil.rmtree(old, ignore_errors=True)
    return summary


def _bulk(location: Path, named: list[tuple[str, Path]], started: float) -> Loaded:
    """Load every file into its named graph and the default graph; the store is closed on return."""
    with open_store(location) as store:
        store.add(LAYOUT)
        store.bulk_extend(q for iri, path in named for q in _quads(path, ox.NamedNode(iri)))
        store.optimize()  # bulk loading leaves many overlapping files: reads are 2–3× faster compacted
        return _summary(store, "", started, rebuilt=True)

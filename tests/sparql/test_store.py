"""The on-disk store: rebuilt whole by load_store, or one package's named graph at a time by load_package."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pyoxigraph as ox

import pipelines.sparql.store as store_module
from pipelines.paths import QUERIES_DIR
from pipelines.sparql import load_store, run_query
from pipelines.sparql.query import execute, vocabulary
from pipelines.sparql.store import LAYOUT, load_package, package_graph_iri, rebuild_store, vocab_graph_iri

HOGARES = "/hogares-comunitarios/"


def test_store_is_replaced_not_appended_to(graphs: list[Path], tmp_path: Path) -> None:
    """`rendicion serve` rebuilds in Dagster's layout, so serving never forces Dagster to rebuild."""
    location = tmp_path / "store"
    both = load_store(graphs, location)
    again = load_store(graphs, location)
    one = load_store(graphs[:1], location)
    assert both == again  # a refresh does not duplicate
    assert 0 < one < both  # and drops what is no longer given
    store = ox.Store.read_only(str(location))
    assert len(triples(store, ox.DefaultGraph())) == one  # the merge; each package is also its own named graph
    assert {g.value for g in store.named_graphs()} >= {package_graph_iri(graphs[0])}
    periods = {
        s["p"].value
        for s in store.query(
            "SELECT DISTINCT ?p WHERE { ?o <http://purl.org/linked-data/sdmx/2009/dimension#refPeriod> ?p }"
        )
    }
    assert periods == {"https://w3id.org/rendicion-abierta/codigo/periodo/2021-C1"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # no scratch folders left behind


def triples(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> set[tuple]:
    return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)}


def without_hogares(graph: Path, root: Path) -> Path:
    """The same package's graph, re-materialised without one table's observations (fewer triples)."""
    folder = root / graph.parent.name
    folder.mkdir(parents=True)
    kept = [t for t in ox.parse(path=str(graph), format=ox.RdfFormat.TURTLE) if HOGARES not in str(t.subject)]
    (folder / graph.name).write_bytes(ox.serialize(kept, format=ox.RdfFormat.TURTLE))
    return folder / graph.name


def test_each_package_is_its_own_named_graph_and_reloading_one_leaves_the_other(
    graphs: list[Path], tmp_path: Path
) -> None:
    location = tmp_path / "store"
    first, second = (load_package(g, location) for g in graphs)
    assert not first.rebuilt and not second.rebuilt and second.packages == 2
    iris = [package_graph_iri(g) for g in graphs]
    assert iris == [f"https://w3id.org/rendicion-abierta/paquete/{g.parent.name}" for g in graphs]
    with_store = ox.Store.read_only(str(location))
    names = {g.value for g in with_store.named_graphs()}
    assert set(iris) <= names and {vocab_graph_iri(v) for v in vocabulary()} <= names
    untouched = triples(with_store, ox.NamedNode(iris[0]))
    assert len(untouched) == first.triples
    del with_store

    changed = without_hogares(graphs[1], tmp_path / "cambiado")
    again = load_package(changed, location)
    assert again.graph == iris[1] and again.triples < second.triples

    store = ox.Store.read_only(str(location))
    assert triples(store, ox.NamedNode(iris[0])) == untouched  # the other period's graph as it was
    assert len(triples(store, ox.NamedNode(iris[1]))) == again.triples
    # The default graph is the merge of the named graphs: each triple once, nothing left of the old version.
    merged = set().union(*(triples(store, g) for g in store.named_graphs() if g != LAYOUT.graph_name))
    assert triples(store, ox.DefaultGraph()) == merged
    query = (QUERIES_DIR / "beneficiarios-por-departamento.rq").read_text(encoding="utf-8")
    assert store.query(query).serialize(format=ox.QueryResultsFormat.CSV) == run_query(query, [graphs[0], changed])


def test_a_store_of_the_old_layout_is_rebuilt_once_into_named_graphs(graphs: list[Path], tmp_path: Path) -> None:
    location = tmp_path / "store"
    old = ox.Store(str(location))  # as the first releases wrote it: everything in the default graph
    for path in graphs:
        old.load(path=str(path), format=ox.RdfFormat.TURTLE)
    old.flush()
    del old
    loaded = load_package(graphs[1], location, every_package=lambda: list(graphs))
    assert loaded.rebuilt and loaded.packages == 2 and loaded.total is not None
    assert not load_package(graphs[1], location).rebuilt


def many_packages(graph: Path, root: Path, count: int) -> list[Path]:
    """`count` packages of other periods: the bundled graph under other package names."""
    text = graph.read_text(encoding="utf-8")
    name = graph.parent.name
    paths = []
    for number in range(count):
        other = f"{name.rsplit('-', 2)[0]}-{1900 + number // 3}-{number % 3 + 1}"
        folder = root / other
        folder.mkdir(parents=True)
        (folder / graph.name).write_text(text.replace(name, other), encoding="utf-8")
        paths.append(folder / graph.name)
    return paths


def test_loading_one_more_period_into_a_store_with_many(graphs: list[Path], tmp_path: Path) -> None:
    """Benchmark-style: the figures are printed, not asserted (machines differ)."""
    count = 50
    packages = many_packages(graphs[0], tmp_path / "paquetes", count)
    location = tmp_path / "store"
    rebuilt = rebuild_store(packages, location)
    started = time.perf_counter()
    reloaded = load_store(packages, tmp_path / "recarga")
    reload_s = time.perf_counter() - started
    one_more = load_package(graphs[1], location)
    replaced = load_package(graphs[1], location)
    assert one_more.packages == count + 1 and replaced.packages == count + 1
    print(
        f"\n{count} paquetes ({reloaded} tripletas): recargar todo (load_store) {reload_s:.2f} s; "
        f"reconstruir con grafos con nombre {rebuilt.seconds:.2f} s; un período más {one_more.seconds:.2f} s; "
        f"reemplazar ese período {replaced.seconds:.2f} s"
    )
    shutil.rmtree(tmp_path / "recarga")


def test_loading_one_package_at_a_time_compacts_every_so_many_loads(
    graphs: list[Path], tmp_path: Path, monkeypatch
) -> None:
    """A store Dagster keeps does not drift into the uncompacted, 2–3× slower layout for good."""
    monkeypatch.setattr(store_module, "COMPACT_EVERY", 3)
    location = tmp_path / "store"
    loads = [load_package(graphs[i % 2], location) for i in range(7)]
    assert [loaded.compacted for loaded in loads] == [False, False, True, False, False, True, False]
    store = ox.Store.read_only(str(location))
    counts = [q.object.value for q in store.quads_for_pattern(None, store_module.LOADS, None, None)]
    assert counts == ["1"]  # one load since the last compaction, in the layout's graph only
    assert not list(store.quads_for_pattern(None, store_module.LOADS, None, ox.DefaultGraph()))
    text = (QUERIES_DIR / "ejecucion-por-actividad.rq").read_text(encoding="utf-8")
    assert execute(store, text, "csv").body == run_query(text, graphs)  # compacting changes no answer

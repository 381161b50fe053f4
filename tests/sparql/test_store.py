"""load_store builds (and rebuilds) the endpoint's on-disk store from the graphs and the vocabulary."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from pipelines.sparql import load_store


def test_store_is_replaced_not_appended_to(graphs: list[Path], tmp_path: Path) -> None:
    location = tmp_path / "store"
    both = load_store(graphs, location)
    again = load_store(graphs, location)
    one = load_store(graphs[:1], location)
    assert both == again  # a refresh does not duplicate
    assert 0 < one < both  # and drops what is no longer given
    store = ox.Store.read_only(str(location))
    assert len(store) == one
    periods = {s["p"].value for s in store.query(
        "SELECT DISTINCT ?p WHERE { ?o <http://purl.org/linked-data/sdmx/2009/dimension#refPeriod> ?p }")}
    assert periods == {"https://w3id.org/rendicion-abierta/codigo/periodo/2021-C1"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # no scratch folders left behind

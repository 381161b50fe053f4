"""Speed and memory figures for the pipeline's stages (printed, never asserted).

Run with `make benchmark`. Figures depend on the machine; compare runs on the same one.
"""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

from pipelines.build import write_package
from pipelines.graph import build_triples
from pipelines.sparql import load_store, run_query
from pipelines.paths import REPORTS_DIR
from pipelines.report.text import load_report
from pipelines.tables.parse import parse_report

QUERIES = Path(__file__).resolve().parent.parent / "queries"
REPORT = REPORTS_DIR / "sosep-2021-cuatrimestre-1.txt"


def timed(label: str, action: Callable[[], object], repeat: int = 5) -> float:
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    print(f"{label:<55} {median * 1000:9.1f} ms (mediana de {repeat})")
    return median


def _graphs(reports: list[Path], out: Path) -> list[Path]:
    """Build full packages (graph included) for the variant reports; their grafo.ttl paths."""
    return [write_package(parse_report(load_report(p)), out) / "grafo.ttl" for p in reports]


def main() -> None:
    print(f"informe: {REPORT.name}")
    parse_report(load_report(REPORT))  # warm caches (code list, specs)
    timed("leer + analizar el informe", lambda: parse_report(load_report(REPORT)))
    parsed = parse_report(load_report(REPORT))
    with tempfile.TemporaryDirectory() as tmp:
        timed("escribir + validar el paquete (con grafo)", lambda: write_package(parsed, Path(tmp)), repeat=3)
        for count in (10, 40):
            reports = []
            for index in range(count):
                year = 2021 + index // 3
                months = ("enero–abril", "mayo–agosto", "septiembre–diciembre")[index % 3]
                text = REPORT.read_text(encoding="utf-8").replace("enero–abril de 2021", f"{months} de {year}")
                path = Path(tmp) / f"r{index}.txt"
                path.write_text(text.replace("enero-abril de 2021", f"{months} de {year}"), encoding="utf-8")
                reports.append(path)
            per = timed(f"analizar {count} informes", lambda: [parse_report(load_report(p)) for p in reports],
                        repeat=3) / count
            print(f"{'':<55} {per * 1000:9.1f} ms por informe")
        graphs = _graphs(reports, Path(tmp) / "paquetes")
        for count in (10, 40):
            some = [parse_report(load_report(p)) for p in reports[:count]]
            per = timed(f"construir las tripletas de {count} grafos", lambda: [build_triples(p) for p in some],
                        repeat=3) / count
            print(f"{'':<55} {per * 1000:9.1f} ms por grafo")
            store = Path(tmp) / f"almacen-{count}"
            triples = load_store(graphs[:count], store)
            timed(f"cargar {count} grafos en Oxigraph ({triples:,} tripletas)",
                  lambda: load_store(graphs[:count], store), repeat=3)
            query = (QUERIES / "beneficiarios-por-departamento.rq").read_text(encoding="utf-8")
            timed(f"consulta del recetario sobre {count} períodos (en memoria)",
                  lambda: run_query(query, graphs[:count]), repeat=3)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'memoria máxima del proceso':<55} {peak:9.1f} MB")


if __name__ == "__main__":
    main()

"""Speed and memory figures for `rendicion build` (printed, never asserted).

Run with `make benchmark` (`python scripts/benchmark.py --muestra 3000` for the full backlog,
`--partes 4,5` for some parts only).
Five parts:

1. one report, whole process: `rendicion build` of the bundled report against
   the bare import of the libraries it stands on (the goal is ≤ 1.5×);
2. the stages of one report, warm, with the SHACL engines side by side (pyshacl
   + pyoxigraph as the gate ran before, the fast path now);
3. the backlog: report-sized inputs made from the bundled report with other
   figures and periods, built with `rendicion build --jobs N` in one command;
   reports/s, the projection for 3,000 (when a sample is run, it says so) and
   the peak memory of all its processes together;
4. the SPARQL endpoint over many periods (graphs made from the bundled one by
   rewriting its period IRIs): dereferencing an IRI (p50, p95; the goal is
   p50 ≤ 20 ms), every cookbook recipe over HTTP (p50; the goal is ≤ 100 ms; the
   recipes that miss it are named) twice: on a server started without a result
   cache (every repetition evaluated again) and as served (the workers' cache
   answers the repetitions), `rendicion query` on the on-disk store against
   reloading every graph, and the endpoint's peak memory (RSS summed over its
   processes, an upper bound, and PSS) while the recipes run and while a runaway
   query meets its limits;
5. publishing on CKAN (the tests' portal): a cold publish with files and metadata only against one
   with the DataStore tables, views and series datasets (the goal is ≤ 2×), and a no-op republish
   (the goal is ≤ 1 s and no write call).

Figures depend on the machine and on what else runs on it; compare runs on the same one.
Times are medians; CPU is user + system time of the process (and its children).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.paths import QUERIES_DIR, REPORTS_DIR  # noqa: E402

REPORT = REPORTS_DIR / "sosep-2021-cuatrimestre-1.txt"
BARE_IMPORT = "import frictionless, rdflib, pyoxigraph, pyshacl, ckanapi"
BACKLOG = 3000
GOAL_SECONDS, GOAL_MB, GOAL_RATIO = 300.0, 2048.0, 1.5
GOAL_PUBLISH_RATIO, GOAL_NOOP_SECONDS = 2.0, 1.0


def line(label: str, value: str) -> None:
    print(f"  {label:<58} {value}")


def run_measured(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"falló: {' '.join(command)}: {child.stderr.read().decode() if child.stderr else ''}")
    return wall, usage.ru_utime + usage.ru_stime


def one_report(repeat: int) -> None:
    print("1. Un informe, proceso completo (mediana de", repeat, "corridas alternadas)")
    rendicion = str(Path(sys.executable).with_name("rendicion"))
    bare: list[tuple[float, float]] = []
    build: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        run_measured([rendicion, "build", str(REPORT), "--out", tmp])  # warm the file cache
        for _ in range(repeat):
            bare.append(run_measured([sys.executable, "-c", BARE_IMPORT]))
            build.append(run_measured([rendicion, "build", str(REPORT), "--out", tmp]))
    for kind, index in (("reloj", 0), ("CPU", 1)):
        b = statistics.median(x[index] for x in bare)
        r = statistics.median(x[index] for x in build)
        line(f"importar frictionless, rdflib, pyoxigraph, pyshacl, ckanapi ({kind})", f"{b * 1000:7.0f} ms")
        line(f"rendicion build del informe incluido ({kind})", f"{r * 1000:7.0f} ms")
        line(f"razón ({kind}; objetivo ≤ {GOAL_RATIO}×)", f"{r / b:7.2f} ×")


def timed(label: str, action: Callable[[], object], repeat: int = 5) -> float:
    seconds = []
    for _ in range(repeat):
        start = time.process_time()
        action()
        seconds.append(time.process_time() - start)
    median = statistics.median(seconds)
    line(label, f"{median * 1000:7.1f} ms CPU (mediana de {repeat})")
    return median


def stages() -> None:
    from frictionless import validate

    from pipelines.build import write_package
    from pipelines.graph import shacl
    from pipelines.graph.serialize import jsonld, to_oxigraph, turtle
    from pipelines.graph.shacl_reference import oxigraph_sparql_lines, pyshacl_results
    from pipelines.graph.write import build_triples
    from pipelines.package.validate import UTF8, validate_package
    from pipelines.report.text import load_report
    from pipelines.tables.parse import parse_report

    print("2. Etapas de un informe (en caliente, CPU del proceso)")
    parsed = parse_report(load_report(REPORT))
    timed("leer + analizar el informe", lambda: parse_report(load_report(REPORT)))
    triples = build_triples(parsed)
    timed(f"construir las tripletas ({len(triples):,})", lambda: build_triples(parsed))

    def cold_gate() -> None:
        shacl._vocabularies.clear()
        shacl._bases.clear()
        shacl.violations(triples)

    timed("SHACL antes: pyshacl, núcleo (todo el vocabulario)", lambda: pyshacl_results(triples), repeat=3)
    timed("SHACL antes: SHACL-SPARQL en pyoxigraph por nodo foco", lambda: oxigraph_sparql_lines(triples), repeat=3)
    timed("SHACL ahora, primer informe (formas + vocabulario + estructuras)", cold_gate)
    shacl.violations(triples)
    timed("SHACL ahora, informe siguiente (núcleo + SPARQL nativo)", lambda: shacl.violations(triples))
    _, graph = shacl.core_results(triples)
    timed("  de ello: núcleo (solo lo que el informe cambia)", lambda: shacl.core_results(triples))
    timed(
        "  de ello: las 5 restricciones SHACL-SPARQL, nativas",
        lambda: shacl.sparql_lines(graph, shacl.vocabulary().constraints),
    )
    ordered = to_oxigraph(triples)
    timed("ordenar + Turtle + JSON-LD", lambda: (turtle(o := to_oxigraph(triples)), jsonld(o, "https://x/")))
    del ordered
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_package(parsed, Path(tmp))
        timed(
            "Frictionless antes: frictionless.validate del paquete",
            lambda: validate(str(folder / "datapackage.json"), detector=UTF8),
        )
        timed(
            "Frictionless ahora: perfil + lectores de celdas, esquemas compilados",
            lambda: validate_package(folder, REPORT.name),
        )
        timed("escribir + validar el paquete completo (con grafo)", lambda: write_package(parsed, Path(tmp)))


def _publish_copy(root: Path, name: str) -> Path:
    """The bundled package under another name (its dataset on the portal is named after it), as the tests do."""
    import json
    import shutil

    from pipelines.paths import DATAPACKAGES_DIR

    target = root / name
    shutil.copytree(DATAPACKAGES_DIR / "sosep-informe-cuatrimestral-2021-1", target)
    descriptor = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["name"] = name
    (target / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    return target


def publish_speed(repeat: int) -> None:
    """Cold publish of the bundled package without and with its DataStore tables, then a no-op republish.

    Runs against the tests' own portal (tests/portal/instance.py: database ckan_rendicion_pruebas,
    127.0.0.1:5001, started by portal/start.sh as the tests start it; left running, like the tests
    leave it), with datasets named `benchmark-…` and series prefixes of their own, purged at the end:
    the developer's portal and its `sosep-serie-*` are never touched.
    """
    import json
    import uuid

    import requests

    from pipelines.publish import publish_package
    from pipelines.publish.views import series_tables
    from tests.portal import instance

    print(f"5. Publicación en CKAN (portal de pruebas {instance.URL}; mediana de {repeat} publicaciones en frío)")
    started = instance.start(timeout=1800)
    if started.returncode != 0:
        raise SystemExit(f"portal/start.sh falló: {started.stderr[-2000:]}")
    token = instance.TOKEN_FILE.read_text(encoding="utf-8").strip()
    quiet = {"log": lambda _line: None, "retries": 2, "backoff": 0.5}
    created: list[str] = []

    def fresh(root: Path) -> tuple[Path, str]:
        name, prefix = f"benchmark-{uuid.uuid4().hex[:10]}", f"benchmark-{uuid.uuid4().hex[:8]}"
        folder = _publish_copy(root, name)
        created.append(name)
        return folder, prefix

    def cold(root: Path, datastore: bool) -> tuple[float, Path, str, object]:
        folder, prefix = fresh(root)
        start = time.perf_counter()
        result = publish_package(folder, instance.URL, token, series_prefix=prefix, datastore=datastore, **quiet)
        seconds = time.perf_counter() - start
        if datastore:
            descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
            created.extend(f"{prefix}-serie-{table}" for table in sorted(series_tables(descriptor)))
        return seconds, folder, prefix, result

    try:
        with tempfile.TemporaryDirectory() as tmp:
            cold(Path(tmp), datastore=True)  # warm-up: organization, groups, the portal's caches (not measured)
            base, full, noop, writes, calls = [], [], [], [], []
            for _ in range(repeat):  # alternated, so a neighbour's load weighs on both alike
                base.append(cold(Path(tmp), datastore=False)[0])
                seconds, folder, prefix, result = cold(Path(tmp), datastore=True)
                full.append(seconds)
                calls.append(result.api_calls)
                start = time.perf_counter()
                again = publish_package(folder, instance.URL, token, series_prefix=prefix, **quiet)
                noop.append(time.perf_counter() - start)
                writes.append(again.writes)
        b, f = statistics.median(base), statistics.median(full)
        line("en frío, solo archivos y metadatos (sin DataStore, vistas ni series)", f"{b:7.2f} s")
        line(f"en frío, todo: DataStore, vistas y series ({statistics.median(calls):.0f} llamadas)", f"{f:7.2f} s")
        line(f"razón (objetivo ≤ {GOAL_PUBLISH_RATIO:.0f}×)", f"{f / b:7.2f} ×")
        line(f"republicación sin cambios (objetivo ≤ {GOAL_NOOP_SECONDS:.0f} s)", f"{statistics.median(noop):7.2f} s")
        line("  llamadas de escritura en ella (objetivo 0; la peor de las corridas)", f"{max(writes):7d}")
    finally:
        for name in created:
            try:
                requests.post(
                    f"{instance.URL}/api/3/action/dataset_purge",
                    json={"id": name},
                    headers={"Authorization": token},
                    timeout=60,
                )
            except requests.RequestException:
                pass


def _k_times(k: int) -> Callable[[list[dict]], list[dict]]:
    def scale(rows: list[dict]) -> list[dict]:
        for row in rows:
            for name, value in row.items():
                if isinstance(value, int) and not isinstance(value, bool):
                    row[name] = value * k
        return rows

    return scale


def make_reports(count: int, folder: Path) -> list[Path]:
    """`count` reports: the bundled one in other periods, with the Servicio Social figures scaled."""
    from tests.variants import bundled_text, rerender, with_period, write

    text = bundled_text()
    months = ("enero-abril", "mayo-agosto", "septiembre-diciembre")
    folder.mkdir(parents=True, exist_ok=True)
    reports = []
    for index in range(count):
        year = 2100 + index // 3  # never a period of the bundled report
        variant = rerender(with_period(text, months[index % 3], year), "servicio-social", _k_times(2 + index % 7))
        reports.append(write(folder, f"informe-{index:04d}.txt", variant))
    return reports


def _tree_mb(pid: int, file: str = "status", field: str = "VmRSS:") -> float:
    """One memory figure of a process and all its descendants, summed.

    `status`/`VmRSS:` counts shared pages in each process (an upper bound); `smaps_rollup`/`Pss:`
    counts them once, shared out (what the processes take together).
    """
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for entry in Path(f"/proc/{current}/{file}").read_text().splitlines():
                if entry.startswith(field):
                    total += int(entry.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total / 1024


def _tree_rss_mb(pid: int) -> float:
    return _tree_mb(pid)


def backlog(count: int, jobs: int) -> None:
    print(f"3. Atraso: {count} informes con otras cifras y períodos, rendicion build --jobs {jobs}")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        reports = make_reports(count, Path(tmp) / "informes")
        line("generar los informes (no cuenta)", f"{time.perf_counter() - start:7.1f} s")
        out = Path(tmp) / "paquetes"
        rendicion = str(Path(sys.executable).with_name("rendicion"))
        start = time.perf_counter()
        child = subprocess.Popen(
            [rendicion, "build", *map(str, reports), "--out", str(out), "--jobs", str(jobs)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        peak = [0.0]

        def sample() -> None:
            while child.poll() is None:
                peak[0] = max(peak[0], _tree_rss_mb(child.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        sampler.join()
        errors = child.stderr.read().decode() if child.stderr else ""
        built = sum(1 for p in out.iterdir() if not p.name.startswith("."))
        line("paquetes construidos (con grafo, validados)", f"{built:7d} de {count}")
        if child.returncode or built != count:
            print(errors[:2000])
        rate = count / wall
        line("tiempo de reloj", f"{wall:7.1f} s")
        line("CPU de todos los procesos", f"{usage.ru_utime + usage.ru_stime:7.1f} s")
        line("informes por segundo", f"{rate:7.2f}")
        projected = BACKLOG / rate
        what = "medido" if count >= BACKLOG else f"proyección desde una muestra de {count}"
        line(f"{BACKLOG:,} informes ({what}; objetivo ≤ {GOAL_SECONDS / 60:.0f} min)", f"{projected:7.1f} s")
        line(f"memoria máxima, todos los procesos (objetivo ≤ {GOAL_MB:.0f} MB)", f"{peak[0]:7.0f} MB")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def endpoint(periods: int, repeat: int = 100) -> None:
    import urllib.request

    from pipelines.sparql import Limits, load_store, start_server
    from pipelines.sparql.query import default_graphs, disk_store, execute, memory_store

    def tree_pss_mb(pid: int) -> float:
        return _tree_mb(pid, "smaps_rollup", "Pss:")

    print(f"4. El punto SPARQL sobre {periods} períodos (grafos del informe incluido con otro período)")
    bundled = default_graphs()[0]
    source = bundled.read_text(encoding="utf-8")
    package, period = bundled.parent.name, "2021-C1"  # sosep-informe-cuatrimestral-2021-1
    with tempfile.TemporaryDirectory() as tmp:
        graphs = []
        for index in range(periods):
            year, term = 2021 + index // 3, 1 + index % 3
            folder = Path(tmp) / package.replace("2021-1", f"{year}-{term}")
            folder.mkdir()
            text = source.replace(package, folder.name).replace(period, f"{year}-C{term}")
            (folder / "grafo.ttl").write_text(text, encoding="utf-8")
            graphs.append(folder / "grafo.ttl")
        location = Path(tmp) / "almacen"
        start = time.perf_counter()
        triples = load_store(graphs, location)
        line(f"cargar y compactar el almacén ({triples:,} tripletas)", f"{time.perf_counter() - start:7.1f} s")
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/rendicion-abierta/def#Programa> }"
        for label, source_store in (
            ("rendicion query, recargando cada grafo", lambda: memory_store(graphs)),
            ("rendicion query, almacén en disco", lambda: disk_store(location)),
        ):
            start = time.perf_counter()
            execute(source_store(), query, "csv")
            line(label, f"{time.perf_counter() - start:7.2f} s")
        port = free_port()
        server = start_server(location, port, limits=Limits(timeout_s=30, memory_mb=2048), quiet=True)
        site = f"http://127.0.0.1:{port}/"
        last = graphs[-1].parent.name
        iris = {
            "departamento": "codigo/departamento/16",
            "programa": "codigo/programa/sosep/hogares-comunitarios",
            "observación": f"paquete/{last}/albergues/fila/01/albergues",
            "ontología (#)": "def",
        }
        try:
            for accept, name in (("text/turtle", "Turtle"), ("application/ld+json", "JSON-LD"), ("text/html", "HTML")):
                for what, path in iris.items():
                    times = []
                    for _ in range(repeat):
                        start = time.perf_counter()
                        with urllib.request.urlopen(
                            urllib.request.Request(site + path, headers={"Accept": accept})
                        ) as r:
                            r.read()
                        times.append((time.perf_counter() - start) * 1000)
                    times.sort()
                    line(
                        f"IRI → {name}, {what} (p50 / p95; objetivo p50 ≤ 20)",
                        f"{statistics.median(times):5.1f} / {times[int(repeat * 0.95) - 1]:5.1f} ms",
                    )
            peak, done = [0.0, 0.0], threading.Event()

            def sample() -> None:
                """Peak RSS (shared pages counted in every process: an upper bound) and PSS (shared pages
                split between the processes sharing them) of the front and its workers."""
                while not done.is_set():
                    peak[0] = max(peak[0], _tree_rss_mb(server.pid))
                    peak[1] = max(peak[1], tree_pss_mb(server.pid))
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample)
            sampler.start()
            uncached_port = free_port()
            uncached = start_server(
                location, uncached_port, limits=Limits(timeout_s=30, memory_mb=2048, cache_mb=0), quiet=True
            )
            slow, slow_evaluated = [], []
            try:
                for recipe in sorted(QUERIES_DIR.glob("*.rq")):
                    text = recipe.read_text(encoding="utf-8").encode()
                    p50 = {}
                    for name, url in (("evaluada", f"http://127.0.0.1:{uncached_port}/"), ("servida", site)):
                        times = []
                        for _ in range(max(5, repeat // 10)):
                            start = time.perf_counter()
                            request = urllib.request.Request(
                                url + "query",
                                data=text,
                                headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
                            )
                            with urllib.request.urlopen(request) as r:
                                rows = r.read().count(b"\n")
                            times.append((time.perf_counter() - start) * 1000)
                        p50[name] = statistics.median(times)
                    slow += [recipe.stem] if p50["servida"] > 100 else []
                    slow_evaluated += [recipe.stem] if p50["evaluada"] > 100 else []
                    line(
                        f"receta {recipe.stem} ({rows - 1:,} filas; p50 evaluada sin caché / servida; objetivo ≤ 100)",
                        f"{p50['evaluada']:7.1f} / {p50['servida']:5.1f} ms",
                    )
            finally:
                uncached.terminate()
                uncached.wait()
            done.set()
            sampler.join()
            line(
                "recetas servidas que no cumplen el objetivo (p50 > 100 ms)",
                f"{len(slow):7d}: {', '.join(slow) or '-'}",
            )
            line(
                "recetas cuya evaluación sin caché pasa de 100 ms",
                f"{len(slow_evaluated):7d}: {', '.join(slow_evaluated) or '-'}",
            )
            memory = f"{peak[0]:5.0f} / {peak[1]:.0f} MB"
            line("memoria máxima del punto durante las recetas (RSS sumado / PSS)", memory)
            runaway = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
            peak, done = [0.0, 0.0], threading.Event()
            sampler = threading.Thread(target=sample)
            sampler.start()
            start = time.perf_counter()
            request = urllib.request.Request(
                site + "query", data=runaway.encode(), headers={"Content-Type": "application/sparql-query"}
            )
            try:
                status = urllib.request.urlopen(request).status
            except urllib.error.HTTPError as error:
                status = error.code
            done.set()
            sampler.join()
            line(
                f"consulta desbocada (ORDER BY sobre producto cruzado): HTTP {status}",
                f"{time.perf_counter() - start:7.2f} s",
            )
            line(
                "memoria máxima del punto con la desbocada (front + 2 procesos; RSS sumado / PSS)",
                f"{peak[0]:5.0f} / {peak[1]:.0f} MB",
            )
        finally:
            server.terminate()
            server.wait()


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("--muestra", type=int, default=300, help="informes del atraso a construir (por defecto 300)")
    args.add_argument("--trabajos", type=int, default=2, help="procesos de rendicion build (por defecto 2)")
    args.add_argument("--repeticiones", type=int, default=7, help="corridas de la parte 1 (por defecto 7)")
    args.add_argument(
        "--periodos", type=int, default=200, help="períodos en el almacén de la parte 4 (por defecto 200)"
    )
    args.add_argument(
        "--publicaciones", type=int, default=5, help="publicaciones en frío de la parte 5 (por defecto 5)"
    )
    args.add_argument(
        "--partes", default="1,2,3,4,5", help="partes a medir, separadas por comas (por defecto 1,2,3,4,5)"
    )
    options = args.parse_args()
    parts = {part.strip() for part in options.partes.split(",")}
    unknown = parts - set("12345")
    if unknown:
        args.error(f"partes desconocidas: {', '.join(sorted(unknown))} (son 1 a 5)")
    print(f"informe: {REPORT.name}; núcleos de esta máquina: {os.cpu_count()}")
    for part, measure in (
        ("1", lambda: one_report(options.repeticiones)),
        ("2", stages),
        ("3", lambda: backlog(options.muestra, options.trabajos)),
        ("4", lambda: endpoint(options.periodos)),
        ("5", lambda: publish_speed(options.publicaciones)),
    ):
        if part in parts:
            measure()


if __name__ == "__main__":
    main()

"""`rendicion serve`: a read-only SPARQL endpoint over every package and the vocabulary, and the IRIs.

`load_store` (re)builds an on-disk Oxigraph store from the packages' graphs
and vocab/*.ttl (rebuilt in a scratch folder and swapped into place, so a
failed load never leaves a half-loaded store behind); `serve` then answers on
127.0.0.1 through our own HTTP front (`pipelines.sparql.front`) instead of
`oxigraph serve-read-only`, whose cancelled queries answer HTTP 200, whose
memory is unbounded and which calls out on SERVICE (docs: queries/README.md,
"El punto SPARQL"). `--no-reload` serves the store as it is (e.g. the one the
Dagster store asset keeps, one named graph per package), once it has checked
the vocabulary is in it.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from pipelines.paths import DATAPACKAGES_DIR, ROOT
from pipelines.sparql.front import Limits
from pipelines.sparql.query import default_graphs, disk_store

STORE_DIR = ROOT / ".oxigraph" / "store"
DEFAULT_PORT = 7878
VOCAB_BASE = "https://w3id.org/rendicion-abierta/"
ONTOLOGY = ox.NamedNode(VOCAB_BASE + "def")
FRONT = "import sys; from pipelines.sparql.front import main; sys.exit(main(sys.argv[1:]))"
"""The front's program in a child process (`-m` would warn: the package's __init__ already imports it)."""


def load_store(graph_paths: list[Path] | None = None, location: Path = STORE_DIR) -> int:
    """Rebuild the store at `location` in the layout Dagster keeps (one named graph per package, vocab/
    too, their merge as the default graph), so serving never forces Dagster to rebuild it; triple count."""
    from pipelines.sparql.store import rebuild_store

    loaded = rebuild_store(default_graphs() if graph_paths is None else graph_paths, location)
    return loaded.total or 0


def check_store(location: Path) -> int:
    """An existing store fit to serve: it opens and holds the vocabulary (the ontology's IRI); its triple count."""
    if not location.is_dir():
        raise FileNotFoundError(f"no existe el almacén {location} (ejecute `rendicion serve` sin --no-reload)")
    store = disk_store(location)
    try:
        if next(iter(store.quads_for_pattern(ONTOLOGY, None, None)), None) is None:
            raise FileNotFoundError(f"el almacén {location} no contiene el vocabulario (vocab/*.ttl)")
        return len(store)
    finally:
        del store
        gc.collect()


def bases(base_iri: str) -> list[str]:
    """The IRI bases answered: the data's (setting BASE_IRI) and the vocabulary's fixed one."""
    return list(dict.fromkeys([base_iri if base_iri.endswith(("/", "#")) else base_iri + "/", VOCAB_BASE]))


def endpoint_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/query"


def front_command(
    location: Path,
    port: int,
    limits: Limits,
    base_iri: str = VOCAB_BASE,
    packages: Path = DATAPACKAGES_DIR,
    warm: tuple[Path, ...] = (),
) -> list[str]:
    """The command line that runs the front alone on an existing store (and the packages' files)."""
    command = [
        sys.executable,
        "-c",
        FRONT,
        str(location),
        "--packages",
        str(packages),
        "--port",
        str(port),
        "--timeout-s",
        str(limits.timeout_s),
        "--max-rows",
        str(limits.max_rows),
        "--max-bytes",
        str(limits.max_bytes),
        "--memory-mb",
        str(limits.memory_mb),
        "--workers",
        str(limits.workers),
        "--cache-mb",
        str(limits.cache_mb),
    ]
    command += [arg for base in bases(base_iri) for arg in ("--base", base)]
    command += [arg for path in warm for arg in ("--warm", str(path))]
    return command + (["--allow-service"] if limits.allow_service else [])


def start_server(
    location: Path = STORE_DIR,
    port: int = DEFAULT_PORT,
    timeout_s: float = 30.0,
    limits: Limits | None = None,
    base_iri: str = VOCAB_BASE,
    quiet: bool = False,
    packages: Path = DATAPACKAGES_DIR,
    warm: tuple[Path, ...] = (),
) -> subprocess.Popen:
    """Start the front on an existing store in a child process; returns once it answers (or raises).

    `quiet` drops its access log (one stderr line per request), e.g. for a benchmark.
    """
    limits = limits or Limits(timeout_s=timeout_s)
    process = subprocess.Popen(
        front_command(location, port, limits, base_iri, packages, warm), stderr=subprocess.DEVNULL if quiet else None
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"el punto SPARQL terminó al arrancar (código {process.returncode})")
        try:
            with urllib.request.urlopen(f"{endpoint_url(port)}?query=ASK%7B%7D", timeout=5):
                return process
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f"el punto SPARQL no respondió en 127.0.0.1:{port}")


def serve(
    port: int = DEFAULT_PORT,
    graph_paths: list[Path] | None = None,
    location: Path = STORE_DIR,
    timeout_s: float = 30.0,
    limits: Limits | None = None,
    base_iri: str = VOCAB_BASE,
    reload: bool = True,
    packages: Path = DATAPACKAGES_DIR,
    warm: tuple[Path, ...] = (),
) -> int:
    """Load every package of `packages` and the vocabulary (unless `reload` is off), serve them and the packages'
    files until Ctrl-C or SIGTERM; exit code. The queries in `warm` are answered once at start (Front.warm_up)."""
    from pipelines.sparql.front import run

    limits = limits or Limits(timeout_s=timeout_s)
    if reload:
        graph_paths = default_graphs(packages) if graph_paths is None else graph_paths
        count = load_store(graph_paths, location)
        loaded = f"{len(graph_paths)} paquete(s) + vocab/"
    else:
        count = check_store(location)
        loaded = f"el almacén {location}"
    service = "SERVICE permitido" if limits.allow_service else "sin SERVICE"

    def announce() -> None:
        print(
            f"{count} tripletas de {loaded}; punto SPARQL de solo lectura (límite {limits.timeout_s:g} s y "
            f"{limits.max_rows} filas por consulta, {service}):"
        )
        print(endpoint_url(port))
        print(
            f"consultas en el navegador: http://127.0.0.1:{port}/ ; IRIs: {bases(base_iri)[0]}… → "
            f"http://127.0.0.1:{port}/…",
            flush=True,
        )

    run(port, location, limits, bases(base_iri), announce, packages, warm)
    return 0

"""A read-only SPARQL endpoint over every package and the vocabulary (Oxigraph server).

`load_store` (re)builds an on-disk Oxigraph store from the graphs; `serve`
starts `oxigraph serve-read-only` on it, bound to 127.0.0.1: the read-only
server refuses updates (HTTP 403) and `--timeout-s` bounds each query's time.
The store is rebuilt in a scratch folder and swapped into place, so a failed
load never leaves a half-loaded store behind.
"""

from __future__ import annotations

import gc
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from pipelines.paths import ROOT
from pipelines.sparql.query import default_graphs, load, vocabulary

STORE_DIR = ROOT / ".oxigraph" / "store"
DEFAULT_PORT = 7878
QUERY_TIMEOUT_S = 30


def oxigraph_cli() -> str:
    """The `oxigraph` server binary installed beside this Python (the venv's bin/)."""
    local = Path(sys.executable).parent / "oxigraph"
    if local.exists():
        return str(local)
    found = shutil.which("oxigraph")
    if not found:
        raise FileNotFoundError("no se encontró el programa `oxigraph` (se instala con `make setup`)")
    return found


def load_store(graph_paths: list[Path] | None = None, location: Path = STORE_DIR) -> int:
    """Replace the store at `location` with the graphs (default: every package's) + vocab/; triple count."""
    paths = [*(default_graphs() if graph_paths is None else graph_paths), *vocabulary()]
    location.parent.mkdir(parents=True, exist_ok=True)
    scratch = location.with_name(location.name + ".nuevo")
    shutil.rmtree(scratch, ignore_errors=True)
    store = ox.Store(str(scratch))
    try:
        load(store, paths)
        store.flush()
        count = len(store)
    finally:
        del store
        gc.collect()  # the RocksDB lock goes with the last reference
    old = location.with_name(location.name + ".viejo")
    shutil.rmtree(old, ignore_errors=True)
    if location.exists():
        location.rename(old)
    scratch.rename(location)
    shutil.rmtree(old, ignore_errors=True)
    return count


def endpoint_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/query"


def start_server(location: Path = STORE_DIR, port: int = DEFAULT_PORT,
                 timeout_s: int = QUERY_TIMEOUT_S) -> subprocess.Popen:
    """Start the read-only server on an existing store; returns once it answers (or raises)."""
    process = subprocess.Popen([
        oxigraph_cli(), "serve-read-only", "--location", str(location),
        "--bind", f"127.0.0.1:{port}", "--timeout-s", str(timeout_s),
    ])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph terminó al arrancar (código {process.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=1):
                return process
        except OSError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f"oxigraph no respondió en 127.0.0.1:{port}")


def serve(port: int = DEFAULT_PORT, graph_paths: list[Path] | None = None, location: Path = STORE_DIR,
          timeout_s: int = QUERY_TIMEOUT_S) -> int:
    """Load every package and the vocabulary, serve them read-only until Ctrl-C; exit code."""
    count = load_store(graph_paths, location)
    process = start_server(location, port, timeout_s)
    print(f"{count} tripletas de {len(default_graphs() if graph_paths is None else graph_paths)} paquete(s) "
          f"+ vocab/; punto SPARQL de solo lectura (límite {timeout_s} s por consulta):")
    print(endpoint_url(port), flush=True)
    # SIGTERM (a service manager, a test) must stop the server too, not orphan it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait()

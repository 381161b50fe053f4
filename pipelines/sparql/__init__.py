"""SPARQL over the packages' graphs: one-off queries, a read-only endpoint, IRIs that resolve.

Integration points (the CLI and the Dagster "SPARQL store" asset call these):

    run_query(query_text, graph_paths=None, fmt=None) -> bytes
        any query form over the given graphs (default: every
        `datapackages/*/grafo.ttl`) plus every vocab/*.ttl, in an in-memory
        pyoxigraph store; SPARQL 1.1 CSV for a SELECT unless `fmt` says
        otherwise (csv, tsv, json, xml; ttl, jsonld, nt, rdfxml). Raises
        ReportError for a bad query, a mismatched format or a bad graph file.

    load_store(graph_paths=None, location=STORE_DIR) -> int
        (Re)build the on-disk Oxigraph store from the graphs + vocab; returns
        the triple count.

    serve(port, graph_paths=None, location=STORE_DIR, limits=Limits(), base_iri, reload=True) -> int
        load_store (unless reload is off), then the HTTP front on
        127.0.0.1:PORT: SPARQL protocol at /query, a query page at /, every
        IRI under the base at its path; blocks until Ctrl-C or SIGTERM.

    start_server(location, port, timeout_s, limits=None, base_iri) -> subprocess.Popen
        the same front on an existing store, returned running (tests, scripts).

    query_main(args) / serve_main(args)
        `rendicion query` and `rendicion serve` (argparse Namespaces from
        pipelines/cli.py). They print and return an exit code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines import settings
from pipelines.errors import ReportError
from pipelines.paths import QUERIES_DIR
from pipelines.sparql.front import Limits
from pipelines.sparql.query import default_graphs, disk_store, execute, memory_store, merged, needs_union, run_query
from pipelines.sparql.serve import DEFAULT_PORT, STORE_DIR, endpoint_url, load_store, serve, start_server

__all__ = [
    "run_query",
    "load_store",
    "serve",
    "start_server",
    "query_main",
    "serve_main",
    "default_graphs",
    "endpoint_url",
    "STORE_DIR",
    "DEFAULT_PORT",
    "Limits",
    "FORMATS",
]

FORMATS = ["csv", "tsv", "json", "ttl", "jsonld"]
"""`rendicion query --format`: the first three for SELECT/ASK, the last two for CONSTRUCT/DESCRIBE."""


def _query_text(args: argparse.Namespace) -> str:
    text = _read_query(args)
    if not text.strip():
        raise ReportError("la consulta está vacía: dé un archivo .rq, `-` (entrada estándar) o -e TEXTO")
    return text


def _read_query(args: argparse.Namespace) -> str:
    if getattr(args, "expression", None) is not None:
        return args.expression
    if args.query in (None, "-"):
        if args.query is None and sys.stdin.isatty():
            raise ReportError("falta la consulta: dé un archivo .rq, `-` (entrada estándar) o -e TEXTO")
        try:
            return sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ReportError("la entrada estándar no es texto UTF-8") from None
    try:
        return Path(args.query).read_text(encoding="utf-8")
    except OSError as error:
        raise ReportError(f"{args.query}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ReportError(f"{args.query}: no es texto UTF-8") from None


def _stale(location: Path, graphs: list[Path]) -> Path | None:
    """A package graph newer than the store (the store was not reloaded since it was built), if any."""
    built = max((p.stat().st_mtime for p in location.iterdir()), default=0.0)
    return next((g for g in graphs if g.stat().st_mtime > built), None)


def query_main(args: argparse.Namespace) -> int:
    """`rendicion query FILE.rq|-|-e TEXT [--format F] [--graph PATH ...]`: answer on stdout, errors on stderr.

    Without --graph it reads the on-disk store (settings.STORE) when there is
    one: no reload of every graph per call. Otherwise the graphs are loaded in
    memory as before.
    """
    packages = Path(settings.PACKAGES.value())
    try:
        text = _query_text(args)
        fmt = getattr(args, "format", None)
        if getattr(args, "graph", None):
            store, union = memory_store([Path(g) for g in args.graph]), False
        else:
            location = Path(settings.STORE.value())
            if location.is_dir() and any(location.iterdir()):
                store, union = disk_store(location), False
                if needs_union(store):  # named graphs only: their merge, each triple once
                    store = merged(store)
                newer = _stale(location, default_graphs(packages))
                if newer:
                    print(
                        f"aviso: {newer} es posterior al almacén {location}; para incluirlo, recárguelo "
                        "(`rendicion serve` o Dagster) o use --graph",
                        file=sys.stderr,
                    )
            elif graphs := default_graphs(packages):
                store, union = memory_store(graphs), False
            else:
                raise ReportError(f"no hay grafos en {packages} ni almacén (ejecute `rendicion build` o use --graph)")
        sys.stdout.buffer.write(execute(store, text, fmt, union=union).body)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    sys.stdout.flush()
    return 0


def serve_main(args: argparse.Namespace) -> int:
    """`rendicion serve [--port N] [--timeout-s N] [--max-rows N] [--allow-service] [--no-reload]`."""

    def option(name: str, setting: settings.Setting, kind: type) -> float | int:
        value = getattr(args, name, None)
        return kind(setting.value()) if value is None else value

    limits = Limits(
        timeout_s=option("timeout_s", settings.SPARQL_TIMEOUT, float),
        max_rows=int(option("max_rows", settings.SPARQL_MAX_ROWS, int)),
        max_bytes=int(option("max_bytes", settings.SPARQL_MAX_BYTES, int)),
        memory_mb=int(settings.SPARQL_MEMORY_MB.value()),
        workers=int(settings.SPARQL_WORKERS.value()),
        allow_service=bool(getattr(args, "allow_service", False)),
        cache_mb=int(settings.SPARQL_CACHE_MB.value()),
    )
    try:
        return serve(
            port=int(option("port", settings.SPARQL_PORT, int)),
            location=Path(settings.STORE.value()),
            limits=limits,
            base_iri=settings.BASE_IRI.value(),
            reload=not getattr(args, "no_reload", False),
            packages=Path(settings.PACKAGES.value()),
            warm=tuple(sorted(QUERIES_DIR.glob("*.rq"))) if settings.SPARQL_WARM.value() == "1" else (),
        )
    except (ReportError, RuntimeError, FileNotFoundError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

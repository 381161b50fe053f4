"""SPARQL over the packages' graphs: one-off queries and a read-only endpoint.

Integration points (the CLI and the Dagster "SPARQL store" asset call these):

    run_query(query_text: str, graph_paths: list[Path] | None = None) -> bytes
        SPARQL 1.1 CSV results of a SELECT over the given graphs (default: every
        `datapackages/*/grafo.ttl`) plus every vocab/*.ttl, in an in-memory
        pyoxigraph store. Raises ReportError for a bad query or graph file.

    load_store(graph_paths: list[Path] | None = None, location: Path = STORE_DIR) -> int
        (Re)build the on-disk Oxigraph store (default `.oxigraph/store`,
        git-ignored) from the graphs + vocab; returns the triple count.

    serve(port: int = 7878, graph_paths=None, location=STORE_DIR, timeout_s=30) -> int
        load_store, then `oxigraph serve-read-only --location DIR --bind
        127.0.0.1:PORT --timeout-s 30`; prints the endpoint URL
        (http://127.0.0.1:PORT/query) and blocks until the server stops or
        Ctrl-C. Updates are refused (HTTP 403).

    start_server(location, port, timeout_s) -> subprocess.Popen
        the same server, returned running (tests, scripts).

    query_main(args) / serve_main(args)
        for `rendicion query FILE.rq [--graph PATH ...]` and
        `rendicion serve [--port 7878]`: `args` is the argparse Namespace with
        `query` (path of the .rq file) and `graph` (list of paths or None), or
        `port`. They print and return an exit code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.errors import ReportError
from pipelines.sparql.query import default_graphs, run_query
from pipelines.sparql.serve import DEFAULT_PORT, STORE_DIR, endpoint_url, load_store, serve, start_server

__all__ = ["run_query", "load_store", "serve", "start_server", "query_main", "serve_main", "default_graphs",
           "endpoint_url", "STORE_DIR", "DEFAULT_PORT"]


def query_main(args: argparse.Namespace) -> int:
    """`rendicion query FILE.rq [--graph PATH ...]`: CSV on stdout, errors on stderr."""
    graphs = [Path(g) for g in args.graph] if getattr(args, "graph", None) else None
    if graphs is None and not default_graphs():
        print("error: no hay grafos en datapackages/ (ejecute `rendicion build` o use --graph)", file=sys.stderr)
        return 1
    try:
        text = Path(args.query).read_text(encoding="utf-8")
        sys.stdout.buffer.write(run_query(text, graphs))
    except OSError as error:
        print(f"error: {args.query}: {error.strerror}", file=sys.stderr)
        return 1
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    sys.stdout.flush()
    return 0


def serve_main(args: argparse.Namespace) -> int:
    """`rendicion serve [--port 7878]`: load every package and serve until Ctrl-C."""
    try:
        return serve(port=getattr(args, "port", None) or DEFAULT_PORT)
    except (ReportError, RuntimeError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

"""Publish one package: read it, compare with the portal, change only what differs, verify.

A run repeats fetch → plan → apply until the plan is empty (at most three
rounds): the re-read after applying is the proof that the portal holds the
package, and it is also what cleans up after a retried call that the portal
had in fact carried out (a duplicate resource is deleted in round two).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from pipelines.publish.apply import apply_plan
from pipelines.publish.client import Portal
from pipelines.publish.errors import PermissionDenied, PublishError
from pipelines.publish.fetch import fetch_state
from pipelines.publish.local import check_package, snapshot
from pipelines.publish.plan import Plan, make_plan
from pipelines.publish.precheck import precheck

MAX_ROUNDS = 3
# The actions that only read; any other call counts as a write (see PublishResult.writes).
READS = frozenset(
    {
        "package_show",
        "resource_show",
        "status_show",
        "organization_show",
        "group_show",
        "datastore_info",
        "datastore_search",
        "resource_view_list",
        "descarga (HEAD)",
    }
)
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class PublishResult:
    """What a publish did (or, with dry_run, would do). Safe to log or store: it holds no token."""

    name: str
    dataset_url: str
    dry_run: bool
    plan: list[str]  # the first plan, one Spanish line per organization/group/dataset/resource
    counts: dict[str, int]  # create/update/unchanged/delete/uploads in the first plan
    rounds: int  # apply rounds needed (0: nothing to do)
    api_calls: int  # logical API calls, reads included
    http_requests: int  # including retries and download checks
    seconds: float
    calls_by_action: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.rounds > 0

    @property
    def writes(self) -> int:
        """Calls that may change the portal: everything but the reads (a no-op publish makes none)."""
        return sum(n for action, n in self.calls_by_action.items() if action not in READS)

    def summary(self) -> str:
        """One Spanish line for the terminal; the counts are those of the first plan."""
        c = self.counts
        if self.dry_run:
            head, tense = "plan (no se escribió nada) para", ("por crear", "por actualizar", "por borrar", "por subir")
        elif self.changed:
            head, tense = "publicado", ("creados", "actualizados", "borrados", "subidos")
        else:
            head, tense = "sin cambios", ("creados", "actualizados", "borrados", "subidos")
        return (
            f"{head} {self.dataset_url}: {c['create']} {tense[0]}, {c['update']} {tense[1]}, "
            f"{c['delete']} {tense[2]}, {c['unchanged']} sin cambios, {c['uploads']} archivos {tense[3]}; "
            f"{self.api_calls} llamadas a la API en {self.seconds:.1f} s"
        )


def check_url(url: str, log: Callable[[str], None]) -> str:
    """A usable portal base URL; warns when a token would travel unencrypted to another machine."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise PublishError(f"URL de portal no válida: {url!r} (se espera http(s)://servidor[:puerto])")
    if parsed.scheme == "http" and parsed.hostname not in LOCAL_HOSTS:
        log(
            f"aviso: {parsed.scheme}://{parsed.hostname} no usa HTTPS: el token viajaría sin cifrar; "
            "use https:// para un portal que no sea local"
        )
    return url.rstrip("/")


def publish_package(
    package_dir: Path,
    ckan_url: str,
    token: str | None,
    *,
    dry_run: bool = False,
    log: Callable[[str], None] = print,
    retries: int | None = None,
    backoff: float | None = None,
    series_prefix: str | None = None,
    datastore: bool = True,
) -> PublishResult:
    """Make the portal hold `package_dir` exactly; with dry_run, only say what would change.

    Each table's series dataset is `<series key>-serie-<table>`; `series_prefix` replaces the series
    key (tests use it to keep their series apart from the portal's). `datastore=False` publishes the
    files and metadata only: no DataStore tables, views or series datasets (a portal without the
    DataStore plugins; the benchmark's baseline).
    """
    started = time.monotonic()
    base = check_url(ckan_url, log)
    # Names and paths first: a hostile descriptor is refused before any other read, any write, any request.
    checked = check_package(Path(package_dir))
    portal = Portal(base, token, retries=retries, backoff=backoff, log=log)
    try:
        with tempfile.TemporaryDirectory(prefix="rendicion-publish-") as workdir:
            pkg = snapshot(checked, Path(workdir))  # the zip and the uploads come from this private copy
            tables = precheck(pkg, series_prefix)  # tables, charts, descriptor: all before any request
            plan = make_plan(pkg, fetch_state(portal, pkg, series_prefix, datastore), tables, series_prefix, datastore)
            first = plan
            rounds = 0
            if dry_run:
                for line in plan.lines():
                    log(f"  {line}")
            while plan.changes and not dry_run:
                if not token:
                    raise PermissionDenied(
                        "hay cambios que publicar y no se indicó token: defina la variable de "
                        "entorno CKAN_API_TOKEN (token de un usuario editor de la organización)"
                    )
                if rounds == MAX_ROUNDS:
                    raise PublishError(
                        f"el portal no quedó igual al paquete tras {MAX_ROUNDS} rondas; "
                        f"pendiente: {'; '.join(_pending(plan))}"
                    )
                rounds += 1
                apply_plan(portal, pkg, plan, log, tables, series_prefix)
                plan = make_plan(
                    pkg, fetch_state(portal, pkg, series_prefix, datastore), tables, series_prefix, datastore
                )
            return PublishResult(
                name=pkg.name,
                dataset_url=f"{base}/dataset/{pkg.name}",
                dry_run=dry_run,
                plan=first.lines(),
                counts=first.counts(),
                rounds=rounds,
                api_calls=sum(v for k, v in portal.calls.items() if not k.startswith("descarga")),
                http_requests=portal.requests,
                seconds=time.monotonic() - started,
                calls_by_action=dict(portal.calls),
            )
    finally:
        portal.close()


def _pending(plan: Plan) -> list[str]:
    return [line for line in plan.lines() if not line.endswith("sin cambios")]

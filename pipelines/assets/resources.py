"""Where each stage reads and writes, configured from the environment.

Every setting is an environment variable with a project default, so `make run`
works on a fresh clone and an operator can point the same code elsewhere
without editing it. Values are passed as `EnvVar` when the variable is set, so
the Dagster UI shows the variable's name, never its value: that is what keeps
the portal token out of the UI, the logs and the metadata.
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource, EnvVar

from pipelines.paths import DATAPACKAGES_DIR, REPORTS_DIR, ROOT

REPORTS_ENV = "RENDICION_INFORMES"
OUTPUT_ENV = "RENDICION_PAQUETES"
STORE_ENV = "RENDICION_ALMACEN"
ENDPOINT_ENV = "RENDICION_SPARQL"
PORTAL_ENV = "CKAN_URL"
TOKEN_ENV = "CKAN_API_TOKEN"

DEFAULT_STORE = ROOT / ".oxigraph" / "store"
DEFAULT_ENDPOINT = "http://127.0.0.1:7878/query"
DEFAULT_PORTAL = "http://127.0.0.1:5000"


def from_env(name: str, default: str) -> str | EnvVar:
    """The variable (resolved when a run starts) if it is set, else the project default."""
    return EnvVar(name) if os.environ.get(name) else default


class Folders(ConfigurableResource):
    """The reports folder the sensor watches and the folder packages are written to."""

    reports_dir: str = str(REPORTS_DIR)
    output_dir: str = str(DATAPACKAGES_DIR)

    @property
    def reports(self) -> Path:
        return Path(self.reports_dir)

    @property
    def output(self) -> Path:
        return Path(self.output_dir)


class SparqlStore(ConfigurableResource):
    """The Oxigraph store folder and the endpoint `rendicion serve` answers on."""

    location: str = str(DEFAULT_STORE)
    endpoint: str = DEFAULT_ENDPOINT

    @property
    def path(self) -> Path:
        return Path(self.location)


class CkanPortal(ConfigurableResource):
    """The CKAN portal publications go to. The token is a secret: see `redact`."""

    url: str = DEFAULT_PORTAL
    token: str = ""

    def redact(self, text: str) -> str:
        """Text safe for logs and metadata: the token, if it appears, is blanked out."""
        return text.replace(self.token, "***") if self.token else text


def resources_from_env() -> dict[str, ConfigurableResource]:
    """The resources `pipelines.definitions` binds, read from the environment."""
    token = EnvVar(TOKEN_ENV) if os.environ.get(TOKEN_ENV) else ""
    return {
        "folders": Folders(reports_dir=from_env(REPORTS_ENV, str(REPORTS_DIR)),
                           output_dir=from_env(OUTPUT_ENV, str(DATAPACKAGES_DIR))),
        "sparql": SparqlStore(location=from_env(STORE_ENV, str(DEFAULT_STORE)),
                              endpoint=from_env(ENDPOINT_ENV, DEFAULT_ENDPOINT)),
        "portal": CkanPortal(url=from_env(PORTAL_ENV, DEFAULT_PORTAL), token=token),
    }

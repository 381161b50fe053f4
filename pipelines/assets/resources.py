"""Where each stage reads and writes: the Dagster resources, configured from `pipelines.settings`.

Every field's default is the setting's default (pipelines/settings.py, the one
place settings are declared) and `resources_from_env` is the only place these
resources read the environment. Text values are passed as `EnvVar` when the
variable is set, so the Dagster UI shows the variable's name, never its value:
that is what keeps the portal token out of the UI, the logs and the metadata.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dagster import ConfigurableResource, EnvVar

from pipelines import settings
from pipelines.settings import Setting

TOKEN_ENV = settings.PORTAL_TOKEN.env


def from_env(setting: Setting, environ: Mapping[str, str]) -> str | EnvVar:
    """The variable (resolved when a run starts) if it is set, else the setting's default."""
    return EnvVar(setting.env) if environ.get(setting.env) else setting.default


class Folders(ConfigurableResource):
    """The reports folder the sensor watches, the series descriptions, and where packages are written."""

    reports_dir: str = settings.REPORTS.default
    output_dir: str = settings.PACKAGES.default
    series_dir: str = settings.SERIES.default
    base_iri: str = settings.BASE_IRI.default
    """Base of the packages' data IRIs (the graph's data sets, observations, distributions)."""

    @property
    def reports(self) -> Path:
        return Path(self.reports_dir)

    @property
    def output(self) -> Path:
        return Path(self.output_dir)

    @property
    def series(self) -> Path:
        """The folder of series descriptions (`<series>/serie.toml`), passed to `parse_report(specs=...)`."""
        return Path(self.series_dir)


class SparqlStore(ConfigurableResource):
    """The Oxigraph store folder and the endpoint `rendicion serve` answers on."""

    location: str = settings.STORE.default
    endpoint: str = settings.SPARQL_ENDPOINT.default

    @property
    def path(self) -> Path:
        return Path(self.location)


class CkanPortal(ConfigurableResource):
    """The CKAN portal publications go to. The token is a secret: see `redact`."""

    url: str = settings.PORTAL_URL.default
    token: str = settings.PORTAL_TOKEN.default
    retries: int = int(settings.PUBLISH_RETRIES.default)
    backoff: float = float(settings.PUBLISH_BACKOFF.default)

    def redact(self, text: str) -> str:
        """Text safe for logs and metadata: the token, if it appears, is blanked out."""
        return text.replace(self.token, "***") if self.token else text


def resources_from_env(environ: Mapping[str, str] = os.environ) -> dict[str, ConfigurableResource]:
    """The resources `pipelines.definitions` binds: each setting from its variable, else its default."""
    return {
        "folders": Folders(
            reports_dir=from_env(settings.REPORTS, environ),
            output_dir=from_env(settings.PACKAGES, environ),
            series_dir=from_env(settings.SERIES, environ),
            base_iri=from_env(settings.BASE_IRI, environ),
        ),
        "sparql": SparqlStore(
            location=from_env(settings.STORE, environ), endpoint=from_env(settings.SPARQL_ENDPOINT, environ)
        ),
        "portal": CkanPortal(
            url=from_env(settings.PORTAL_URL, environ),
            token=from_env(settings.PORTAL_TOKEN, environ),
            retries=int(settings.PUBLISH_RETRIES.value(environ)),
            backoff=float(settings.PUBLISH_BACKOFF.value(environ)),
        ),
    }

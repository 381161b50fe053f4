"""Every setting of the pipeline: its environment variable, its default and what it is for.

Settings are read once, at the edge — the `rendicion` command line and the
Dagster resources — and passed down to the stages as parameters; no stage reads
the environment. The operators' guide (docs/operaciones.md) lists this table and
a test keeps the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipelines.paths import DATAPACKAGES_DIR, REPORTS_DIR, ROOT, SPECS_DIR


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    description: str
    secret: bool = False

    def value(self, environ: Mapping[str, str] = os.environ) -> str:
        """The variable when set and not empty, else the default."""
        return environ.get(self.env) or self.default


REPORTS = Setting("RENDICION_INFORMES", str(REPORTS_DIR), "carpeta de informes (.txt, .pdf) que vigila el sensor")
PACKAGES = Setting("RENDICION_PAQUETES", str(DATAPACKAGES_DIR), "carpeta donde se escriben los paquetes")
SERIES = Setting("RENDICION_SERIES", str(SPECS_DIR), "carpeta de las series (una subcarpeta con serie.toml por serie)")
STORE = Setting("RENDICION_ALMACEN", str(ROOT / ".oxigraph" / "store"), "carpeta del almacén Oxigraph")
SPARQL_PORT = Setting("RENDICION_SPARQL_PUERTO", "7878", "puerto de `rendicion serve` en 127.0.0.1")
SPARQL_ENDPOINT = Setting(
    "RENDICION_SPARQL",
    "http://127.0.0.1:7878/query",
    "URL del punto SPARQL que se anuncia en Dagster y en la documentación",
)
BASE_IRI = Setting(
    "RENDICION_BASE_IRI",
    "https://w3id.org/rendicion-abierta/",
    "IRI base de los datos de cada paquete (paquetes, conjuntos, observaciones); `rendicion serve` "
    "responde cada IRI bajo ella en la misma ruta",
)
SPARQL_TIMEOUT = Setting(
    "RENDICION_SPARQL_TIEMPO", "30", "segundos que puede durar una consulta en `rendicion serve`; después, HTTP 504"
)
SPARQL_MAX_ROWS = Setting(
    "RENDICION_SPARQL_MAX_FILAS",
    "100000",
    "filas (o tripletas) como máximo en una respuesta de `rendicion serve`; más, HTTP 413",
)
SPARQL_MAX_BYTES = Setting(
    "RENDICION_SPARQL_MAX_BYTES",
    str(64 * 1024 * 1024),
    "bytes como máximo en una respuesta de `rendicion serve`; más, HTTP 413",
)
SPARQL_MEMORY_MB = Setting(
    "RENDICION_SPARQL_MEMORIA_MB",
    "2048",
    "memoria virtual (RLIMIT_AS) de cada proceso de consulta de `rendicion serve`; más, HTTP 503",
)
SPARQL_WORKERS = Setting(
    "RENDICION_SPARQL_PROCESOS", "2", "procesos de consulta de `rendicion serve` (consultas a la vez)"
)
SPARQL_CACHE_MB = Setting(
    "RENDICION_SPARQL_CACHE_MB",
    "64",
    "MB de respuestas completas que cada proceso de consulta guarda para repetirlas sin evaluarlas (0: ninguna)",
)
SPARQL_WARM = Setting(
    "RENDICION_SPARQL_PRECALENTAR",
    "1",
    "1: al arrancar, `rendicion serve` evalúa las recetas de queries/ (CSV y JSON) para guardar sus respuestas; 0: no",
)
PORTAL_URL = Setting("CKAN_URL", "http://127.0.0.1:5000", "URL del portal CKAN")
PORTAL_TOKEN = Setting(
    "CKAN_API_TOKEN", "", "token de la API de CKAN (secreto: nunca en la línea de órdenes)", secret=True
)
PUBLISH_RETRIES = Setting("RENDICION_PUBLISH_RETRIES", "5", "reintentos ante fallos pasajeros del portal")
PUBLISH_BACKOFF = Setting("RENDICION_PUBLISH_BACKOFF", "1.0", "espera inicial entre reintentos, en segundos")
DAGSTER_CONFIG = Setting(
    "RENDICION_DAGSTER_CONFIG",
    "dagster.yaml",
    "configuración de la instancia de Dagster (p. ej. dagster.postgres.yaml)",
)

ALL: tuple[Setting, ...] = (
    REPORTS,
    PACKAGES,
    SERIES,
    STORE,
    SPARQL_PORT,
    SPARQL_ENDPOINT,
    BASE_IRI,
    SPARQL_TIMEOUT,
    SPARQL_MAX_ROWS,
    SPARQL_MAX_BYTES,
    SPARQL_MEMORY_MB,
    SPARQL_WORKERS,
    SPARQL_CACHE_MB,
    SPARQL_WARM,
    PORTAL_URL,
    PORTAL_TOKEN,
    PUBLISH_RETRIES,
    PUBLISH_BACKOFF,
    DAGSTER_CONFIG,
)


def default_jobs() -> int:
    """Processes `rendicion build` uses by default: the machine's cores."""
    return os.cpu_count() or 1


@dataclass(frozen=True)
class BuildOptions:
    """What a build needs besides the report, decided at the edge and passed down whole."""

    out_dir: Path = Path(PACKAGES.default)
    specs: Path = Path(SERIES.default)
    """The folder of series descriptions the report is matched against."""
    base_iri: str = BASE_IRI.default
    """Base of the package's data IRIs (its data sets, observations, distributions)."""
    replace: bool = False
    """Replace a package built from another report file (never done silently)."""

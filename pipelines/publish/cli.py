"""`rendicion publish [PACKAGE_DIR ...] [--ckan-url URL] [--dry-run]`: the command-line face of the publisher.

Settings come from the environment so the token never appears in a command
line (shell history, `ps`): CKAN_API_TOKEN, CKAN_URL. For the bundled local
portal only, a missing CKAN_API_TOKEN falls back to `.portal/token`, which
`portal/start.sh` writes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

from pipelines import settings
from pipelines.paths import DATAPACKAGES_DIR, ROOT
from pipelines.publish.errors import PublishError
from pipelines.publish.publish import LOCAL_HOSTS, publish_package

DEFAULT_URL = settings.PORTAL_URL.default
LOCAL_TOKEN_FILE = ROOT / ".portal" / "token"


def default_packages(root: Path = DATAPACKAGES_DIR) -> list[Path]:
    """Every built package under datapackages/ (folders with a datapackage.json; scratch folders skipped)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if not p.name.startswith(".") and (p / "datapackage.json").is_file())


def resolve_token(url: str) -> tuple[str | None, str]:
    """(token, where it came from). Never logs the token itself."""
    token = settings.PORTAL_TOKEN.value().strip()
    if token:
        return token, "CKAN_API_TOKEN"
    if urlparse(url).hostname in LOCAL_HOSTS and LOCAL_TOKEN_FILE.is_file():
        token = LOCAL_TOKEN_FILE.read_text(encoding="utf-8").strip()
        if token:
            return token, ".portal/token (portal local)"
    return None, "ninguno"


def publish_main(package_dirs: list[Path], ckan_url: str | None, dry_run: bool) -> int:
    """Publish each package; one line per failure on stderr; 0 only if all succeeded."""
    url = ckan_url or settings.PORTAL_URL.value()
    retries = max(int(settings.PUBLISH_RETRIES.value()), 0)
    backoff = max(float(settings.PUBLISH_BACKOFF.value()), 0.0)
    packages = [Path(p) for p in package_dirs] or default_packages()
    if not packages:
        print(f"error: no hay paquetes en {DATAPACKAGES_DIR}; ejecute antes rendicion build", file=sys.stderr)
        return 1
    token, source = resolve_token(url)
    print(f"portal {url.rstrip('/')}; token: {source}" + ("; simulación (--dry-run)" if dry_run else ""))
    failed = 0
    for package in packages:
        print(f"{package.name}:")
        try:
            result = publish_package(package, url, token, dry_run=dry_run, retries=retries, backoff=backoff)
        except PublishError as error:
            print(f"error: {package.name}: {error}", file=sys.stderr)
            failed += 1
            continue
        print(result.summary())
    return 1 if failed else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rendicion publish", description="Publica paquetes de datos en un portal CKAN.")
    p.add_argument(
        "packages",
        nargs="*",
        metavar="PACKAGE_DIR",
        help="carpeta(s) de paquete (por defecto todas las de datapackages/)",
    )
    p.add_argument(
        "--ckan-url",
        default=None,
        help=f"URL del portal (por defecto $CKAN_URL o {DEFAULT_URL}); el token va en $CKAN_API_TOKEN",
    )
    p.add_argument("--dry-run", action="store_true", help="muestra el plan y no escribe nada en el portal")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return publish_main([Path(p) for p in args.packages], args.ckan_url, args.dry_run)

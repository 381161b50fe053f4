"""Publish data packages on a CKAN portal: no duplicates, no half-published datasets, DCAT-ready metadata.

Integration points (the CLI and Dagster wire these):

- `publish_package(package_dir, ckan_url, token, *, dry_run=False, log=print) -> PublishResult`
  makes the portal hold one package folder: organization, the programs as
  groups, one dataset named after the package and one resource per file
  (each CSV, the other package resources such as the quality report and the
  graph, datapackage.json and a reproducible zip). Re-running on an unchanged
  package writes nothing. Raises `PublishError` (one-line message, Spanish)
  for expected failures: portal unreachable after retries
  (`TransientError`), 403 (`PermissionDenied`, names the missing
  permission), bad package folder (`PackageError`), a name owned by another
  organization (`ConflictError`). `PublishResult` holds no token: safe for
  Dagster metadata.
- `publish_main(package_dirs, ckan_url, dry_run) -> int` is `rendicion publish
  [PACKAGE_DIR ...] [--ckan-url URL] [--dry-run]`: defaults to every package
  under datapackages/, URL from `--ckan-url`, `$CKAN_URL` or
  http://127.0.0.1:5000, token from `$CKAN_API_TOKEN` (for a localhost portal
  only, falling back to `.portal/token` written by portal/start.sh). Prints
  one error line per failed package and returns non-zero.
- `parser()`/`main(argv)` in `pipelines.publish.cli`; `python -m pipelines.publish` works too.

Retries: `RENDICION_PUBLISH_RETRIES` (default 5) and `RENDICION_PUBLISH_BACKOFF`
(first delay in seconds, default 1, doubling) or the `retries`/`backoff`
keyword arguments of `publish_package`.

The package folder is untrusted: names and listed paths are checked before
anything else is read, written or sent (dry-run too), symlinks are never
followed, and only the files datapackage.json lists (plus itself and the
README.md data dictionary) are zipped and uploaded, from a private copy in a
temporary folder. A refusal is a `PackageError`.

Modules: safety (name and path rules, symlink-free reads), local (package folder → checked
snapshot, hashes), zip (reproducible zip of the listed files),
metadata (datapackage → CKAN dicts), tables (CSV → typed DataStore rows), views (table and chart
views), fetch (read the portal), steps + plan + series (the diff, pure: shared pieces, the report
dataset, the series datasets), apply (write, in an interruption-safe order), datastore (one table's
load and views), client (ckanapi with retries and 403 messages), publish (the rounds), cli.
"""

from pipelines.publish.cli import main, publish_main
from pipelines.publish.errors import ConflictError, PackageError, PermissionDenied, PublishError, TransientError
from pipelines.publish.publish import PublishResult, publish_package

__all__ = [
    "ConflictError",
    "PackageError",
    "PermissionDenied",
    "PublishError",
    "PublishResult",
    "TransientError",
    "main",
    "publish_main",
    "publish_package",
]

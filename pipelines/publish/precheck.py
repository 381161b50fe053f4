"""Everything the publisher can check from the package alone, before its first request.

A package folder is input like any other: it may have been edited by hand, by another tool, or be
hostile. Each check here is one the portal, or the publisher half-way through a publish, would
otherwise fail on:

- every CSV table against its Table Schema and the DataStore's types (`tables.read_tables`);
- every declared chart against its table (`views.check_charts`);
- the descriptor against the Data Package profile (Frictionless: `description` a string, `keywords`
  a list of strings, `licenses`, `sources` and `contributors` lists of objects…), each problem
  named by its place in the descriptor;
- and, for the properties of our own (`periodo`, `cobertura_espacial`, `programa_informatico`, a
  resource's `fuente`…), every payload the publish would send is built once, here: a property of the
  wrong shape stops it now, named, instead of as a traceback after the first writes.
"""

from __future__ import annotations

from typing import Any

from frictionless import FrictionlessException, Package

from pipelines.publish import metadata
from pipelines.publish.errors import PackageError
from pipelines.publish.local import DESCRIPTOR, LocalPackage
from pipelines.publish.series import series_dataset, series_resource
from pipelines.publish.tables import Table, read_tables
from pipelines.publish.views import check_charts, series_tables

MAX_PROFILE_ERRORS = 3
"""Profile errors named in the one-line refusal (the rest are counted)."""


def _profile(descriptor: dict[str, Any]) -> None:
    try:
        errors = [f"{error.message}" for error in Package.metadata_validate(descriptor)]
    except (FrictionlessException, AttributeError, TypeError, ValueError) as error:  # Frictionless gave up on it
        message = error.error.message if isinstance(error, FrictionlessException) else f"{type(error).__name__}"
        errors = [message]
    if errors:
        more = f" (y {len(errors) - MAX_PROFILE_ERRORS} más)" if len(errors) > MAX_PROFILE_ERRORS else ""
        raise PackageError(
            f"{DESCRIPTOR} no sigue el perfil Data Package: {'; '.join(errors[:MAX_PROFILE_ERRORS])}{more}"
        )


def _payloads(pkg: LocalPackage, series_prefix: str | None) -> None:
    """Build what the plan would send (without the portal's links, unknown yet)."""
    org = metadata.organization(pkg)
    metadata.dataset(pkg, org, metadata.groups(pkg, org["name"]), None)
    for f in pkg.files:
        metadata.resource(f, pkg, None, None)
    series = series_tables(pkg.descriptor)
    for resource in pkg.descriptor["resources"]:
        if resource.get("name") in series:
            series_dataset(pkg, org, resource, None, series_prefix)
            series_resource(pkg, resource)


def precheck(pkg: LocalPackage, series_prefix: str | None = None) -> dict[str, Table]:
    """The package's tables, read and checked; PackageError, naming what is wrong, before any request."""
    _profile(pkg.descriptor)
    tables = read_tables(pkg)
    for f in pkg.files:
        if f.kind == "table":
            check_charts(f.resource)
    try:
        _payloads(pkg, series_prefix)
    except (AttributeError, TypeError, KeyError, ValueError, IndexError) as error:
        raise PackageError(
            f"{DESCRIPTOR}: una propiedad no tiene la forma que espera el publicador "
            f"({type(error).__name__}: {error}); compárelo con el que escribe rendicion build"
        ) from None
    return tables

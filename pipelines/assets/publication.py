"""The portal publication: the same idempotent `publish_package` the CLI calls.

It runs only after every blocking check upstream passed in the same run, so a
report that fails an ERROR check never reaches the portal. The token is read
from the resource and never written to logs or metadata (`CkanPortal.redact`).
"""

from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, Failure, MetadataValue, asset

from pipelines.assets.partitions import PERIODS
from pipelines.assets.report import GROUP
from pipelines.assets.resources import TOKEN_ENV, CkanPortal


@asset(partitions_def=PERIODS, group_name=GROUP, kinds={"ckan"}, deps=["graph"],
       description="Publicación del paquete en el portal CKAN (idempotente: volver a publicar no duplica nada).")
def portal_publication(context: AssetExecutionContext, datapackage: Path, portal: CkanPortal) -> str:
    """Publish the package folder; returns the dataset's page on the portal."""
    from pipelines.publish import PublishError, publish_package  # the publish stage

    if not portal.token:
        raise Failure(description=f"Falta el token del portal: defina {TOKEN_ENV} (make run lo toma de "
                                  ".portal/token).", allow_retries=False)

    def log(message: str) -> None:
        context.log.info(portal.redact(str(message)))

    try:
        result = publish_package(datapackage, portal.url, portal.token, log=log)
    except PublishError as error:
        raise Failure(description=portal.redact(str(error)), allow_retries=False) from None
    url = str(_first(result, "dataset_url", "url"))
    metadata: dict[str, Any] = {
        "conjunto de datos": str(_first(result, "dataset_name", "name")),
        "página en el portal": MetadataValue.url(url),
        "portal": MetadataValue.url(portal.url),
    }
    plan = _first(result, "plan", default=None)
    if plan is not None:
        metadata["cambios aplicados"] = MetadataValue.md(portal.redact(_describe(plan)))
    context.add_output_metadata(metadata)
    return url


def _first(result: object, *names: str, default: Any = "") -> Any:
    for name in names:
        if hasattr(result, name):
            return getattr(result, name)
    return default


def _describe(plan: Any) -> str:
    """The publish plan as lines; its own `summary()`/`lines()` if it has one."""
    for name in ("markdown", "summary", "describe"):
        method = getattr(plan, name, None)
        if callable(method):
            return str(method())
    if isinstance(plan, (list, tuple)):
        return "\n".join(f"- {step}" for step in plan) or "Sin cambios: el portal ya estaba al día."
    return str(plan)

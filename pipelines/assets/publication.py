"""The portal publication: the same idempotent `publish_package` the CLI calls.

It runs only after every blocking check upstream passed in the same run, so a
report that fails an ERROR check never reaches the portal. The token is read
from the resource and never written to logs or metadata (`CkanPortal.redact`;
`PublishResult` itself holds no token).
"""

from pathlib import Path

from dagster import AssetExecutionContext, Failure, MetadataValue, asset

from pipelines.assets.metadata import markdown_table
from pipelines.assets.partitions import PARTITIONS
from pipelines.assets.report import GROUP
from pipelines.assets.resources import TOKEN_ENV, CkanPortal
from pipelines.publish import PublishError, publish_package


@asset(
    partitions_def=PARTITIONS,
    group_name=GROUP,
    kinds={"ckan"},
    deps=["graph"],
    description="Publicación del paquete en el portal CKAN (idempotente: volver a publicar un paquete sin "
    "cambios no escribe nada).",
)
def portal_publication(context: AssetExecutionContext, datapackage: Path, portal: CkanPortal) -> str:
    """Publish the package folder; returns the dataset's page on the portal."""
    if not portal.token:
        raise Failure(
            description=f"Falta el token del portal: defina {TOKEN_ENV} (make run lo toma de .portal/token).",
            allow_retries=False,
        )

    def log(message: object) -> None:
        context.log.info(portal.redact(str(message)))

    try:
        result = publish_package(
            datapackage, portal.url, portal.token, log=log, retries=portal.retries, backoff=portal.backoff
        )
    except PublishError as error:
        raise Failure(description=portal.redact(str(error)), allow_retries=False) from None
    counts = [[name, count] for name, count in sorted(result.counts.items())]
    context.add_output_metadata(
        {
            "conjunto de datos": result.name,
            "página en el portal": MetadataValue.url(result.dataset_url),
            "resultado": portal.redact(result.summary()),
            "cambios": MetadataValue.md(markdown_table(["operación", "cantidad"], counts)),
            "plan": MetadataValue.md(
                portal.redact(
                    "\n".join(f"- {line}" for line in result.plan) or "Sin cambios: el portal ya estaba al día."
                )
            ),
        }
    )
    return result.dataset_url

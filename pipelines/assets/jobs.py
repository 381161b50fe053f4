"""The one job (every asset and check of one report, to the portal) and how its steps execute.

`EXECUTOR` runs a run's steps in one process unless the run's config asks for
`execution: {config: {multiprocess: {max_concurrent: N}}}`: in-process is about
three times faster for this short chain (field notes; a subprocess per step
re-imports the code), while a backfill over many partitions on a shared
instance (PostgreSQL, several runs at a time) can ask for processes per step.
"""

from __future__ import annotations

from dagster import AssetSelection, ExecutorDefinition, Field, Selector, define_asset_job, multi_or_in_process_executor

MULTIPROCESS = {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}
"""Run config of a run whose steps each run in their own process (two at a time)."""


def in_process_unless_configured() -> ExecutorDefinition:
    """Dagster's `multi_or_in_process_executor` with in-process, not multiprocess, as the default mode."""
    base = multi_or_in_process_executor
    modes = base.config_schema.as_field().config_type.fields
    return ExecutorDefinition(
        name="in_process_or_multiprocess",
        config_schema=Field(Selector(modes), default_value={"in_process": {}}),
        executor_creation_fn=base.executor_creation_fn,
        requirements=base.get_requirements,
        description="En un proceso, salvo que la configuración de la corrida pida multiprocess.",
    )


EXECUTOR = in_process_unless_configured()

publish_period = define_asset_job(
    "publish_period",
    selection=AssetSelection.all(),
    description="Informe → cuadros → paquete y grafo → almacén SPARQL → portal, con sus comprobaciones, para una "
    "serie y un período.",
)

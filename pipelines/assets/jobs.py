"""The one job: every asset and check of one period, report to portal."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job


publish_period = define_asset_job(
    "publish_period", selection=AssetSelection.all(),
    description="Informe → cuadros → paquete → grafo → almacén SPARQL → portal, con sus comprobaciones, para un "
                "período.")

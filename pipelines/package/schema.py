"""Table Schemas and the package descriptor, read from the table descriptions."""

from __future__ import annotations

from typing import Any

from pipelines import __version__
from pipelines.report.departments import load_departments
from pipelines.specs.model import FieldSpec, SeriesSpec, TableSpec
from pipelines.tables.model import ParsedReport

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
EU_THEMES = "http://publications.europa.eu/resource/authority/data-theme/"
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"

DEPARTMENTS_SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "name": "codigo",
            "title": "Código INE",
            "type": "string",
            "description": "Código INE del departamento, igual al código numérico ISO 3166-2:GT.",
            "constraints": {"required": True, "pattern": "^[0-9]{2}$"},
        },
        {
            "name": "nombre",
            "title": "Nombre",
            "type": "string",
            "description": "Nombre oficial del departamento.",
            "constraints": {"required": True},
        },
        {
            "name": "iso_3166_2",
            "title": "ISO 3166-2",
            "type": "string",
            "description": "Código ISO 3166-2 del departamento (GT-01 … GT-22).",
            "constraints": {"required": True, "pattern": "^GT-[0-9]{2}$"},
        },
        {
            "name": "wikidata",
            "title": "Wikidata",
            "type": "string",
            "description": "Elemento de Wikidata del departamento "
            "(tomado de una copia de terceros de Wikidata, no verificado).",
            "constraints": {"pattern": "^Q[0-9]+$"},
        },
    ],
    "primaryKey": ["codigo"],
}


def field_schema(spec: TableSpec, fld: FieldSpec) -> dict[str, Any]:
    schema: dict[str, Any] = {"name": fld.name, "title": fld.title, "description": fld.description, "type": fld.type}
    constraints: dict[str, Any] = {}
    if fld.name in spec.primary_key or fld.source in ("department_code", "department_name", "label", "group"):
        constraints["required"] = True
    if fld.source == "department_code":
        constraints["pattern"] = "^[0-9]{2}$"
    if fld.is_numeric:
        constraints["required"] = True
        constraints["minimum"] = 0
    if fld.source == "column":
        constraints["enum"] = [column[fld.column_key or fld.name] for column in spec.columns]
    if constraints:
        schema["constraints"] = constraints
    if fld.unit:
        schema["unidad"] = fld.unit
    if fld.decimals is not None:
        schema["decimales"] = fld.decimals
    return schema


def table_schema(spec: TableSpec) -> dict[str, Any]:
    schema: dict[str, Any] = {"fields": [field_schema(spec, f) for f in spec.fields]}
    if spec.primary_key:
        schema["primaryKey"] = list(spec.primary_key)
    codes = [f.name for f in spec.fields if f.source == "department_code"]
    if codes:
        schema["foreignKeys"] = [{"fields": codes, "reference": {"resource": "departamentos", "fields": ["codigo"]}}]
    return schema


def _table_resource(parsed: ParsedReport, spec: TableSpec) -> dict[str, Any]:
    table = parsed.tables[spec.name]
    resource: dict[str, Any] = {
        "name": spec.name,
        "type": "table",
        "path": f"data/{spec.name}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": spec.title,
        "description": spec.description,
        "schema": table_schema(spec),
        "fuente": table.source or "El informe no indica la fuente de este cuadro.",
        "lineaInforme": table.heading_line,
    }
    if table.source:
        resource["sources"] = [{"title": table.source}]
    if spec.program:
        resource["programa"] = spec.program
    if spec.note:
        resource["nota"] = spec.note
    # The charts the portal draws for the table: declared with it, carried here so the publisher reads
    # only the package (a table of the series always has the key, even with no chart).
    resource["graficos"] = [
        {
            "titulo": c.title,
            "tipo": c.kind,
            "categoria": c.category,
            "valores": list(c.values),
            "serie": c.serie,
            **({"grupo": c.group} if c.group else {}),
        }
        for c in spec.charts
    ]
    return resource


def report_source(parsed: ParsedReport) -> dict[str, Any]:
    """The report the package was built from. For a PDF: the PDF's own sha256 (the file the
    institution published) and the program and version that extracted its text, so anyone can
    check the file and repeat the extraction; a text report keeps its plain entry."""
    report = parsed.report
    source: dict[str, Any] = {"title": report.filename, "path": f"reports/{report.filename}", "sha256": report.sha256}
    extractor = report.extractor
    if extractor is None:
        source["description"] = "Texto extraído del PDF del informe publicado por la institución."
        return source
    source["mediatype"] = "application/pdf"
    source["description"] = (
        f"PDF del informe publicado por la institución; su texto se extrajo con "
        f"{extractor.program} {extractor.version} ({extractor.package}): "
        f"«{extractor.command} {report.filename} -»."
    )
    source["extraccion"] = {
        "programa": extractor.program,
        "paquete": extractor.package,
        "version": extractor.version,
        "opciones": list(extractor.options),
    }
    return source


def descriptor(parsed: ParsedReport, extra_resources: list[dict[str, Any]] = ()) -> dict[str, Any]:
    """The whole `datapackage.json`: deterministic, no build times (those live in Dagster)."""
    series: SeriesSpec = parsed.series
    period = parsed.period
    placed, found = len(parsed.placed), len(parsed.discrepancies)
    return {
        "$schema": PROFILE,
        "name": parsed.package_name,
        "title": f"{series.title}, {period.label}",
        "description": (
            f"{series.description} Período: {period.label}. Calidad: {placed} celdas vacías del informe se "
            f"publicaron como cero tras deducir su posición, y se registran {found} discrepancias del informe "
            f"consigo mismo; ambas listas están en calidad.json. Las cifras se publican tal como se imprimieron."
        ),
        "version": __version__,
        "homepage": series.publisher_url,
        "keywords": [*series.keywords, *[p["name"] for p in series.programs]],
        "licenses": [{"name": series.license_name, "title": series.license_title, "path": series.license_url}],
        "contributors": [
            {
                "title": series.publisher_name,
                "roles": ["publisher"],
                "path": series.publisher_url,
                "organization": series.publisher,
            }
        ],
        "serie": {
            "clave": series.key,
            "titulo": series.title,
            "temas": [f"{EU_THEMES}{code}" for code in series.themes],
            "tipo_publicador": f"{ADMS_PUBLISHER_TYPE}{series.publisher_type}",
            "programas": [
                {
                    "clave": p["key"],
                    "nombre": p["name"],
                    "direccion": p.get("direccion", ""),
                    "actividad": p.get("actividad", ""),
                }
                for p in series.programs
            ],
        },
        "sources": [report_source(parsed)],
        "periodo": {
            "clave": period.key,
            "inicio": period.start.isoformat(),
            "fin": period.end.isoformat(),
            "etiqueta": period.label,
        },
        "cobertura_espacial": {"nombre": "Guatemala", "iso_3166": "GT", "wikidata": "Q774"},
        "programa_informatico": {"nombre": "rendicion-abierta", "version": __version__},
        "resources": [
            *[_table_resource(parsed, spec) for spec in series.tables],
            {
                "name": "departamentos",
                "type": "table",
                "path": "data/departamentos.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "title": "Departamentos de Guatemala",
                "description": "Lista de códigos de departamentos (INE, ISO 3166-2 y Wikidata) "
                "a la que remiten los cuadros.",
                "schema": DEPARTMENTS_SCHEMA,
            },
            {
                "name": "calidad",
                "type": "json",
                "path": "calidad.json",
                "format": "json",
                "mediatype": "application/json",
                "title": "Informe de calidad",
                "description": "Celdas vacías reconstruidas (celdas_reconstruidas), discrepancias del informe consigo "
                "mismo (discrepancias) y cada comprobación realizada (comprobaciones).",
            },
            *extra_resources,
        ],
    }


def department_rows() -> list[dict[str, str]]:
    return [
        {"codigo": d.codigo, "nombre": d.nombre, "iso_3166_2": d.iso_3166_2, "wikidata": d.wikidata.rsplit("/", 1)[-1]}
        for d in load_departments()
    ]

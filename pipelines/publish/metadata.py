"""datapackage.json → the CKAN dicts we want on the portal (organization, groups, dataset, resources).

Only fields named here are ever written or compared: everything else on the
portal (fields an administrator added, other resources, other tags and
groups) is left alone. Dataset-level DCAT fields go in `extras` under the
names ckanext-dcat's DCAT-AP profiles read without ckanext-scheming
(`temporal_start`, `spatial_uri`, `publisher_name`, `theme`, …); resource
fields are top-level keys, which CKAN keeps as resource extras.
"""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass
from typing import Any

from pipelines.publish.local import LocalFile, LocalPackage

# Vocabularies DCAT-AP harvesters expect (EU Publications Office authority tables, ADMS, SPDX).
EU = "http://publications.europa.eu/resource/authority"
LANGUAGE = f"{EU}/language/SPA"
# Period key letter → how often the series appears (C = cuatrimestre: three times a year).
FREQUENCIES = {
    "C": f"{EU}/frequency/ANNUAL_3",
    "T": f"{EU}/frequency/QUARTERLY",
    "S": f"{EU}/frequency/ANNUAL_2",
    "M": f"{EU}/frequency/MONTHLY",
}
SHA256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
WIKIDATA = "http://www.wikidata.org/entity/"
# Frictionless license names → CKAN's default license ids.
LICENSES = {
    "CC-BY-4.0": "cc-by",
    "CC-BY-SA-4.0": "cc-by-sa",
    "CC0-1.0": "cc-zero",
    "ODC-BY-1.0": "odc-by",
    "ODbL-1.0": "odc-odbl",
    "PDDL-1.0": "odc-pddl",
}
FORMATS = {
    "csv": "CSV",
    "json": "JSON",
    "zip": "ZIP",
    "ttl": "Turtle",
    "turtle": "Turtle",
    "jsonld": "JSON-LD",
    "json-ld": "JSON-LD",
    "md": "Markdown",
    "nt": "N-Triples",
    "rdf": "RDF",
}
MEDIA_TYPES = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "md": "text/markdown",
    "csv": "text/csv",
    "json": "application/json",
    "zip": "application/zip",
}
# Where the publisher keeps what it owns on the portal.
KEY_FIELD = "rendicion_recurso"
TAGS_EXTRA = "rendicion_etiquetas"
# Present (value "incompleta") while a new dataset is still being filled: it is private (and a draft
# when the token may set states, i.e. sysadmin) until the last step removes the mark and opens it.
PENDING_EXTRA = "rendicion_publicacion"
PENDING_VALUE = "incompleta"


@dataclass(frozen=True)
class GroupSpec:
    name: str
    title: str
    description: str


def series_of(descriptor: dict[str, Any]) -> dict[str, Any]:
    """What the package says of its series (programs, catalog themes): the publisher reads only the package."""
    found = descriptor.get("serie")
    return found if isinstance(found, dict) else {}


def _publisher(descriptor: dict[str, Any]) -> dict[str, Any]:
    for contributor in descriptor.get("contributors", []):
        if "publisher" in contributor.get("roles", []):
            return contributor
    return {}


def organization(pkg: LocalPackage) -> dict[str, str]:
    publisher = _publisher(pkg.descriptor)
    short = publisher.get("organization") or publisher.get("title") or "publicador"
    name = re.sub(r"[^a-z0-9_-]+", "-", short.lower()).strip("-")
    title = publisher.get("title", short)
    description = f"{title} ({short})." + (f" Sitio: {publisher['path']}" if publisher.get("path") else "")
    return {"name": name, "title": title, "description": description}


def groups(pkg: LocalPackage, org_name: str) -> list[GroupSpec]:
    """One CKAN group per program named by the package's tables, prefixed by the organization."""
    keys = list(dict.fromkeys(r["programa"] for r in pkg.descriptor["resources"] if r.get("programa")))
    programs = {p["clave"]: p for p in series_of(pkg.descriptor).get("programas", [])}
    found = []
    for key in keys:
        program = programs.get(key, {})
        title = program.get("nombre", key)
        parts = [f"Programa {title} de la {org_name.upper()}."]
        if program.get("direccion"):
            parts.append(f"A cargo de la {program['direccion']}.")
        if program.get("actividad"):
            parts.append(f"Actividad presupuestaria: {program['actividad']}.")
        found.append(GroupSpec(f"{org_name}-{key}", title, " ".join(parts)))
    return found


def _tag(keyword: str) -> str | None:
    """CKAN tags allow letters, digits, spaces, '-', '_' and '.', 2–100 characters."""
    tag = re.sub(r"[^\w \-.]", " ", keyword).strip()
    tag = re.sub(r"\s+", " ", tag)[:100]
    return tag if len(tag) >= 2 else None


def tags(pkg: LocalPackage) -> list[str]:
    return sorted({t for k in pkg.descriptor.get("keywords", []) if (t := _tag(k))})


def _quality_notes(pkg: LocalPackage) -> list[str]:
    quality = pkg.quality or {}
    placed = quality.get("celdas_reconstruidas", [])
    discrepancies = quality.get("discrepancias", [])
    lines = ["## Calidad de los datos", ""]
    lines.append(
        f"- **Celdas vacías reconstruidas:** {len(placed)} celdas que el informe dejó en blanco se "
        "publicaron como cero tras deducir su posición (reglas de fila y totales del cuadro). "
        "La lista está en el recurso «Informe de calidad» (calidad.json)."
    )
    if discrepancies:
        lines.append(
            f"- **Discrepancias del informe consigo mismo:** {len(discrepancies)}; las cifras se "
            "publican tal como se imprimieron:"
        )
        for item in discrepancies:
            where = ", ".join(
                x for x in (item.get("recurso"), f"línea {item['linea']}" if item.get("linea") else "") if x
            )
            lines.append(f"  - {where}: {item.get('descripcion', '')}")
    else:
        lines.append("- **Discrepancias del informe consigo mismo:** ninguna.")
    return lines


GUIDE_TITLE = "Guía ciudadana: ver, descargar y consultar estos datos"


def guide_section(guide_url: str | None) -> list[str]:
    """How a citizen reads the tables; links the guide once the portal has named its file."""
    guide = f"[{GUIDE_TITLE}]({guide_url})" if guide_url else f"«{GUIDE_TITLE}» (recurso de este conjunto)"
    return [
        "## Cómo consultar estos datos",
        "",
        "Cada cuadro se ve en el portal como tabla (ordenar, buscar, filtrar) y como gráfico, se descarga "
        "en CSV y se consulta por la API del DataStore (`datastore_search` con `filters` y `q`, "
        f"`datastore_search_sql`). Paso a paso, con ejemplos: {guide}.",
    ]


def notes(pkg: LocalPackage, guide_url: str | None = None) -> str:
    """The dataset description (Markdown): what the report is, the period, the source, the quality notes."""
    d = pkg.descriptor
    period = d.get("periodo", {})
    publisher = _publisher(d)
    lines = [d.get("description", "")]
    if period:
        lines += ["", f"**Período:** {period.get('etiqueta', '')} ({period.get('inicio')} a {period.get('fin')})."]
    for source in d.get("sources", []):
        digest = f" (sha256 `{source['sha256']}`)" if source.get("sha256") else ""
        by = f", publicado por {publisher.get('title')}" if publisher.get("title") else ""
        lines += ["", f"**Informe de origen:** `{source.get('title')}`{digest}{by}."]
    lines += [
        "",
        *(_quality_notes(pkg) if pkg.quality is not None else []),
        "",
        "## Archivos",
        "",
        "Un CSV por cuadro del informe; `datapackage.json` (Frictionless Data Package v2) describe cada "
        "campo (tipo, unidad, claves); el ZIP contiene el paquete completo con su diccionario de datos "
        "(README.md).",
        "",
        *guide_section(guide_url),
    ]
    return "\n".join(lines).strip() + "\n"


def provenance(pkg: LocalPackage) -> str:
    d = pkg.descriptor
    sources = "; ".join(
        f"«{s.get('title')}»" + (f" (sha256 {s['sha256']})" if s.get("sha256") else "") for s in d.get("sources", [])
    )
    tool = d.get("programa_informatico", {})
    made_by = f" con {tool.get('nombre')} {tool.get('version')}" if tool else ""
    return (
        f"Cuadros extraídos{made_by} del texto del informe {sources}, publicados tal como se imprimieron; "
        "las celdas vacías reconstruidas y las discrepancias del informe se documentan en calidad.json."
    )


def license_id(pkg: LocalPackage) -> tuple[str, str | None]:
    """(CKAN license id, license URL) for the package's first license."""
    licenses = pkg.descriptor.get("licenses") or [{}]
    first = licenses[0]
    return LICENSES.get(first.get("name", ""), "other-open" if first else "notspecified"), first.get("path")


def extras(pkg: LocalPackage, org: dict[str, str]) -> dict[str, str]:
    """Dataset extras ckanext-dcat maps to DCAT-AP (plus two of our own, documented)."""
    d = pkg.descriptor
    period = d.get("periodo", {})
    spatial = d.get("cobertura_espacial", {})
    publisher = _publisher(d)
    found: dict[str, str] = {
        "identifier": d["name"],
        "language": LANGUAGE,
        "provenance": provenance(pkg),
        "publisher_name": publisher.get("title", org["title"]),
        "contact_name": publisher.get("title", org["title"]),
        TAGS_EXTRA: json.dumps(tags(pkg), ensure_ascii=False),
    }
    if publisher.get("path"):
        found["publisher_url"] = publisher["path"]
    series = series_of(d)
    if series.get("temas"):
        found["theme"] = json.dumps(series["temas"])
    if series.get("tipo_publicador"):
        found["publisher_type"] = series["tipo_publicador"]
    if d.get("$schema"):
        found["conforms_to"] = json.dumps([d["$schema"]])
    if period.get("inicio"):
        found["temporal_start"] = period["inicio"]
    if period.get("fin"):
        found["temporal_end"] = period["fin"]
    if period.get("clave"):
        found["periodo"] = period["clave"]
        letter = re.search(r"-([A-Z])\d+$", period["clave"])
        if letter and letter.group(1) in FREQUENCIES:
            found["frequency"] = FREQUENCIES[letter.group(1)]
    if spatial.get("nombre"):
        found["spatial_text"] = spatial["nombre"]
    if spatial.get("wikidata"):
        found["spatial_uri"] = WIKIDATA + spatial["wikidata"]
    sources = d.get("sources", [])
    if sources:
        found["informe_fuente"] = sources[0].get("title", "")
        if sources[0].get("sha256"):
            found["informe_fuente_sha256"] = sources[0]["sha256"]
    return found


def dataset(
    pkg: LocalPackage, org: dict[str, str], group_specs: list[GroupSpec], guide_url: str | None = None
) -> dict[str, Any]:
    """The dataset fields the publisher owns (tags/groups/extras are merged, never replaced wholesale)."""
    d = pkg.descriptor
    license, _ = license_id(pkg)
    fields: dict[str, Any] = {
        "name": d["name"],
        "title": d.get("title", d["name"]),
        "notes": notes(pkg, guide_url),
        "license_id": license,
        "version": str(d.get("version", "")),
        "url": d.get("homepage", ""),
        "owner_org": org["name"],
        "tags": tags(pkg),
        "groups": [g.name for g in group_specs],
        "extras": extras(pkg, org),
    }
    return fields


def _format(f: LocalFile) -> tuple[str, str]:
    ext = f.path.suffix.lstrip(".").lower()
    declared = str(f.resource.get("format") or ext).lower()
    fmt = FORMATS.get(declared, declared.upper())
    media = f.resource.get("mediatype") or MEDIA_TYPES.get(ext) or mimetypes.guess_type(f.path.name)[0] or ""
    return fmt, media


def download_fields(url: str) -> dict[str, str]:
    """`dcat:downloadURL` and `dcat:accessURL` of an uploaded file: both its download link.

    ckanext-dcat writes `download_url` as `dcat:downloadURL`; it falls back to the
    resource `url` for `dcat:accessURL` only when that differs from `download_url`,
    so `access_url` is set too (DCAT-AP makes accessURL mandatory and, for a file
    that downloads directly, lets it be the same link).
    """
    return {"download_url": url, "access_url": url}


def resource(
    f: LocalFile, pkg: LocalPackage, descriptor_url: str | None, download_url: str | None = None
) -> dict[str, str]:
    """The resource fields we own, all strings (they travel in a multipart upload).

    `descriptor_url` is where the portal serves datapackage.json: a table's
    schema link points into it (`…/datapackage.json#/resources/<i>/schema`).
    Unknown before that resource exists; callers leave the link out then.
    `download_url` is the portal's link to the uploaded file (the resource
    `url`, which holds the resource id): unknown before the first upload, so
    apply.py sets it right after uploading (see `download_fields`).
    """
    fmt, media = _format(f)
    _, license_url = license_id(pkg)
    profile = pkg.descriptor.get("$schema", "")
    fields = {
        KEY_FIELD: f.key,
        "format": fmt,
        "mimetype": media,
        "hash": f.sha256,
        "hash_algorithm": SHA256,
        "size": str(f.size),
        "language": LANGUAGE,
    }
    if license_url:
        fields["license"] = license_url
    if download_url:
        fields.update(download_fields(download_url))
    if f.kind in ("table", "data"):
        r = f.resource
        name = r.get("title") or r.get("name", f.upload_name)
        if isinstance(r.get("path"), list):  # one resource, several files (e.g. the graph in two syntaxes)
            name = f"{name} ({f.upload_name})"
        parts = [r.get("description", "")]
        if r.get("fuente"):
            parts.append(
                r["fuente"]
                if r["fuente"].lower().startswith("fuente") or r["fuente"].startswith("El ")
                else f"Fuente: {r['fuente']}"
            )
        if r.get("nota"):
            parts.append(f"Nota: {r['nota']}")
        if f.kind == "table":
            parts.append(
                f"Archivo `{r.get('path')}` del paquete; el esquema de campos (tipos, unidades, claves) "
                "está en datapackage.json."
            )
            if descriptor_url:
                link = f"{descriptor_url}#/resources/{f.index}/schema"
                fields["schema"] = link
                fields["conforms_to"] = link
        fields.update(name=name, description="\n\n".join(p for p in parts if p))
    elif f.kind == "guide":
        fields.update(
            name=GUIDE_TITLE,
            description="Cómo ver cada cuadro como tabla y gráfico, descargarlo y consultarlo por la API "
            "del DataStore (datastore_search con filters y q, datastore_search_sql sobre las "
            "series de todos los períodos), con ejemplos resueltos. Texto en Markdown.",
        )
    elif f.kind == "descriptor":
        fields.update(
            name="Descriptor del paquete de datos (datapackage.json)",
            description="Metadatos del paquete en formato Frictionless Data Package v2: cada cuadro con "
            "su esquema de campos (tipos, unidades, claves foráneas), fuentes, período, "
            "cobertura y licencia.",
        )
        if profile:
            fields["conforms_to"] = profile
    else:
        fields.update(
            name="Paquete de datos completo (ZIP)",
            description="Todos los archivos del paquete en un ZIP: los CSV, datapackage.json, el informe "
            "de calidad, el diccionario de datos (README.md) y, si lo hay, el grafo RDF. Se "
            "valida con `frictionless validate " + f.upload_name + "`.",
        )
        if profile:
            fields["conforms_to"] = profile
    return fields

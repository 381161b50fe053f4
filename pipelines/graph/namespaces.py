"""Every IRI the graph uses, minted in one place.

Two bases, on purpose:

* the vocabulary and its code lists live at the fixed `VOCAB_BASE`
  (`https://w3id.org/rendicion-abierta/`), because `vocab/*.ttl` names them and
  every package must point to the same concepts;
* the instance data of a package (the package itself, its datasets,
  observations, rows, distributions, the source report, the build) lives under
  a configurable base (setting `RENDICION_BASE_IRI`, passed down from the edge), or `VOCAB_BASE`.

`RA` is a closed namespace: a misspelt `RA.term` raises at import time (and a
test keeps its terms equal to the ones `vocab/ontologia.ttl` defines).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

VOCAB_BASE = "https://w3id.org/rendicion-abierta/"
DEFAULT_BASE = VOCAB_BASE


class RA(DefinedNamespace):
    """rendición abierta's own terms (vocab/ontologia.ttl)."""

    _fail = True
    _NS = Namespace(VOCAB_BASE + "def#")

    # classes
    Programa: URIRef
    ActividadPresupuestaria: URIRef
    MetaFisica: URIRef
    Fila: URIRef
    Cuatrimestre: URIRef
    Afirmacion: URIRef
    # dimensions
    programa: URIRef
    actividad: URIRef
    grupoGasto: URIRef
    fila: URIRef
    afirmacion: URIRef
    # measures
    cifraDeclarada: URIRef
    # links
    financiadoPor: URIRef
    direccion: URIRef
    medidaBeneficiarios: URIRef
    totalesDe: URIRef
    reafirma: URIRef
    # measure-property facets
    sexo: URIRef
    pueblo: URIRef
    # attributes and annotations
    lineaInforme: URIRef
    posicion: URIRef
    fuente: URIRef
    fechaFuente: URIRef
    iso31662: URIRef
    celdaReconstruida: URIRef
    textoDeclarado: URIRef
    expresion: URIRef
    valorDeclarado: URIRef
    valorCalculado: URIRef
    tipoDiscrepancia: URIRef
    comprobaciones: URIRef
    comprobacionesCumplidas: URIRef
    # data quality (W3C DQV)
    consistenciaInterna: URIRef
    proporcionComprobacionesCumplidas: URIRef
    # individuals
    total: URIRef


MEDIDA = Namespace(VOCAB_BASE + "def/medida/")
"""Measures, one namespace per series: medida/<series>/<field name> (see `SeriesTerms`)."""
CAMPO = Namespace(VOCAB_BASE + "def/campo/")
"""Text and date fields of rows without a code, per series: campo/<series>/<field name>."""
ESTRUCTURA = Namespace(VOCAB_BASE + "def/estructura/")
"""Data structure definitions: estructura:<series>/<table>."""
CODIGO = Namespace(VOCAB_BASE + "codigo/")
ORGANIZACION = Namespace(VOCAB_BASE + "organizacion/")
COUNTRY = URIRef(VOCAB_BASE + "codigo/pais/GT")

SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
OBEU_DIMENSION = Namespace("http://data.openbudgets.eu/ontology/dsd/dimension/")
OBEU_MEASURE = Namespace("http://data.openbudgets.eu/ontology/dsd/measure/")
OBEU_ATTRIBUTE = Namespace("http://data.openbudgets.eu/ontology/dsd/attribute/")
BUDGET_PHASE = Namespace("http://data.openbudgets.eu/resource/codelist/budget-phase/")
OBEU_CURRENCY = Namespace("http://data.openbudgets.eu/resource/codelist/currency/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
MEDIA_TYPE = Namespace("https://www.iana.org/assignments/media-types/")

PREFIXES: dict[str, str] = {
    "ra": str(RA._NS),
    "medida": str(MEDIDA),
    "campo": str(CAMPO),
    "estructura": str(ESTRUCTURA),
    "codigo": str(CODIGO),
    "qb": "http://purl.org/linked-data/cube#",
    "sdmx-dimension": str(SDMX_DIMENSION),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "obeu-dimension": str(OBEU_DIMENSION),
    "obeu-measure": str(OBEU_MEASURE),
    "obeu-attribute": str(OBEU_ATTRIBUTE),
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": str(SPDX),
    "dqv": str(DQV),
    "oa": str(OA),
    "vcard": str(VCARD),
    "wd": str(WIKIDATA),
}


def slug(text: str) -> str:
    """IRI-safe, accent-free, lower-case key of a name: stable as long as the name is."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if unicodedata.category(c) != "Mn")
    return re.sub(r"[^a-z0-9]+", "-", bare).strip("-")


def data_base(base: str | None = None) -> str:
    """The instance-data base IRI: the argument (read from the settings at the edge) or the default; ends in `/`."""
    chosen = base or DEFAULT_BASE
    return chosen if chosen.endswith(("/", "#")) else chosen + "/"


# Code-list members, named from the keys the series description and the report give.
def department(code: str) -> URIRef:
    return CODIGO[f"departamento/{code}"]


@dataclass(frozen=True)
class SeriesTerms:
    """The IRIs one series mints, under its own key so two institutions never share one by accident.

    Two series may both have a field `ejecutado` or a program `salud`; what they
    mean is each institution's, so measures, fields, programs, Direcciones and
    activities are namespaced by series (`medida/sosep/asignado`,
    `codigo/programa/sosep/hogares-comunitarios`). Departments, periods, units
    and MINFIN's expenditure groups are national code lists and are not.
    """

    key: str

    @property
    def medida(self) -> Namespace:
        return Namespace(f"{MEDIDA}{self.key}/")

    @property
    def campo(self) -> Namespace:
        return Namespace(f"{CAMPO}{self.key}/")

    def program(self, key: str) -> URIRef:
        return CODIGO[f"programa/{self.key}/{key}"]

    def activity(self, name: str) -> URIRef:
        return CODIGO[f"actividad/{self.key}/{slug(name)}"]

    def directorate(self, name: str) -> URIRef:
        return CODIGO[f"direccion/{self.key}/{slug(name)}"]

    def prefixes(self) -> dict[str, str]:
        """Prefix names for this series' namespaces, as a package's graph declares them."""
        return {
            "medida": str(self.medida),
            "campo": str(self.campo),
            "programa": f"{CODIGO}programa/{self.key}/",
            "actividad": f"{CODIGO}actividad/{self.key}/",
            "direccion": f"{CODIGO}direccion/{self.key}/",
        }


def period(key: str) -> URIRef:
    return CODIGO[f"periodo/{key}"]


def unit(key: str) -> URIRef:
    return CODIGO[f"unidad/{key}"]


def sex(key: str) -> URIRef:
    return CODIGO[f"sexo/{key}"]


def people(key: str) -> URIRef:
    return CODIGO[f"pueblo/{key}"]


def expenditure_group(code: str) -> URIRef:
    return CODIGO[f"grupo-gasto/{code}"]


def organization(key: str) -> URIRef:
    return ORGANIZACION[slug(key)]

"""PDF reports: the same package figures as the text, PDF provenance, and bounded, one-line failures.

The PDF is built from the bundled text (tests/pdfs.py): table rows as positioned
cells with the zero cells the text leaves out left empty, so no figure is
hard-coded here. pdftotext must be installed (`make setup` does it): these tests
fail, never skip, without it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV

from pipelines.cli import main
from pipelines.errors import ReportError
from pipelines.graph.namespaces import SPDX
from pipelines.report import pdf, text
from pipelines.report.text import REPORT_SUFFIXES, load_report
from pipelines.tables.model import ParsedReport
from pipelines.tables.parse import parse_report
from tests.pdfs import encrypted_pdf, report_pdf, scanned_pdf
from tests.variants import BUNDLED, bundled_text

NAME = "sosep-informe-cuatrimestral-2021-1"
PDF_NAME = "sosep-2021-cuatrimestre-1.pdf"


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    return report_pdf(bundled_text(), folder / PDF_NAME)


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory, report_file: Path) -> tuple[Path, Path]:
    """(package built from the PDF, package built from the bundled text), in separate folders."""
    from_pdf, from_text = tmp_path_factory.mktemp("desde-pdf"), tmp_path_factory.mktemp("desde-txt")
    assert main(["build", str(report_file), "--out", str(from_pdf)]) == 0
    assert main(["build", str(BUNDLED), "--out", str(from_text)]) == 0
    return from_pdf / NAME, from_text / NAME


def without_lines(value: object) -> object:
    """A JSON value without report line numbers: the PDF's text has its own line numbering."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if k not in ("linea", "lineaInforme")}
    if isinstance(value, list):
        return [without_lines(v) for v in value]
    return value


def figures(parsed: ParsedReport) -> dict[str, object]:
    return {
        "tables": {
            name: ([(r.label, r.values) for r in t.rows], t.totals, t.source) for name, t in parsed.tables.items()
        },
        "placed": [(c.recurso, c.fila, c.campo, c.valor, c.metodo) for c in parsed.placed],
        "discrepancies": [
            (d.recurso, d.campo, d.valor_declarado, d.valor_calculado, d.descripcion, d.tipo)
            for d in parsed.discrepancies
        ],
    }


def test_pdftotext_is_installed() -> None:
    assert shutil.which(pdf.PDFTOTEXT), "pdftotext falta: `make setup` instala poppler-utils"


def test_report_suffixes_name_text_and_pdf() -> None:
    assert REPORT_SUFFIXES == (".txt", ".pdf")


def test_test_pdf_is_byte_stable(report_file: Path, tmp_path: Path) -> None:
    again = report_pdf(bundled_text(), tmp_path / PDF_NAME)
    assert again.read_bytes() == report_file.read_bytes()


def test_pdf_gives_every_table_row_total_blank_and_discrepancy_of_the_text(
    report_file: Path, bundled: ParsedReport
) -> None:
    from_pdf = parse_report(load_report(report_file))
    assert figures(from_pdf) == figures(bundled)
    assert from_pdf.placed and from_pdf.discrepancies  # the comparison is not vacuous


def test_pdf_package_has_the_text_package_tables_and_quality_report(packages: tuple[Path, Path]) -> None:
    from_pdf, from_text = packages
    tables = sorted(p.relative_to(from_text) for p in (from_text / "data").glob("*.csv"))
    assert len(tables) == 9
    for relative in tables:
        assert (from_pdf / relative).read_bytes() == (from_text / relative).read_bytes(), relative
    quality = [json.loads((folder / "calidad.json").read_text(encoding="utf-8")) for folder in packages]
    assert without_lines(quality[0]) == without_lines(quality[1])
    descriptors = [json.loads((folder / "datapackage.json").read_text(encoding="utf-8")) for folder in packages]
    assert without_lines({**descriptors[0], "sources": None}) == without_lines({**descriptors[1], "sources": None})


def test_datapackage_sources_record_the_pdf_hash_and_the_extractor(
    packages: tuple[Path, Path], report_file: Path
) -> None:
    descriptor = json.loads((packages[0] / "datapackage.json").read_text(encoding="utf-8"))
    [source] = descriptor["sources"]
    pdf_hash = hashlib.sha256(report_file.read_bytes()).hexdigest()
    assert source["title"] == PDF_NAME and source["sha256"] == pdf_hash
    assert source["mediatype"] == "application/pdf"
    said = subprocess.run([pdf.PDFTOTEXT, "-v"], capture_output=True, text=True).stderr
    assert source["extraccion"]["programa"] == "pdftotext" and source["extraccion"]["paquete"] == "poppler-utils"
    assert f"version {source['extraccion']['version']}" in said
    assert source["extraccion"]["opciones"] == ["-layout", "-enc", "UTF-8"]
    text_source = json.loads((packages[1] / "datapackage.json").read_text(encoding="utf-8"))["sources"][0]
    assert "extraccion" not in text_source and text_source["sha256"] != pdf_hash


def test_graph_provenance_names_the_pdf_and_the_extraction(packages: tuple[Path, Path], report_file: Path) -> None:
    graph = Graph().parse(packages[0] / "grafo.ttl")
    package = next(graph.subjects(DCTERMS.identifier, Literal(NAME)))
    report = graph.value(package, PROV.wasDerivedFrom)
    assert str(graph.value(report, DCTERMS.title)) == PDF_NAME
    checksum = graph.value(report, SPDX.checksum)
    assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(report_file.read_bytes()).hexdigest()
    assert graph.value(report, DCTERMS.format) == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/PDF"
    )
    build = graph.value(package, PROV.wasGeneratedBy)
    extraction = graph.value(build, PROV.wasInformedBy)
    assert (extraction, PROV.used, report) in graph
    tool = graph.value(extraction, PROV.wasAssociatedWith)
    assert str(graph.value(tool, OWL.versionInfo)) == load_report(report_file).extractor.version  # type: ignore[union-attr]
    assert "pdftotext -layout" in str(graph.value(extraction, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")))


# --- failures: one ReportError line naming the file, bounded in time and memory -------------------------------


def refused(path: Path) -> ReportError:
    with pytest.raises(ReportError) as info:
        load_report(path)
    message = str(info.value)
    assert message.startswith(path.name) and "\n" not in message, message
    return info.value


def fake_extractor(folder: Path, body: str) -> Path:
    """An executable standing in for pdftotext: says a version on -v, otherwise runs `body`."""
    script = folder / "pdftotext-falso"
    script.write_text(
        f"#!{sys.executable}\nimport sys, time\nif sys.argv[1:] == ['-v']:\n"
        "    sys.stderr.write('pdftotext version 0.0-prueba\\n'); sys.exit(0)\n" + body,
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def test_a_file_that_is_not_a_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "informe.pdf"
    path.write_text("Primer Informe Cuatrimestral\n", encoding="utf-8")
    assert "no es un PDF" in str(refused(path))


def test_an_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    assert "contraseña" in str(refused(encrypted_pdf(bundled_text(), tmp_path / "cifrado.pdf")))


def test_a_scanned_pdf_without_text_is_refused(tmp_path: Path) -> None:
    assert "escaneada" in str(refused(scanned_pdf(tmp_path / "escaneado.pdf")))


def test_a_pdf_named_txt_is_refused_with_the_fix(report_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "informe.txt"
    path.write_bytes(report_file.read_bytes())
    assert ".pdf" in str(refused(path))


def test_a_missing_extractor_is_a_clear_error(report_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "PDFTOTEXT", "pdftotext-que-no-existe")
    assert "poppler-utils" in str(refused(report_file))


def test_the_pdf_file_is_held_to_the_text_size_limit(report_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "MAX_BYTES", report_file.stat().st_size - 1)
    monkeypatch.setattr(pdf, "PDFTOTEXT", "pdftotext-que-no-existe")  # refused before any extraction
    assert "pesa más de" in str(refused(report_file))


def test_a_hanging_extractor_is_stopped(report_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "PDFTOTEXT", str(fake_extractor(tmp_path, "time.sleep(120)\n")))
    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 1.0)
    started = time.monotonic()
    assert "pasó de 1 s" in str(refused(report_file))
    assert time.monotonic() - started < 15


def test_the_extractor_runs_under_a_memory_limit(
    report_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = (
        "try:\n    hoard = bytearray(2 * 1024 ** 3)\nexcept MemoryError:\n"
        "    sys.stderr.write('sin memoria\\n'); sys.exit(1)\nprint('Informe')\n"
    )
    monkeypatch.setattr(pdf, "PDFTOTEXT", str(fake_extractor(tmp_path, body)))
    monkeypatch.setattr(pdf, "MEMORY_BYTES", 512 * 1024**2)
    assert "sin memoria" in str(refused(report_file))


def test_runaway_text_output_is_cut_off(report_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "while True:\n    sys.stdout.write('1 2 3 4 5 6 7 8 9\\n' * 1000)\n"
    monkeypatch.setattr(pdf, "PDFTOTEXT", str(fake_extractor(tmp_path, body)))
    with pytest.raises(ReportError, match="pasa de 65536 bytes"):
        pdf.extract_text(report_file.read_bytes(), report_file.name, max_text=65536)


def test_cli_prints_one_error_line_for_a_bad_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = scanned_pdf(tmp_path / "escaneado.pdf")
    assert main(["build", str(bad), "--out", str(tmp_path / "paquetes")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: escaneado.pdf: ") and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "paquetes" / NAME).exists()


def test_control_characters_in_the_extracted_text_name_their_line(
    report_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "sys.stdout.write('Primer Informe\\nEjecuci\\x03n Financiera\\n')\n"
    monkeypatch.setattr(pdf, "PDFTOTEXT", str(fake_extractor(tmp_path, body)))
    error = refused(report_file)
    assert "U+0003" in str(error) and error.line == 2

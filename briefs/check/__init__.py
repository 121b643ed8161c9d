"""``briefs check``: what a PDF or DOCX file claims, and whether it holds.

For a PDF: its conformance declarations (PDF/A, PDF/UA), tagging, language, title, heading order, table
headers and their scope, embedded fonts with Unicode maps for every code shown, artifacts and language
changes, each rule citing its clause of ISO 14289-1 (PDF/UA-1, with the Matterhorn Protocol's failure
conditions) or ISO 19005 (PDF/A). For a DOCX: languages on every run, title, heading styles and order,
table header rows, no empty paragraphs as spacing.

    from briefs.check import check
    for report in check([Path("output")]):
        print(report.file, report.ok, [rule.id for rule in report.failed])
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from briefs.check.report import FileReport, RuleResult

__all__ = ["KINDS", "FileReport", "RuleResult", "check", "check_file", "files", "rules"]

KINDS = {".pdf": "pdf", ".docx": "docx"}


def files(paths: Iterable[Path]) -> list[Path]:
    """The files to check: each file named, and the PDF and DOCX files under each folder named, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix.lower() in KINDS and p.is_file() and not _hidden(p, path))
            )
        else:
            found.append(path)
    return found


def _hidden(path: Path, root: Path) -> bool:
    """Temporary files of an atomic write (``.name.tmp``) and anything in a hidden folder."""
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def check_file(path: Path) -> FileReport:
    """One file's report; the kind comes from the first bytes (``%PDF``, a zip) or else the suffix."""
    kind = KINDS.get(path.suffix.lower())
    try:
        with path.open("rb") as stream:
            head = stream.read(1024)
    except OSError as error:
        return FileReport(str(path), kind or "unknown", error=f"{path}: cannot be read: {error.strerror or error}")
    if b"%PDF-" in head:
        kind = "pdf"
    elif head.startswith(b"PK\x03\x04"):
        kind = "docx"
    if kind == "pdf":
        from briefs.check.pdf import check_pdf

        return check_pdf(path)
    if kind == "docx":
        from briefs.check.docx import check_docx

        return check_docx(path)
    return FileReport(str(path), "unknown", error=f"{path}: neither a PDF nor a DOCX file")


def check(paths: Iterable[Path]) -> list[FileReport]:
    """A report per file, in order: folders are searched for .pdf and .docx files."""
    return [check_file(path) for path in files(paths)]


def rules(kind: str) -> list[tuple[str, str]]:
    """The rules applied to a kind of file (``pdf``, ``docx``): their ids and clauses, in report order."""
    if kind == "pdf":
        from briefs.check.pdf import RULES as PDF_RULES

        return [(rule.id, rule.clause) for rule in PDF_RULES.rules]
    if kind == "docx":
        from briefs.check.docx import RULES as DOCX_RULES

        return [(rule.id, rule.clause) for rule in DOCX_RULES.rules]
    raise ValueError(f"no rules for {kind!r}")

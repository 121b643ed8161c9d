"""``briefs check``: what each PDF or DOCX file claims and which rules hold, as text or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from briefs.cli.options import CliState, global_options
from briefs.errors import EXIT_FAILED, EXIT_INVALID_INPUT, UsageError
from briefs.options import DEFAULT_OUTPUT

if TYPE_CHECKING:
    from briefs.check import FileReport

CHECK_EXIT = """Exit codes: 0 every rule holds in every file; 1 a rule fails; 2 a file cannot be read (or none
was found); 130 interrupted."""


@click.command(epilog=CHECK_EXIT)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON list: file, kind, claims, rules (id, clause, ok, detail)."
)
@global_options
@click.pass_obj
def check(state: CliState, paths: tuple[Path, ...], as_json: bool) -> None:
    """Check PDF and DOCX files (default: every one under output/): conformance claims, tagging, language,
    title, headings, table headers, fonts, artifacts; each rule with its clause of ISO 14289-1 (PDF/UA-1,
    Matterhorn Protocol), ISO 19005 (PDF/A) or WCAG 2.2.

    Folders are searched for .pdf and .docx files.
    """
    from briefs.check import check as run_check

    chosen = paths or (DEFAULT_OUTPUT,)
    reports = run_check(chosen)
    if not reports:
        raise UsageError(f"no PDF or DOCX files in {', '.join(str(p) for p in chosen)}")
    for report in reports:
        if report.error is not None:
            click.echo(report.error, err=True)
    if as_json:
        click.echo(json.dumps([report.to_dict() for report in reports], ensure_ascii=False, indent=2))
    else:
        for report in reports:
            _print(report, state.verbosity)
        if state.verbosity >= 0:
            passed = sum(report.ok for report in reports)
            unreadable = sum(report.error is not None for report in reports)
            failed = len(reports) - passed - unreadable
            click.echo(f"{len(reports)} file(s) checked: {passed} pass, {failed} fail, {unreadable} unreadable")
    if any(report.error is not None for report in reports):
        sys.exit(EXIT_INVALID_INPUT)
    if not all(report.ok for report in reports):
        sys.exit(EXIT_FAILED)


def _print(report: FileReport, verbosity: int) -> None:
    if report.error is not None:
        return
    if verbosity < 0 and report.ok:
        return
    click.echo(f"{'PASS' if report.ok else 'FAIL'} {report.file}: {_summary(report)}")
    for rule in report.rules:
        if verbosity < 0 and rule.ok:
            continue
        click.echo(f"  {'PASS' if rule.ok else 'FAIL'} {rule.id}: {rule.detail} [{rule.clause}]")


def _summary(report: FileReport) -> str:
    claims = report.claims
    parts: list[str] = []
    if report.kind == "pdf":
        parts.append(f"PDF/A-{claims['pdfa']}" if claims.get("pdfa") else "no PDF/A claim")
        parts.append(f"PDF/UA-{claims['pdfua']}" if claims.get("pdfua") else "no PDF/UA claim")
        parts.append(str(claims.get("lang") or "no language"))
    else:
        languages = claims.get("languages")
        parts.append("DOCX")
        parts.append(
            ", ".join(str(tag) for tag in languages) if isinstance(languages, list) and languages else "no language"
        )
    title = claims.get("title")
    parts.append(f"“{title}”" if title else "no title")
    return ", ".join(parts)

"""Template filling: the Jinja environment and context docxtpl renders with, and its escaping."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import Environment
from markupsafe import Markup, escape

from briefs.errors import RenderError
from briefs.localize.view import BriefView
from briefs.render.docx.ooxml import story_parts
from briefs.render.templating import placeholders, strict_environment

EXTRA_VARIABLES = {
    "page_x_of_y": "the footer label with PAGE and NUMPAGES fields; use as {{r page_x_of_y }}",
    "links": "source URL -> a hyperlink; use as {{r links[source.url] }}",
}
"""Template variables besides the fields of BriefView."""
PAGE_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}
"""Placeholders of the footer.page label and the Word fields that stand for them."""

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _xml_text(value: Any) -> Markup:
    """Every printed value, as XML text: escaped, with braces as character references.

    docxtpl turns "{_{" in its output back into "{{"; written as &#123;, a brace
    in the data stays the brace it is.
    """
    if value is None:
        raise RenderError("a template printed an empty value (None); guard optional fields with {% if %}")
    text = str(escape(value))
    if _XML_INVALID.search(text):
        raise RenderError(f"text with a character XML cannot hold: {text[:60]!r}")
    return Markup(text.replace("{", "&#123;").replace("}", "&#125;"))  # noqa: S704 (escaped just above)


def environment() -> Environment:
    """The Jinja environment of the DOCX templates: undefined names fail, every value is escaped."""
    return strict_environment(autoescape=True, finalize=_xml_text)


def template_variables() -> set[str]:
    """The names a DOCX template may use: the fields of BriefView and EXTRA_VARIABLES."""
    return {f.name for f in dataclasses.fields(BriefView)} | set(EXTRA_VARIABLES)


def page_x_of_y(label: str) -> Markup:
    """``Page {page} of {pages}`` as runs of text around PAGE and NUMPAGES fields, in the label's order."""
    parts: list[str] = []
    for text, name in placeholders(label):
        if name is None:
            parts.append(_text_run(text))
            continue
        field = PAGE_FIELDS.get(name)
        if field is None:
            raise RenderError(f"footer.page label {label!r}: unknown placeholder {text}")
        parts.append(f'<w:fldSimple w:instr=" {field} \\* MERGEFORMAT "><w:r><w:t>1</w:t></w:r></w:fldSimple>')
    return Markup("".join(parts))  # noqa: S704 (our own XML; the label's text is escaped in _text_run)


def _text_run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""


def _hyperlink(template: DocxTemplate, url: str) -> Markup:
    rid = template.build_url_id(url)
    return Markup(  # noqa: S704 (our own XML; the URL is escaped)
        f'<w:hyperlink xmlns:r="{_R}" r:id="{rid}" w:history="1"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/>'
        f'</w:rPr><w:t xml:space="preserve">{escape(url)}</w:t></w:r></w:hyperlink>'
    )


def context(view: BriefView, template: DocxTemplate) -> dict[str, Any]:
    """The view's fields as template variables (shallow: attribute access stays), and the extras."""
    values = {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}
    values["page_x_of_y"] = page_x_of_y(view.labels["footer.page"])
    values["links"] = {s.url: _hyperlink(template, s.url) for s in view.sources if s.url}
    return values


def remove_empty_runs(doc: DocxDocument) -> None:
    """docxtpl leaves an empty run where a {% %} tag was; they would only clutter the file."""
    for root in story_parts(doc):
        for run in root.iter(qn("w:r")):
            children = [c for c in run if c.tag != qn("w:rPr")]
            if all(c.tag == qn("w:t") and not c.text for c in children):
                run.getparent().remove(run)

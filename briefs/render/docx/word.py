"""Word structure the template cannot hold: the brief's language, no prompt to update fields, core properties."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from briefs.localize.view import BriefView
from briefs.render.docx.ooxml import insert_before, story_parts

LAST_MODIFIED_BY = "briefs"
REVISION = 1


# Children that must follow an element we add, in the order the OOXML schema fixes
# (Word refuses a file whose children are out of order).
_AFTER_LANG = (
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
    *(f"w14:{tag}" for tag in ("glow", "shadow", "reflection", "textOutline", "textFill", "scene3d", "props3d")),
    *(f"w14:{tag}" for tag in ("ligatures", "numForm", "numSpacing", "stylisticSets", "cntxtAlts")),
    "w:rPrChange",
)
_AFTER_THEME_FONT_LANG = (
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)


def _set_lang(rpr: Any, tag: str) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = parse_xml(f"<w:lang {nsdecls('w')}/>")
        insert_before(rpr, lang, _AFTER_LANG)
    lang.set(qn("w:val"), tag)


def set_language(doc: DocxDocument, tag: str) -> None:
    """``tag`` (bg-BG, en-GB) on the document defaults, every style and every run."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = parse_xml(f"<w:docDefaults {nsdecls('w')}/>")
        styles.insert(0, defaults)
    r_default = defaults.find(qn("w:rPrDefault"))
    if r_default is None:
        r_default = parse_xml(f"<w:rPrDefault {nsdecls('w')}/>")
        defaults.insert(0, r_default)
    if r_default.find(qn("w:rPr")) is None:
        r_default.append(parse_xml(f"<w:rPr {nsdecls('w')}/>"))
    _set_lang(r_default.find(qn("w:rPr")), tag)
    for style in styles.iter(qn("w:style")):
        if style.get(qn("w:type")) != "numbering":
            _set_lang(style.get_or_add_rPr(), tag)
    for root in story_parts(doc):
        for run in root.iter(qn("w:r")):
            _set_lang(run.get_or_add_rPr(), tag)
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = parse_xml(f"<w:themeFontLang {nsdecls('w')}/>")
        insert_before(settings, theme_lang, _AFTER_THEME_FONT_LANG)
    theme_lang.set(qn("w:val"), tag)


def no_field_prompts(doc: DocxDocument) -> None:
    """Word opens the file without asking to update its fields: no updateFields setting, no field marked dirty.

    A template saved by Word may carry either; the fields keep the results the builder wrote.
    """
    settings = doc.settings.element
    for update in settings.findall(qn("w:updateFields")):
        settings.remove(update)
    for root in story_parts(doc):
        for node in root.iter(qn("w:fldChar"), qn("w:fldSimple")):
            node.attrib.pop(qn("w:dirty"), None)


def set_properties(doc: DocxDocument, view: BriefView) -> None:
    """Core properties from the view; dates from the data, fixed revision and editor."""
    props = doc.core_properties
    info = view.info
    props.title = _property(info.title)
    props.subject = _property(info.subject)
    props.author = _property(info.author)
    props.keywords = _property(", ".join(info.keywords))
    props.language = info.language
    props.identifier = view.id
    props.version = view.version
    props.category = _property(view.kind_label)
    props.comments = props.content_status = ""
    props.last_modified_by = LAST_MODIFIED_BY
    props.revision = REVISION
    props.created = props.modified = _stamp(info.created)


MAX_PROPERTY = 255
"""Characters a core property holds (python-docx, after Word)."""


def _property(text: str) -> str:
    """``text``, shortened at a word to fit a core property, with an ellipsis: official titles can be longer."""
    if len(text) <= MAX_PROPERTY:
        return text
    head = text[: MAX_PROPERTY - 1]
    cut = head.rsplit(" ", 1)[0] if " " in head[MAX_PROPERTY // 2 :] else head
    return cut.rstrip(" ,;:–-") + "…"


def _stamp(created: str) -> datetime:
    return datetime.combine(date.fromisoformat(created[:10]), datetime.min.time(), UTC)

"""One source for the palette and the faces: styles/tokens.css.

The print stylesheets use the tokens through var() and hold no colour of their
own. The Word templates cannot read CSS, so these tests check that what a
designer saves in templates/docx/*.docx stays within the tokens: every colour
is a token colour, the title, headings and body text take the colours and
faces the stylesheets give the matching HTML elements, and every font is one
of the two token faces.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from briefs.config import Config

ROOT = Path(__file__).resolve().parent.parent
STYLES = ROOT / "styles"
TOKENS = STYLES / "tokens.css"
BASE_HTML = ROOT / "templates" / "html" / "base.html"
DOCX = ROOT / "templates" / "docx"
KINDS = ("one-page", "full")

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PARTS = re.compile(r"word/(styles|numbering|document|header\d*|footer\d*)\.xml$")
"""The parts of a template that carry formatting: styles, lists, the body with its tables, headers, footers."""

HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
LITERAL_COLOUR = re.compile(r"(?<![\w-])#[0-9a-fA-F]{3,8}(?![\w-])|\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(")

# Word style -> the HTML elements it stands for, as the stylesheets select them ("{kind}" is
# one-page or full). Of the rules naming one of these selectors, the last one in brief.css
# then <kind>.css that sets the property wins: the stylesheets go from general to specific.
TWINS = {
    "Normal": ("body",),
    "Title": ("h1", ".title", ".brief-{kind} .title"),
    "Heading1": ("h2", ".brief-{kind} h2"),
    "Heading2": ("h3", ".brief-{kind} h3"),
}


def w(name: str) -> str:
    return f"{{{W}}}{name}"


# --- tokens.css and the stylesheets ---------------------------------------------------------------------


def _strip_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)


def tokens() -> dict[str, str]:
    """``--name: value;`` declarations of tokens.css, without the dashes."""
    found = re.findall(r"--([\w-]+)\s*:\s*([^;]+);", _strip_comments(TOKENS.read_text(encoding="utf-8")))
    return {name: value.strip() for name, value in found}


def hex_colour(value: str) -> str:
    """``#0d3557`` or ``#fff`` as Word writes colours: ``0D3557``, ``FFFFFF``."""
    digits = value.strip().lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return digits.upper()


def token_colours() -> dict[str, str]:
    """Colour tokens, as Word writes them."""
    return {name: hex_colour(value) for name, value in tokens().items() if HEX.match(value)}


def face(value: str) -> str:
    """The first family of a font-family value, unquoted."""
    return value.split(",")[0].strip().strip("\"'")


def token_faces() -> dict[str, str]:
    return {name: face(value) for name, value in tokens().items() if name.startswith("font-")}


def other_stylesheets() -> list[Path]:
    return sorted(p for p in STYLES.glob("*.css") if p != TOKENS)


def rules(css: str) -> list[tuple[list[str], dict[str, str]]]:
    """(selectors, declarations) of every innermost rule; good enough for our flat stylesheets."""
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", _strip_comments(css)):
        declarations = dict(
            (prop.strip(), value.strip()) for prop, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body)
        )
        found.append(([s.strip() for s in selectors.split(",")], declarations))
    return found


def css_token(kind: str, style: str, prop: str) -> str | None:
    """The token the stylesheets of ``kind`` give ``prop`` of the HTML twin of Word ``style``."""
    selectors = {s.format(kind=kind) for s in TWINS[style]}
    token = None
    for sheet in ("brief.css", f"{kind}.css"):
        for names, declarations in rules((STYLES / sheet).read_text(encoding="utf-8")):
            if selectors & set(names) and prop in declarations:
                match = re.fullmatch(r"var\(--([\w-]+)\)", declarations[prop])
                token = match.group(1) if match else f"(not a token: {declarations[prop]})"
    return token


def test_tokens_name_the_palette_the_faces_and_the_type_scale():
    found = tokens()
    assert {"navy", "accent", "ink", "muted", "rule", "paper"} <= set(token_colours()), found
    assert set(token_faces()) == {"font-text", "font-heading"}, found
    assert {"size-root", "size-body", "size-title", "size-heading", "size-small"} <= set(found), found


def test_stylesheets_hold_no_literal_colour():
    sheets = other_stylesheets()
    assert {p.name for p in sheets} >= {"brief.css", "one-page.css", "full.css"}
    offenders = [
        (sheet.name, match.group(0))
        for sheet in sheets
        for match in LITERAL_COLOUR.finditer(sheet.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use a var(--…) of tokens.css instead"


def test_stylesheets_use_only_defined_tokens():
    defined = set(tokens())
    used = {
        (sheet.name, name)
        for sheet in other_stylesheets()
        for name in re.findall(r"var\(\s*--([\w-]+)", sheet.read_text(encoding="utf-8"))
    }
    assert len(used) > 20
    assert sorted((sheet, name) for sheet, name in used if name not in defined) == []


def test_tokens_are_loaded_before_the_other_stylesheets():
    html = BASE_HTML.read_text(encoding="utf-8")
    links = re.findall(r"style_url\(\s*'([^']+)'", html)
    assert links[:2] == ["tokens.css", "brief.css"], links


def test_the_build_allows_exactly_the_token_faces():
    assert set(Config().fonts) == set(token_faces().values())
    for name, value in tokens().items():
        if name.startswith("font-"):
            fallback = [family.strip().strip("\"'") for family in value.split(",")[1:]]
            assert fallback == list(Config().fallback_fonts), name


# --- The Word templates ---------------------------------------------------------------------------------


def parts(kind: str) -> dict[str, etree._Element]:
    with zipfile.ZipFile(DOCX / f"{kind}.docx") as package:
        return {name: etree.fromstring(package.read(name)) for name in package.namelist() if PARTS.match(name)}


def colours_in(root: etree._Element) -> list[tuple[str, str]]:
    """(where, colour) of every colour: text colours, border and underline colours, shading.
    "auto" is no colour where nothing is drawn: a shading's fill or pattern, a border of none."""
    found = []
    for el in root.iter(tag=etree.Element):
        where = etree.QName(el).localname
        if el.tag == w("color"):
            found.append((where, el.get(w("val"))))
        elif el.tag == w("shd"):
            found += [(f"shd {a}", el.get(w(a))) for a in ("fill", "color") if el.get(w(a), "auto") != "auto"]
        elif el.get(w("color")) is not None and el.get(w("val")) not in ("nil", "none"):
            found.append((where, el.get(w("color"))))
    return found


def styles_of(kind: str) -> tuple[dict[str, etree._Element], etree._Element | None]:
    root = parts(kind)["word/styles.xml"]
    styles = {s.get(w("styleId")): s for s in root.iter(w("style"))}
    return styles, root.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")


def style_run_property(kind: str, style: str, tag: str, attribute: str) -> str | None:
    """``attribute`` of ``tag`` in the run properties of ``style``, its base styles, else the defaults."""
    styles, defaults = styles_of(kind)
    ident: str | None = style
    seen: set[str] = set()
    while ident and ident in styles and ident not in seen:
        seen.add(ident)
        found = styles[ident].find(f"{w('rPr')}/{w(tag)}")
        if found is not None and found.get(w(attribute)) is not None:
            return found.get(w(attribute))
        based = styles[ident].find(w("basedOn"))
        ident = based.get(w("val")) if based is not None else None
    found = defaults.find(w(tag)) if defaults is not None else None
    return found.get(w(attribute)) if found is not None else None


@pytest.mark.parametrize("kind", KINDS)
def test_every_docx_colour_is_a_token_colour(kind):
    palette = set(token_colours().values())
    found = [(part, where, colour) for part, root in parts(kind).items() for where, colour in colours_in(root)]
    assert len(found) > 10
    assert [(part, where, colour) for part, where, colour in found if (colour or "").upper() not in palette] == []


@pytest.mark.parametrize("kind", KINDS)
def test_docx_table_styles_use_token_colours(kind):
    """The table styles have rules and shading, all in token colours."""
    styles, _ = styles_of(kind)
    palette = set(token_colours().values())
    for name in ("BriefTable", "BriefMetadata"):
        colours = [c for _, c in colours_in(styles[name])]
        assert colours, f"{name} has no rules or shading"
        assert {c.upper() for c in colours} <= palette, (name, colours)


@pytest.mark.parametrize("style", sorted(TWINS))
@pytest.mark.parametrize("kind", KINDS)
def test_docx_style_has_the_colour_of_its_html_twin(kind, style):
    token = css_token(kind, style, "color")
    assert token in token_colours(), f"{kind}: the stylesheets give {style}'s twin the colour {token}"
    assert style_run_property(kind, style, "color", "val") == token_colours()[token], f"{kind}: {style} != --{token}"


@pytest.mark.parametrize("style", sorted(TWINS))
@pytest.mark.parametrize("kind", KINDS)
def test_docx_style_has_the_face_of_its_html_twin(kind, style):
    token = css_token(kind, style, "font-family")
    assert token in token_faces(), f"{kind}: the stylesheets give {style}'s twin the face {token}"
    for slot in ("ascii", "hAnsi", "cs"):
        assert style_run_property(kind, style, "rFonts", slot) == token_faces()[token], (kind, style, slot)


def styles_in_use(kind: str) -> set[str]:
    """Ids of the styles the body, headers and footers name, the default styles, and the styles
    these are based on, continue with or are linked to. LibreOffice adds styles of its own, in
    its own default fonts, when it saves; no text uses them, so they are left out."""
    styles, _ = styles_of(kind)
    story = [root for name, root in parts(kind).items() if not name.endswith(("styles.xml", "numbering.xml"))]
    named = {el.get(w("val")) for root in story for tag in ("pStyle", "rStyle", "tblStyle") for el in root.iter(w(tag))}
    wanted = named | {ident for ident, style in styles.items() if style.get(w("default")) in ("1", "true", "on")}
    used: set[str] = set()
    while wanted:
        ident = wanted.pop()
        if ident in used or ident not in styles:
            continue
        used.add(ident)
        for tag in ("basedOn", "next", "link"):
            wanted |= {el.get(w("val")) for el in styles[ident].findall(w(tag))}
    return used


@pytest.mark.parametrize("kind", KINDS)
def test_every_docx_font_is_a_token_face(kind):
    """Fonts named by the styles in use, the document defaults, the list levels and the text."""
    faces = set(token_faces().values())
    styles, defaults = styles_of(kind)
    used = styles_in_use(kind)
    assert {"Normal", "Title", "Heading1", "BriefTable", "Header", "Footer"} <= used, used
    holders = [(ident, styles[ident]) for ident in sorted(used)]
    holders += [("document defaults", defaults)]
    holders += [(name, root) for name, root in parts(kind).items() if name != "word/styles.xml"]
    slots = [w(s) for s in ("ascii", "hAnsi", "eastAsia", "cs")]
    named = [
        (where, el.get(slot))
        for where, holder in holders
        for el in holder.iter(w("rFonts"))
        for slot in slots
        if el.get(slot) is not None
    ]
    assert len(named) > 10
    assert [(where, font) for where, font in named if font not in faces] == []


@pytest.mark.parametrize("kind", KINDS)
def test_docx_theme_fonts_are_the_token_faces(kind):
    """Designers who pick the theme's heading or body font get the token faces too."""
    with zipfile.ZipFile(DOCX / f"{kind}.docx") as package:
        theme = etree.fromstring(package.read("word/theme/theme1.xml"))
    faces = token_faces()
    major = theme.find(f".//{{{A}}}majorFont/{{{A}}}latin")
    minor = theme.find(f".//{{{A}}}minorFont/{{{A}}}latin")
    assert (major.get("typeface"), minor.get("typeface")) == (faces["font-heading"], faces["font-text"])


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """WCAG 2.2's contrast ratio of two colours written as Word writes them (0D3557)."""
    dark, light = sorted((_luminance(one), _luminance(other)))
    return (light + 0.05) / (dark + 0.05)


def test_every_text_colour_has_wcag_aa_contrast_on_the_paper_and_the_tint():
    """WCAG 2.2 SC 1.4.3 (4.5:1 for text) on every background the briefs print text on; Word's
    accessibility checker asks the same of the DOCX, whose colours are these tokens."""
    colours = token_colours()
    text_tokens = {
        match
        for path in other_stylesheets()
        for _, declarations in rules(path.read_text(encoding="utf-8"))
        for prop, value in declarations.items()
        if prop == "color"
        for match in re.findall(r"var\(--([\w-]+)\)", value)
    }
    assert {"ink", "navy", "muted-soft", "muted-faint"} <= text_tokens
    # the dateline's "·" and "|" between parties and places are pure decoration (SC 1.4.3's exception)
    decorative = {"separator", "separator-soft"}
    assert text_tokens & decorative == decorative
    for name in sorted(text_tokens - decorative - {"paper"}):  # paper: the text on navy table heads, below
        for background in ("paper", "tint"):
            ratio = contrast(colours[name], colours[background])
            assert ratio >= 4.5, f"--{name} on --{background}: {ratio:.2f}:1"
    assert contrast(colours["paper"], colours["navy"]) >= 4.5

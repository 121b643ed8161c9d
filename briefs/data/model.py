"""The agreement data model: every field of an agreement file, with its description.

Validation needs the required languages in its context::

    Agreement.model_validate(data, context={"languages": ("bg", "en")})
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
LANGUAGE = r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-[A-Z]{2})?$"
VERSION = r"^[0-9]+(?:\.[0-9]+)*$"
ORGANISATION_CODE = r"^[A-Z][A-Z0-9]{1,15}$"
EXCERPT_CUT = re.compile(r"\s*\[…\]\s*")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
LOCALIZED_MARK = "x-briefs-localized"
DOCUMENT_TYPES = (
    "charter",
    "agreement",
    "treaty",
    "convention",
    "memorandum",
    "joint-statement",
    "declaration",
    "protocol",
)
"""Each has a label in every catalogue (type.NAME) and, in languages with grammatical gender, a
gender (gender.NAME) that the words agreeing with it take."""
RENDERINGS = ("verbatim", "source-translation", "our-translation", "back-translation")
Rendering = Literal["verbatim", "source-translation", "our-translation", "back-translation"]
MAX_FEATURED_QUOTES = 2
"""The one-page brief has room for two pull quotes, side by side."""


class _Missing:
    """Stands in for a language's text that the file does not give."""


MISSING = _Missing()


def _check_text(value: Any) -> Any:
    if value is MISSING:
        raise PydanticCustomError("missing_language", "text is missing in this language")
    if isinstance(value, str):
        if not value.strip():
            raise PydanticCustomError("blank_text", "text is empty")
        return value  # the loader has applied the character policy (briefs.data.characters)
    return value


def _require_languages(value: Any, info: ValidationInfo) -> Any:
    languages = (info.context or {}).get("languages", ("bg", "en"))
    if isinstance(value, dict):
        return {**value, **{lang: MISSING for lang in languages if value.get(lang) is None}}
    return value


def _parse_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not DATE.match(value):
        raise PydanticCustomError("date_format", "expected a date written YYYY-MM-DD, got '{value}'", {"value": value})
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_invalid", "{value} is not a real date", {"value": value}) from None


Text = Annotated[str, BeforeValidator(_check_text)]
LocalizedText = Annotated[
    dict[Annotated[str, Field(pattern=LANGUAGE)], Text],
    BeforeValidator(_require_languages),
    WithJsonSchema({"type": "object", LOCALIZED_MARK: True}),
]
IsoDate = Annotated[
    date,
    BeforeValidator(_parse_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE.pattern}),
]
Slug = Annotated[str, Field(pattern=SLUG, max_length=64)]
Language = Annotated[str, Field(pattern=LANGUAGE)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Person(Strict):
    """A named person and the office they hold."""

    name: LocalizedText = Field(description="Full name, per language (e.g. Джей Ди Ванс / JD Vance).")
    role: LocalizedText = Field(
        description="Office held at the time, per language (e.g. Vice President of the United States)."
    )


class Place(Strict):
    """Where and when an agreement was signed."""

    date: IsoDate = Field(description="Date of signature, YYYY-MM-DD.")
    place: LocalizedText | None = Field(None, description="City of signature, per language.")


class Party(Strict):
    """A party to the agreement: a state or an international organisation."""

    kind: Literal["state", "organisation"] = Field("state", description="state or organisation.")
    code: str = Field(
        description="ISO 3166-1 alpha-3 code for a state (USA, AZE); for an organisation its own "
        "upper-case code (EU, NATO, UN).",
    )
    name: LocalizedText = Field(description="Name of the party, per language.")
    signatory: Person | None = Field(None, description="Who signed for this party, if known.")

    @field_validator("code")
    @classmethod
    def _known_code(cls, code: str, info: ValidationInfo) -> str:
        if info.data.get("kind", "state") == "state":
            import pycountry

            if not re.fullmatch(r"[A-Z]{3}", code) or pycountry.countries.get(alpha_3=code) is None:
                raise PydanticCustomError(
                    "party_code",
                    "'{code}' is not an ISO 3166-1 alpha-3 country code; for an international "
                    "organisation set kind: organisation",
                    {"code": code},
                )
        elif not re.fullmatch(ORGANISATION_CODE, code):
            raise PydanticCustomError(
                "party_code",
                "'{code}' is not an organisation code: 2-16 upper-case letters or digits (EU, NATO, UN)",
                {"code": code},
            )
        return code


class Commitment(Strict):
    """One row of a pillar table."""

    area: LocalizedText = Field(description="Short name of the field of cooperation, per language.")
    commitment: LocalizedText = Field(description="What the parties commit to, per language.")
    means: LocalizedText | None = Field(
        None, description="Optional: the instrument, funding or transfer through which it is done."
    )
    highlight: bool = Field(
        False,
        description="Listed on the one-page brief. If no commitment of a pillar is highlighted, the first three are.",
    )


class Pillar(Strict):
    """A pillar (section) of the agreement: a field of cooperation and its commitments."""

    id: Slug = Field(description="Identifier of the pillar: lowercase ascii letters, digits and hyphens.")
    title: LocalizedText = Field(description="Title of the pillar, per language.")
    summary: LocalizedText | None = Field(None, description="Optional: a sentence or two on the pillar.")
    commitments: list[Commitment] = Field(min_length=1, description="The pillar table, one row each; at least one.")


class Quote(Strict):
    """Words of a named speaker, as reported by a source."""

    speaker: Person = Field(description="Who said it.")
    text: LocalizedText = Field(description="The words, per language.")
    excerpt: LocalizedText | None = Field(
        None,
        description="Optional: a shorter passage of the text for the pull quote on the one-page brief. "
        "Only words of the text, in order; mark each cut with […].",
    )
    spoken_in: Language | None = Field(
        None,
        description="Language the words were said in (e.g. en). Its text is taken as the speaker's exact "
        "words, and each other text as a translation from it, unless rendering says otherwise.",
    )
    rendering: dict[Language, Rendering] = Field(
        default_factory=dict,
        description="How each language's text reached us: verbatim (the speaker's exact words), "
        "source-translation (the reporting outlet's translation), our-translation (ours, from the original), "
        "back-translation (ours, back into the original language from a translation). Each text is marked "
        "accordingly; a text neither named here nor in spoken_in's language cannot be marked truthfully.",
    )
    source: Slug = Field(description="id of the entry in sources that reports the quote.")
    date: IsoDate | None = Field(None, description="When it was said; defaults to the source's date.")
    occasion: LocalizedText | None = Field(None, description="Optional: where it was said (a press conference...).")
    featured: bool = Field(False, description="Shown as a pull quote on the one-page brief; at most two.")
    # the limit is checked across quotes, in briefs.data.validate, with pydantic's own reading of booleans

    @field_validator("excerpt")
    @classmethod
    def _excerpt_is_quoted(cls, excerpt: dict[str, str] | None, info: ValidationInfo) -> dict[str, str] | None:
        text = info.data.get("text")
        if excerpt is None or text is None:
            return excerpt
        for lang, passage in excerpt.items():
            whole = " ".join(text.get(lang, "").split())
            for part in EXCERPT_CUT.split(passage):
                part = " ".join(part.split())
                if part and part not in whole:
                    raise PydanticCustomError(
                        "excerpt_not_in_text",
                        "the {lang} excerpt has words that are not in the text: '{part}'",
                        {"lang": lang, "part": part},
                    )
        return excerpt


class Source(Strict):
    """A published source of the facts in the file."""

    id: Slug = Field(description="Identifier that quotes use to cite this source.")
    publisher: Text | LocalizedText | None = Field(
        None,
        description="Publisher or outlet, as it names itself (Oxu.Az); per language where a language writes it "
        "differently ({bg: ТАСС, en: TASS}).",
    )
    title: LocalizedText = Field(description="Title or description of the item, per language.")
    date: IsoDate | None = Field(None, description="Publication date, YYYY-MM-DD, if known.")
    language: Language | None = Field(None, description="Language the source is published in.")
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = Field(None, description="Optional: its address.")


class Related(Strict):
    """Another agreement or document that bears on this one."""

    title: LocalizedText = Field(description="Name of the related document, per language.")
    date: IsoDate | None = Field(None, description="Its date, if known.")
    note: LocalizedText | None = Field(None, description="Optional: how it relates.")


class BriefMeta(Strict):
    """Who prepares the brief and how it may be distributed."""

    organisation: LocalizedText = Field(description="The organisation issuing the brief, per language.")
    prepared: IsoDate = Field(description="Date the brief is dated, YYYY-MM-DD; also used as the file date.")
    distribution: Literal["public", "restricted", "internal"] = Field(
        "public", description="public, restricted or internal."
    )
    version: Annotated[str, Field(pattern=VERSION)] = Field(
        "1", description="Version of the brief as a string of numbers and dots (1, 2, 1.1)."
    )
    keywords: list[LocalizedText] = Field(default_factory=list, description="Keywords for the file metadata.")


class Agreement(Strict):
    """An international agreement, described for a policy brief."""

    model_config = ConfigDict(title="Agreement", extra="forbid", frozen=True)

    id: Slug = Field(description="Identifier: lowercase ascii letters, digits and hyphens; names the output files.")
    type: Literal[DOCUMENT_TYPES] = Field(  # type: ignore[valid-type]
        description="Kind of document: " + ", ".join(DOCUMENT_TYPES) + "."
    )
    status: Literal["negotiating", "initialled", "signed", "in-force", "suspended"] = Field(
        description="Where the agreement stands."
    )
    signed: Place | None = Field(None, description="Date and place of signature, once signed.")
    title: LocalizedText = Field(description="Full title, per language.")
    short_title: LocalizedText = Field(description="Short title for running headers and file metadata.")
    parties: list[Party] = Field(min_length=2, description="The parties, at least two.")
    summary: LocalizedText = Field(description="Executive summary: a few sentences, per language.")
    key_points: list[LocalizedText] = Field(
        default_factory=list, description="Key points; the one-page brief shows the first five."
    )
    context: LocalizedText | None = Field(None, description="Background; a blank line starts a new paragraph.")
    pillars: list[Pillar] = Field(min_length=1, description="The pillars (sections) of the agreement; at least one.")
    quotes: list[Quote] = Field(default_factory=list, description="Quotes of the signatories or others.")
    outlook: LocalizedText | None = Field(None, description="Optional: implications and next steps.")
    sources: list[Source] = Field(min_length=1, description="Where the facts come from; at least one.")
    related: list[Related] = Field(default_factory=list, description="Related agreements and documents.")
    brief: BriefMeta = Field(description="Who issues the brief, when, and for whom.")


def unwrap(annotation: Any) -> Any:
    """The type inside Annotated[...] and Optional[...] wrappers."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            annotation = options[0] if len(options) == 1 else annotation
            if len(options) != 1:
                return annotation
        else:
            return annotation

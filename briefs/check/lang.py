"""BCP 47 language tags (RFC 5646): well-formed, with a known language, script and region."""

from __future__ import annotations

import re
from functools import cache

import pycountry

_TAG = re.compile(
    r"""^(?:
        (?P<language>[a-z]{2,3})(?:-[a-z]{3}){0,3}     # language, extended language subtags
        | (?P<reserved>[a-z]{4}) | (?P<registered>[a-z]{5,8})
    )
    (?:-(?P<script>[a-z]{4}))?
    (?:-(?P<region>[a-z]{2}|[0-9]{3}))?
    (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*           # variants
    (?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*               # extensions
    (?:-x(?:-[a-z0-9]{1,8})+)?$                         # private use
    |^x(?:-[a-z0-9]{1,8})+$""",
    re.VERBOSE | re.IGNORECASE,
)


@cache
def problem(tag: str) -> str | None:
    """Why ``tag`` is not a valid BCP 47 language tag, or None if it is."""
    if not tag:
        return "empty language tag"
    match = _TAG.match(tag)
    if match is None:
        return f"{tag!r} is not a well-formed BCP 47 tag"
    if match.group("reserved") or match.group("registered"):
        return f"{tag!r}: no such language subtag"
    language = match.group("language")
    if language is None:  # private use only: well-formed, meaning agreed privately
        return None
    language = language.lower()
    known = (
        pycountry.languages.get(alpha_2=language) if len(language) == 2 else pycountry.languages.get(alpha_3=language)
    )
    if known is None and not ("qaa" <= language <= "qtz"):
        return f"{tag!r}: unknown language {language!r}"
    script = match.group("script")
    if script and pycountry.scripts.get(alpha_4=script.title()) is None:
        return f"{tag!r}: unknown script {script!r}"
    region = match.group("region")
    if region and region.isalpha() and pycountry.countries.get(alpha_2=region.upper()) is None:
        return f"{tag!r}: unknown region {region!r}"
    return None

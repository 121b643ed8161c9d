"""Turn a loaded document into an Agreement, collecting every problem with its location."""

from __future__ import annotations

import difflib
import typing
from collections import Counter
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from briefs.config import Config
from briefs.data.loader import Document, Loc
from briefs.data.model import LANGUAGE, MAX_FEATURED_QUOTES, ORGANISATION_CODE, SLUG, VERSION, Agreement, unwrap
from briefs.errors import Problem
from briefs.glyphs import Coverage

PATTERN_MESSAGES = {
    SLUG: "must be a slug: lowercase ascii letters, digits and single hyphens",
    LANGUAGE: "must be a language tag such as bg or en",
    VERSION: "must be numbers separated by dots, such as 1 or 1.2",
    ORGANISATION_CODE: "must be 2-16 upper-case letters or digits",
    r"^https?://\S+$": "must be an http:// or https:// address",
}


def validate_document(
    doc: Document, config: Config, coverage: Coverage | None = None
) -> tuple[Agreement | None, list[Problem]]:
    """Validate ``doc``; return the agreement (None if invalid) and every problem found.

    ``coverage`` says what the fonts can show; made from ``config`` when not given (a build makes it once).
    """
    problems = list(doc.problems)
    agreement: Agreement | None = None
    if not isinstance(doc.data, dict):
        problems.append(doc.problem((), "the file must hold a mapping of fields (id, title, ...)"))
        return None, problems
    try:
        agreement = Agreement.model_validate(doc.data, context={"languages": config.languages})
    except ValidationError as exc:
        reported = {problem.field for problem in doc.problems}  # the loader's say on a value comes first
        found = (_problem(doc, error) for error in exc.errors(include_url=False))
        problems.extend(problem for problem in found if problem.field not in reported)
    problems.extend(_cross_references(doc))
    if config.fonts:
        problems.extend(_glyphs(doc, coverage or Coverage(config.fonts, config.fallback_fonts)))
    if problems:
        return None, sorted(set(problems))
    return agreement, []


def _problem(doc: Document, error: Any) -> Problem:
    loc: Loc = tuple(part for part in error["loc"] if part != "[key]")
    kind = error["type"]
    ctx = error.get("ctx") or {}
    message = error["msg"]
    if kind == "extra_forbidden":
        message = _unknown_field(loc)
        return doc.problem(loc, message, key=True)
    if kind == "missing":
        message = "required field is missing"
    elif kind == "missing_language":
        message = f"the {loc[-1]} text is missing"
    elif kind == "string_pattern_mismatch":
        message = f"{error['input']!r} " + PATTERN_MESSAGES.get(str(ctx.get("pattern")), message.lower())
        if "[key]" in error["loc"]:
            message = f"{loc[-1]!r} is not a language tag such as bg or en"
    elif kind == "literal_error":
        message = f"{error['input']!r} is not one of: {ctx.get('expected', '')}"
    elif kind in {"dict_type", "model_type", "model_attributes_type"}:
        message = "expected a mapping of fields" + (" (one text per language)" if loc and _is_localized(loc) else "")
    elif kind == "list_type":
        message = "expected a list"
    elif kind == "string_type":
        message = "expected a text"
    elif kind == "bool_parsing":
        message = f"{error['input']!r} is not true or false"
    elif kind == "too_short":
        count = ctx.get("min_length", 1)
        message = f"needs at least {count} item{'s' if count != 1 else ''}"
    elif kind == "string_too_long":
        message = f"is longer than {ctx.get('max_length')} characters"
    return doc.problem(loc, message)


def _model_at(loc: Loc) -> Any:
    """The type that validates the value at ``loc``, following fields and list items."""
    current: Any = Agreement
    for part in loc:
        current = unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            current = field.annotation if field else None
        else:
            return None
    return unwrap(current)


def _is_localized(loc: Loc) -> bool:
    return typing.get_origin(_model_at(loc)) is dict


def _unknown_field(loc: Loc) -> str:
    parent = _model_at(loc[:-1])
    name = str(loc[-1])
    if not (isinstance(parent, type) and issubclass(parent, BaseModel)):
        return f"unknown field {name!r}"
    known = list(parent.model_fields)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"expected one of: {', '.join(known)}"
    return f"unknown field {name!r}; {hint}"


def _cross_references(doc: Document) -> list[Problem]:
    """Checks that span several fields; run on the raw data so they report even when other fields fail."""
    data = doc.data
    problems: list[Problem] = []
    sources = _items(data, "sources")
    source_ids = [s.get("id") for s in sources if isinstance(s, dict)]
    problems += _duplicates(doc, "sources", source_ids)
    problems += _duplicates(doc, "pillars", [p.get("id") for p in _items(data, "pillars") if isinstance(p, dict)])
    featured = 0
    for index, quote in enumerate(_items(data, "quotes")):
        if not isinstance(quote, dict):
            continue
        source = quote.get("source")
        if isinstance(source, str) and source not in source_ids:
            known = ", ".join(str(s) for s in source_ids) or "none"
            problems.append(doc.problem(("quotes", index, "source"), f"no source has id {source!r} (sources: {known})"))
        if _is_true(quote.get("featured")):
            featured += 1
            if featured > MAX_FEATURED_QUOTES:
                problems.append(
                    doc.problem(("quotes", index, "featured"), f"at most {MAX_FEATURED_QUOTES} quotes can be featured")
                )
        problems += _rendering(doc, index, quote)
    return problems


def _rendering(doc: Document, index: int, quote: dict[str, Any]) -> list[Problem]:
    """Whether each text of a quote can be marked truthfully: verbatim only in the language the words
    were said in, a translation only in another, a back-translation only from a translation."""
    text, spoken = quote.get("text"), quote.get("spoken_in")
    given = quote.get("rendering")
    rendering: dict[Any, Any] = given if isinstance(given, dict) else {}
    if not isinstance(text, dict) or not all(isinstance(v, str) for v in rendering.values()):
        return []  # the model reports the types
    spoken = spoken if isinstance(spoken, str) else None
    problems: list[Problem] = []
    here = ("quotes", index, "rendering")
    verbatim = [lang for lang, kind in rendering.items() if kind == "verbatim"]
    translations = [lang for lang, kind in rendering.items() if kind in ("source-translation", "our-translation")]
    for lang, kind in rendering.items():
        at = (*here, lang)
        if lang not in text:
            problems.append(doc.problem(at, f"the quote has no {lang} text"))
        elif kind == "verbatim" and spoken is not None and lang != spoken:
            problems.append(
                doc.problem(at, f"the words were said in {spoken} (spoken_in): a {lang} text is a translation")
            )
        elif kind in ("source-translation", "our-translation") and lang == spoken:
            problems.append(
                doc.problem(at, f"the words were said in {lang}: its text is verbatim or a back-translation")
            )
        elif kind == "back-translation" and not [other for other in translations if other != lang]:
            problems.append(
                doc.problem(
                    at,
                    "a back-translation needs the translation it was made from: mark another text "
                    "source-translation or our-translation",
                )
            )
    if len(verbatim) > 1:
        problems.append(doc.problem(here, f"the words were said in one language, not {' and '.join(verbatim)}"))
    if spoken is None and not verbatim:
        unknown = [lang for lang in text if isinstance(lang, str) and lang not in rendering]
        for lang in unknown:
            problems.append(
                doc.problem(
                    ("quotes", index),
                    f"say how the {lang} text reached us: spoken_in (the language the words were said in) "
                    f"or rendering.{lang}",
                )
            )
    return problems


_BOOLEAN = TypeAdapter(bool)


def _is_true(value: Any) -> bool:
    """True where the model reads true: pydantic's own parsing, so every spelling it accepts counts."""
    try:
        return _BOOLEAN.validate_python(value) is True
    except ValidationError:
        return False  # reported where the field is validated


def _glyphs(doc: Document, coverage: Coverage) -> list[Problem]:
    """Every text the fonts cannot show, at its place."""
    problems = []
    pending: list[tuple[Loc, Any]] = [((), doc.data)]
    while pending:
        loc, value = pending.pop()
        if isinstance(value, str):
            missing = coverage.missing(value)
            if missing:
                problems.append(doc.problem(loc, missing))
        elif isinstance(value, dict):
            pending.extend(((*loc, key), item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend(((*loc, index), item) for index, item in enumerate(value))
    return problems


def _items(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _duplicates(doc: Document, key: str, ids: list[Any]) -> list[Problem]:
    counts = Counter(i for i in ids if isinstance(i, str))
    seen: set[str] = set()
    problems = []
    for index, ident in enumerate(ids):
        if isinstance(ident, str) and counts[ident] > 1:
            if ident in seen:
                problems.append(doc.problem((key, index, "id"), f"id {ident!r} is used twice in {key}"))
            seen.add(ident)
    return problems

"""Localize: turn an Agreement into one BriefView per language."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

from briefs.data.model import Agreement, Commitment, Quote
from briefs.localize.catalog import Catalog
from briefs.localize.typography import NBSP, keep_last_words, nest_quotes, paragraphs, refine
from briefs.localize.view import (
    BriefView,
    CommitmentView,
    DocumentInfo,
    PartyView,
    PillarView,
    QuoteView,
    RelatedView,
    SourceView,
)

ONE_PAGE_KEY_POINTS = 5
ONE_PAGE_COMMITMENTS = (2, 4)


class _Localizer:
    def __init__(self, agreement: Agreement, catalog: Catalog) -> None:
        self.agreement = agreement
        self.catalog = catalog
        self.language = catalog.language
        self.marks = (catalog.get("quote.open"), catalog.get("quote.close"))
        self.inner = (catalog.get("quote.nested-open"), catalog.get("quote.nested-close"))

    def text(self, value: dict[str, str] | None) -> str | None:
        if value is None:
            return None
        return refine(" ".join(value[self.language].split()), self.language, self.marks)

    def req(self, value: dict[str, str]) -> str:
        return refine(" ".join(value[self.language].split()), self.language, self.marks)

    def paras(self, value: dict[str, str] | None) -> list[str]:
        if value is None:
            return []
        return [refine(p, self.language, self.marks) for p in paragraphs(value[self.language])]

    def date(self, value: date | None) -> str | None:
        if value is None:
            return None
        # day and month stay on one line
        formatted = format_date(value, "long", locale=self.catalog.locale).replace(" ", NBSP, 1)
        return refine(formatted, self.language, self.marks)

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.catalog.locale)

    def publisher(self, value: str | dict[str, str] | None) -> str | None:
        return self.req(value) if isinstance(value, dict) else value

    def commitment(self, item: Commitment) -> CommitmentView:
        means = self.text(item.means)
        return CommitmentView(self.req(item.area), self.req(item.commitment), means, _aside(means))

    def quote(self, item: Quote) -> QuoteView:
        words = nest_quotes(self.req(item.text), self.marks, self.inner)
        source = next(s for s in self.agreement.sources if s.id == item.source)
        excerpt = nest_quotes(self.req(item.excerpt), self.marks, self.inner) if item.excerpt else words
        source_name = _source_name(self.publisher(source.publisher), self.req(source.title))
        when = self.date(item.date)  # the quote's own date; the source line carries the source's
        return QuoteView(
            text=f"{self.marks[0]}{words}{self.marks[1]}",
            excerpt=f"{self.marks[0]}{excerpt}{self.marks[1]}",
            speaker=self.req(item.speaker.name),
            role=self.req(item.speaker.role),
            source=source_name,
            source_line=self.catalog.get(
                "quote.source", source=", ".join(filter(None, [source_name, self.date(source.date)]))
            ),
            date=when,
            occasion=self.text(item.occasion),
            occasion_line=", ".join(filter(None, [self.text(item.occasion), when])) or None,
            translation=self.rendering_mark(item),
            featured=item.featured,
        )

    def rendering_mark(self, item: Quote) -> str | None:
        """How this language's text reached us, as the reader is told: nothing for the speaker's exact
        words; "translated from English", "our translation from English" or "back-translated from
        Bulgarian" otherwise (validation made sure one of these is true)."""
        lang = self.language
        verbatim = [other for other, kind in item.rendering.items() if kind == "verbatim"]
        spoken = item.spoken_in or (verbatim[0] if verbatim else None)
        kind = item.rendering.get(lang) or ("verbatim" if lang == spoken else "source-translation")
        if kind == "verbatim":
            return None
        if kind == "back-translation":
            came_from = next(
                other for other, k in item.rendering.items() if k in ("source-translation", "our-translation")
            )
            return self.catalog.get("quote.back-translation", language=self.language_name(came_from))
        if spoken is None:
            return self.catalog.get(f"quote.{kind}")
        return self.catalog.get(f"quote.{kind}-from", language=self.language_name(spoken))

    def language_name(self, tag: str) -> str:
        """The language's name in this language, as it follows "from" ("английски", "English")."""
        name: str = self.catalog.locale.languages.get(tag.split("-")[0], tag)
        return name

    def view(self, kind: str) -> BriefView:
        a, get = self.agreement, self.catalog.get
        pillars = []
        for pillar in a.pillars:
            rows = [self.commitment(c) for c in pillar.commitments]
            chosen = _main_commitments(rows, [c.highlight for c in pillar.commitments])
            more = len(rows) - len(chosen)
            more_label = get("table.more-commitments", count=self.number(more)) if more else None
            pillars.append(
                PillarView(
                    pillar.id, self.req(pillar.title), self.paras(pillar.summary), rows, chosen, more, more_label
                )
            )
        quotes = [self.quote(q) for q in a.quotes]
        sources = [
            SourceView(
                n,
                s.id,
                self.publisher(s.publisher),
                self.req(s.title),
                self.date(s.date),
                s.url,
                _source_name(self.publisher(s.publisher), self.req(s.title)),
            )
            for n, s in enumerate(a.sources, start=1)
        ]
        title = keep_last_words(self.req(a.title))
        organisation = self.req(a.brief.organisation)
        prepared = self.date(a.brief.prepared) or ""
        return BriefView(
            id=a.id,
            kind=kind,
            lang=self.catalog.tag,
            language=self.language,
            labels=dict(self.catalog.labels),
            kind_label=get(f"brief.{kind}"),
            organisation=organisation,
            title=title,
            short_title=self.req(a.short_title),
            type=get(f"type.{a.type}"),
            status=get(f"status.{a.status}", context=self.catalog.gender(a.type)),
            signed_date=self.date(a.signed.date) if a.signed else None,
            signed_place=self.text(a.signed.place) if a.signed else None,
            parties=[
                PartyView(
                    p.code,
                    self.req(p.name),
                    self.text(p.signatory.name) if p.signatory else None,
                    self.text(p.signatory.role) if p.signatory else None,
                )
                for p in a.parties
            ],
            summary=self.paras(a.summary),
            key_points=[self.req(k) for k in a.key_points][: ONE_PAGE_KEY_POINTS if kind == "one-page" else None],
            context=self.paras(a.context),
            pillars=pillars,
            quotes=quotes,
            featured_quotes=[q for q in quotes if q.featured],
            outlook=self.paras(a.outlook),
            sources=sources,
            footer_sources=_once_each(sources),
            related=[RelatedView(self.req(r.title), self.date(r.date), self.text(r.note)) for r in a.related],
            prepared=prepared,
            version=a.brief.version,
            distribution=get(f"distribution.{a.brief.distribution}"),
            issued=get("footer.issued", organisation=organisation, version=a.brief.version, date=prepared),
            info=DocumentInfo(
                # metadata is searched and shown in file lists, where no-break spaces only get in the way
                title=title.replace(NBSP, " "),
                author=organisation.replace(NBSP, " "),
                subject=get("doc.subject", title=self.req(a.short_title)).replace(NBSP, " "),
                keywords=[get("doc.keywords-base"), *(self.req(k).replace(NBSP, " ") for k in a.brief.keywords)],
                language=self.catalog.tag,
                created=a.brief.prepared.isoformat(),
            ),
            quote_marks=self.marks,
        )


def _once_each(sources: list[SourceView]) -> list[SourceView]:
    """Each name and date once, where it is first cited."""
    first: dict[tuple[str, str | None], SourceView] = {}
    for source in sources:
        first.setdefault((source.name, source.date), source)
    return list(first.values())


def _aside(text: str | None) -> str | None:
    """``text`` as words in brackets inside a line: its first letter in lower case, unless it starts
    an abbreviation ("AI", "ЕС")."""
    if not text or (len(text) > 1 and text[1].isupper()):
        return text
    return text[0].lower() + text[1:]


def _source_name(publisher: str | None, title: str) -> str:
    return publisher or title


def _main_commitments(rows: list[CommitmentView], highlighted: list[bool]) -> list[CommitmentView]:
    """The highlighted rows (or the first three), topped up to two, at most four."""
    low, high = ONE_PAGE_COMMITMENTS
    chosen = [row for row, marked in zip(rows, highlighted, strict=True) if marked] or rows[:3]
    chosen += [row for row in rows if row not in chosen][: max(0, low - len(chosen))]
    return [row for row in rows if row in chosen][:high]


def localize(agreement: Agreement, catalog: Catalog, kind: str) -> BriefView:
    """The view of ``agreement`` for one kind of brief in the catalogue's language."""
    return _Localizer(agreement, catalog).view(kind)

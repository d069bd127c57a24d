"""How old the corpus's facts are: an age profile, and the facts older than a cut-off.

A statement's year is its ``as_of`` when it has one (the year a figure was true); otherwise
the newest publication date among its own sources. Statements supported only by the entity's
pages, or by pages that show no date, are undated: they are counted, never guessed.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .corpus import Entity, Source, Statement

# Age bands for the profile, in years before the reference year (upper bound exclusive).
AGE_BANDS = ((1, "this year or last"), (3, "1-2 years"), (6, "3-5 years"), (11, "6-10 years"),
             (10_000, "over 10 years"))


@dataclass(frozen=True)
class DatedFact:
    entity_id: str
    field: str  # capability | offer
    text: str
    year: int
    basis: str  # "as_of" | "source"

    def describe(self) -> str:
        how = "as of" if self.basis == "as_of" else "source dated"
        return f"{self.entity_id}: {self.field}: ({how} {self.year}) {self.text}"


def statement_year(statement: Statement, sources: dict[str, Source]) -> tuple[int, str] | None:
    """The year a statement speaks for and how it is known, or None when undated."""
    if statement.as_of is not None:
        return statement.as_of, "as_of"
    published = [int(sources[u].date[:4]) for u in statement.sources
                 if u in sources and sources[u].date]
    return (max(published), "source") if published else None


def dated_facts(entities: Iterable[Entity]) -> tuple[list[DatedFact], int]:
    """Every dated capability and offer, and the number of undated ones."""
    facts, undated = [], 0
    for entity in entities:
        sources = {s.url: s for s in entity.sources}
        for field, statement in entity.statements():
            dated = statement_year(statement, sources)
            if dated is None:
                undated += 1
            else:
                facts.append(DatedFact(entity.id, field, statement.text, *dated))
    return facts, undated


def age_band(year: int, today: int) -> str:
    age = today - year
    return next(label for limit, label in AGE_BANDS if age < limit)


@dataclass(frozen=True)
class AgeProfile:
    statements: Counter  # age band -> dated statements
    undated_statements: int
    with_as_of: int
    sources: Counter  # age band -> sources with a publication date
    sources_read_only: int  # sources with only the date they were read
    sources_undated: int

    def lines(self) -> list[str]:
        dated = sum(self.statements.values())
        total = dated + self.undated_statements
        out = [f"statements: {total} ({dated} dated: {self.with_as_of} by as_of, "
               f"{dated - self.with_as_of} by their own source's date; {self.undated_statements} undated)"]
        out += [f"  {self.statements[label]:>5}  {label}" for _limit, label in AGE_BANDS]
        n_sources = sum(self.sources.values()) + self.sources_read_only + self.sources_undated
        out.append(f"sources: {n_sources} ({sum(self.sources.values())} with a publication date, "
                   f"{self.sources_read_only} with only the date read, {self.sources_undated} undated)")
        out += [f"  {self.sources[label]:>5}  published {label} ago"
                if label.endswith("years") else f"  {self.sources[label]:>5}  published {label}"
                for _limit, label in AGE_BANDS]
        return out


def age_profile(entities: Iterable[Entity], today: int | None = None) -> AgeProfile:
    entities = list(entities)
    year = today or datetime.date.today().year
    facts, undated = dated_facts(entities)
    statements = Counter(age_band(f.year, year) for f in facts)
    sources = Counter()
    read_only = no_date = 0
    for entity in entities:
        for source in entity.sources:
            if source.date:
                sources[age_band(int(source.date[:4]), year)] += 1
            elif source.read:
                read_only += 1
            else:
                no_date += 1
    return AgeProfile(statements, undated, sum(f.basis == "as_of" for f in facts), sources,
                      read_only, no_date)


def stale_facts(entities: Iterable[Entity], years: int, today: int | None = None) -> list[DatedFact]:
    """Dated facts more than ``years`` years old, oldest first."""
    cutoff = (today or datetime.date.today().year) - years
    facts, _undated = dated_facts(entities)
    return sorted((f for f in facts if f.year < cutoff), key=lambda f: (f.year, f.entity_id))

from matcher.corpus import Entity, Source, Statement
from matcher.freshness import age_profile, stale_facts

ENTITY = Entity(
    id="e", kind="organisation", name="E",
    capabilities=(
        Statement("Employs 250 people.", as_of=2012),
        Statement("Opened a new lab.", sources=("https://x.org/news",)),
        Statement("Has a cleanroom."),  # only the entity's pages: undated
    ),
    offers=(Statement("Rents lab space.", as_of=2025),),
    sources=(Source("https://x.org/news", date="2019-06-01"),
             Source("https://x.org/about", read="2026-11-27"),
             Source("https://x.org/old")),
)


def test_stale_facts_use_as_of_then_the_statements_own_source_date():
    stale = stale_facts([ENTITY], years=5, today=2026)
    assert [(f.text, f.year, f.basis) for f in stale] == [
        ("Employs 250 people.", 2012, "as_of"), ("Opened a new lab.", 2019, "source")]
    assert stale[0].describe() == "e: capability: (as of 2012) Employs 250 people."
    assert stale_facts([ENTITY], years=20, today=2026) == []


def test_age_profile_counts_dated_and_undated_statements_and_sources():
    profile = age_profile([ENTITY], today=2026)
    assert profile.undated_statements == 1 and profile.with_as_of == 2
    assert profile.statements == {"over 10 years": 1, "6-10 years": 1, "1-2 years": 1}
    assert profile.sources == {"6-10 years": 1}
    assert (profile.sources_read_only, profile.sources_undated) == (1, 1)
    text = "\n".join(profile.lines())
    assert "statements: 4 (3 dated: 2 by as_of, 1 by their own source's date; 1 undated)" in text

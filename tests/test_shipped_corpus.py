"""The shipped corpus: its size and rules (fast), and that it ranks sensibly (slow)."""

import datetime
from collections import Counter

import pytest

from matcher.corpus import load_corpus
from matcher.resources import shipped_corpus_dir
from matcher.vocabulary import ENGLISH_REGIONS, Vocabulary, nation_of


@pytest.fixture(scope="module")
def corpus():
    return load_corpus([shipped_corpus_dir()])


def test_counts(corpus):
    kinds = Counter(e.kind for e in corpus.entities)
    assert len(corpus) >= 650
    assert kinds["cluster"] >= 100
    assert kinds["organisation"] >= 450


def test_every_nation_and_english_region_has_at_least_30_entities(corpus):
    by_region = Counter(r for e in corpus.entities for r in e.regions)
    assert set(by_region) == set(Vocabulary.load().regions)
    assert min(by_region.values()) >= 30, by_region.most_common()
    assert by_region["Northern Ireland"] >= 35
    clusters_by_nation = Counter(
        nation_of(r) for e in corpus.entities if e.kind == "cluster" for r in e.regions)
    assert all(clusters_by_nation[n] >= 1 for n in ("England", "Scotland", "Wales",
                                                   "Northern Ireland"))


def test_named_convening_and_national_bodies_are_present(corpus):
    for entity_id in ("nhsa", "medcity", "life-sciences-hub-wales", "gw4-alliance",
                      "national-innovation-centre-for-ageing", "one-nucleus",
                      "life-sciences-scotland", "cell-and-gene-therapy-catapult",
                      "health-innovation-network", "nihr-research-delivery-network"):
        assert entity_id in corpus.by_id
    names = " | ".join(e.name.lower() for e in corpus.entities)
    for name in ("health data research uk", "innovate uk business connect", "bioindustry association",
                 "association of the british pharmaceutical industry", "medicines and healthcare products",
                 "uk biobank", "office for life sciences", "novo nordisk research centre oxford",
                 "manchester science park"):
        assert name in names, name


def test_every_english_region_has_a_health_innovation_network_and_research_delivery_network(corpus):
    network_of = {"health-innovation-network": Counter(), "nihr-research-delivery-network": Counter()}
    for e in corpus.entities:
        for parent in set(e.member_of) & set(network_of):
            network_of[parent].update(e.regions)
    for parent, regions in network_of.items():
        missing = ENGLISH_REGIONS - set(regions)
        assert not missing, (parent, missing)


def test_every_entity_is_sourced_typed_placed_and_specific(corpus):
    vocab = Vocabulary.load()
    for e in corpus.entities:
        assert e.sources, e.id
        assert all(s.url.startswith(("http://", "https://")) for s in e.sources), e.id
        assert all(s.date or s.read for s in e.sources), (e.id, "a source has no date")
        assert e.org_type in vocab.org_types, e.id
        assert e.regions, e.id
        assert e.description, e.id
        assert 1 <= len(e.tags) <= 8, e.id
        # fewer than three statements only for profiles marked thin
        assert len(e.capabilities) + len(e.offers) >= 3 or e.coverage == "thin", e.id


def test_every_statement_has_a_source(corpus):
    for e in corpus.entities:
        urls = {s.url for s in e.sources}
        for field, statement in e.statements():
            # its own page, else the entity's pages; its own pages are listed on the entity too
            assert statement.sources or e.sources, (e.id, field, statement.text)
            assert set(statement.sources) <= urls, (e.id, statement.text)


def test_every_cluster_is_a_front_door_with_area_remit_and_offers(corpus):
    for e in corpus.entities:
        if e.kind == "cluster" or e.org_type == "network":
            assert e.area, e.id
            assert e.remit, e.id
            assert len(e.offers) >= 3, (e.id, len(e.offers))
            assert all(o.sources for o in e.offers), (e.id, "an offer has no page of its own")


def test_offers_are_common_among_organisations(corpus):
    organisations = [e for e in corpus.entities if e.kind == "organisation"]
    assert sum(1 for e in organisations if e.offers) >= len(organisations) // 4


def test_membership_and_part_of_links_hold_both_ways(corpus):
    for e in corpus.entities:
        for cluster_id in e.member_of:
            cluster = corpus.by_id[cluster_id]
            assert cluster.kind == "cluster"
            assert e.id in cluster.members
        for member_id in e.members:
            assert e.id in corpus.by_id[member_id].member_of
        if e.part_of:
            assert e.id in corpus.by_id[e.part_of].parts
        for part_id in e.parts:
            assert corpus.by_id[part_id].part_of == e.id
    linked = sum(1 for e in corpus.entities if e.kind == "organisation" and e.member_of)
    assert linked >= 150
    assert sum(1 for e in corpus.entities if e.part_of) >= 40


def test_dates_parse_and_are_not_in_the_future(corpus):
    today = datetime.date.today()
    for e in corpus.entities:
        for s in e.sources:
            for value in (s.date, s.read):
                if value:
                    parts = [int(p) for p in value.split("-")] + [1, 1]
                    assert datetime.date(*parts[:3]) <= today, (e.id, s.url, value)
        for _field, statement in e.statements():
            assert statement.as_of is None or 1800 <= statement.as_of <= today.year


def test_corrections_from_the_fact_check_hold(corpus):
    by_id = corpus.by_id
    assert "huma" not in by_id["digitalhealth-london"].members
    assert by_id["university-hospitals-coventry-and-warwickshire-nhs-trust"].member_of
    royal_devon = [e for e in corpus.entities if e.name.startswith("Royal Devon")]
    assert royal_devon and all(e.member_of for e in royal_devon)
    binding_site = [e for e in corpus.entities if "binding site" in e.name.lower()]
    assert all(e.url.rstrip("/") not in ("https://www.thermofisher.com", "https://thermofisher.com")
               for e in binding_site)
    assert not any(e.name == "Oxford Biomedica" for e in corpus.entities)


# ---------------------------------------------------------------- ranking (slow)


@pytest.fixture(scope="module")
def shipped():
    from matcher import Matcher
    from matcher.default_index import ensure_default_index

    return Matcher.load(ensure_default_index())


@pytest.mark.slow
@pytest.mark.parametrize("brief, expected", [
    ("insectary with a tsetse fly colony for vector control field trials",
     "liverpool-school-of-tropical-medicine"),
    ("AI echocardiography to detect heart failure with preserved ejection fraction", "ultromics"),
    ("real-time nanopore sequencing of native DNA and RNA", "oxford-nanopore-technologies"),
    ("first-in-child early phase paediatric studies", "alder-hey-childrens-nhs-foundation-trust"),
    ("involve older adults in testing products designed for an ageing population",
     "national-innovation-centre-for-ageing"),
    ("adhesive technology for ostomy appliances", "convatec-deeside"),
])
def test_targeted_briefs_rank_the_right_entity_first(shipped, brief, expected):
    assert shipped.match(brief, k=5)[0].entity_id == expected


@pytest.mark.slow
@pytest.mark.parametrize("brief, nation", [
    ("clinical research facility in Belfast for cancer trials", "Northern Ireland"),
    ("precision medicine partner at a Glasgow hospital campus", "Scotland"),
    ("medtech manufacturing site in North Wales", "Wales"),
    ("NHS trust in the North East of England for ageing research", "England"),
])
def test_briefs_naming_a_nation_find_organisations_there(shipped, brief, nation):
    top = shipped.match(brief, k=5)
    assert sum(nation_of(r) == nation for m in top for r in m.regions[:1]) >= 3, [
        (m.entity_id, m.regions) for m in top]

"""The shipped corpus: its size and rules (fast), and that it ranks sensibly (slow)."""

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
    assert kinds["cluster"] >= 45
    assert kinds["organisation"] >= 350


def test_covers_every_nation_and_english_region(corpus):
    regions = {r for e in corpus.entities for r in e.regions}
    assert regions >= ENGLISH_REGIONS
    assert {"England", "Scotland", "Wales", "Northern Ireland"} == {nation_of(r) for r in regions}
    clusters_by_nation = Counter(
        nation_of(r) for e in corpus.entities if e.kind == "cluster" for r in e.regions)
    assert all(clusters_by_nation[n] >= 1 for n in ("England", "Scotland", "Wales",
                                                   "Northern Ireland"))


def test_named_convening_bodies_are_present(corpus):
    for entity_id in ("nhsa", "medcity", "life-sciences-hub-wales", "gw4-alliance",
                      "national-innovation-centre-for-ageing", "one-nucleus",
                      "life-sciences-scotland", "cell-and-gene-therapy-catapult"):
        assert entity_id in corpus.by_id


def test_every_entity_is_sourced_typed_placed_and_specific(corpus):
    vocab = Vocabulary.load()
    for e in corpus.entities:
        assert e.sources, e.id
        assert all(s.startswith(("http://", "https://")) for s in e.sources), e.id
        assert e.org_type in vocab.org_types, e.id
        assert e.regions, e.id
        assert e.description, e.id
        assert 1 <= len(e.tags) <= 8, e.id
        # fewer than three capability statements only for profiles marked thin
        assert len(e.capabilities) >= 3 or e.coverage == "thin", e.id


def test_membership_links_hold_both_ways(corpus):
    for e in corpus.entities:
        for cluster_id in e.member_of:
            cluster = corpus.by_id[cluster_id]
            assert cluster.kind == "cluster"
            assert e.id in cluster.members
        for member_id in e.members:
            assert e.id in corpus.by_id[member_id].member_of
    linked = sum(1 for e in corpus.entities if e.kind == "organisation" and e.member_of)
    assert linked >= 100


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

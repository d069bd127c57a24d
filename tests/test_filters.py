import pytest

from matcher.corpus import load_corpus
from matcher.errors import QueryError
from matcher.filters import Filters


@pytest.fixture(scope="module")
def entities(mini_dir):
    return load_corpus([mini_dir]).entities


def allowed(filters, entities):
    resolved = filters.resolved(entities)
    return {e.id for e in entities if resolved.allows(e)}


def test_no_filters_allow_everything(entities):
    assert not Filters().active
    assert allowed(Filters(), entities) == {e.id for e in entities}


def test_region_kind_org_type_tag_cluster_exclude(entities):
    assert allowed(Filters(regions=("wales",)), entities) == {
        "test-wales-cluster", "test-organoid-lab", "test-dressings-co"}
    assert allowed(Filters(kind="cluster"), entities) == {"test-north-cluster", "test-wales-cluster"}
    assert allowed(Filters(org_types=("NHS",)), entities) == {"test-teaching-hospital"}
    assert allowed(Filters(tags=("organoids", "biobank")), entities) == {"test-organoid-lab"}
    assert allowed(Filters(tags=("organoids", "viral-vectors")), entities) == set()
    assert allowed(Filters(member_of=("test-north-cluster",), kind="organisation"), entities) == {
        "test-vector-works", "test-teaching-hospital"}
    assert "test-vector-works" not in allowed(Filters(exclude=("test-vector-works",)), entities)


def test_nation_expands_to_its_regions(entities):
    assert allowed(Filters(regions=("England",)), entities) == {
        "test-north-cluster", "test-vector-works", "test-teaching-hospital"}


@pytest.mark.parametrize("filters, message", [
    (Filters(regions=("Atlantis",)), "unknown region 'Atlantis'; valid: North East, Wales,"),
    (Filters(org_types=("spaceport",)), "unknown org type 'spaceport'; valid: academic, industry"),
    (Filters(tags=("nope",)), "unknown tag 'nope'; valid: biobank,"),
    (Filters(member_of=("nope",)), "unknown cluster 'nope'; valid: test-north-cluster"),
    (Filters(kind="company"), "unknown kind 'company'"),
])
def test_unknown_values_list_the_valid_ones(entities, filters, message):
    with pytest.raises(QueryError) as info:
        filters.resolved(entities)
    assert message in str(info.value)

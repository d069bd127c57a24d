"""Soft priors from a reading: factors per entity, by place, exclusion and partner type."""

import numpy as np

from matcher.corpus import Entity
from matcher.priors import ALL_REGIONS, PriorTable, covered_regions
from matcher.reading import read_brief

ENTITIES = [
    Entity(id="welsh-hub", kind="cluster", name="Hub", org_type="network", regions=("Wales",)),
    Entity(id="london-trust", kind="organisation", name="Trust", org_type="nhs", regions=("London",)),
    Entity(id="national-body", kind="organisation", name="Body", org_type="government",
           regions=("London",), area="the whole UK"),
    Entity(id="english-network", kind="cluster", name="Net", org_type="network",
           regions=("London",), area="England"),
    Entity(id="cross-border", kind="cluster", name="Alliance", org_type="network",
           regions=("South West", "Wales")),
]


def factors(brief, place=0.5, partner=0.2, exclude=0.5):
    return dict(zip((e.id for e in ENTITIES),
                    PriorTable(ENTITIES).factors(read_brief(brief), place, partner, exclude),
                    strict=True))


def test_area_widens_the_regions_an_entity_covers():
    assert covered_regions(ENTITIES[2]) == ALL_REGIONS
    assert set(covered_regions(ENTITIES[3])) == set(ALL_REGIONS) - {"Wales", "Scotland", "Northern Ireland"}
    assert covered_regions(ENTITIES[0]) == ("Wales",)


def test_a_place_raises_entities_in_or_covering_it():
    f = factors("a clinical evaluation in Wales", partner=0)
    assert f == {"welsh-hub": 1.5, "london-trust": 1.0, "national-body": 1.5,
                 "english-network": 1.0, "cross-border": 1.5}


def test_exclusion_lowers_only_entities_wholly_in_the_excluded_region():
    f = factors("a manufacturing site outside London", partner=0)
    assert f["london-trust"] == 0.5 and f["national-body"] == 0.5
    assert f["welsh-hub"] == 1.0 and f["cross-border"] == 1.0


def test_partner_type_raises_the_kind_asked_for():
    f = factors("introductions to a regional network", place=0)
    assert f["welsh-hub"] == f["english-network"] == f["cross-border"] == 1.2
    assert f["london-trust"] == 1.0
    nhs = factors("an NHS trust partner", place=0)
    assert nhs["london-trust"] == 1.2 and nhs["welsh-hub"] == 1.0


def test_zero_weights_and_empty_readings_change_nothing():
    table = PriorTable(ENTITIES)
    assert np.all(table.factors(read_brief("organoids"), 0.5, 0.2, 0.5) == 1.0)
    assert np.all(table.factors(read_brief("NHS trusts in Wales"), 0.0, 0.0, 0.0) == 1.0)

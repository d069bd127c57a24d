"""The region answer on hand-made scores: coverage of needs beats one star."""

import numpy as np

from matcher.corpus import Entity
from matcher.regions import RegionTable

ENTITIES = [
    Entity(id="wales-hub", kind="cluster", name="Wales Hub", regions=("Wales",)),
    Entity(id="wales-lab", kind="organisation", name="Wales Lab", regions=("Wales",)),
    Entity(id="wales-trust", kind="organisation", name="Wales Trust", regions=("Wales",)),
    Entity(id="ne-star", kind="organisation", name="NE Star", regions=("North East",)),
    Entity(id="ne-hub", kind="cluster", name="NE Hub", regions=("North East",)),
]
NEEDS = ["manufacture it", "run a trial"]
#                     hub  lab  trust star  nehub
SCORES = np.array([[0.2, 0.6, 0.1, 0.9, 0.3],    # need 1: the NE star is best
                   [0.3, 0.1, 0.7, 0.1, 0.2]])   # need 2: only Wales covers it


def test_region_covering_every_need_comes_first_with_its_front_door_and_partners():
    final = SCORES.max(axis=0)
    answers = RegionTable(ENTITIES).answer(SCORES, NEEDS, final, np.ones(5, dtype=bool))
    assert [a.region for a in answers] == ["Wales", "North East"]
    wales = answers[0]
    assert wales.score == (0.6 + 0.7) / 2 and wales.coverage == 1.0
    assert wales.front_doors == ("wales-hub",)
    assert wales.partners == (("manufacture it", "wales-lab"), ("run a trial", "wales-trust"))
    assert answers[1].coverage == 0.5
    assert answers[0].to_dict()["front_doors"] == [{"entity_id": "wales-hub", "name": "Wales Hub"}]


def test_ineligible_entities_are_left_out():
    eligible = np.array([True, True, True, True, False])
    answers = RegionTable(ENTITIES).answer(SCORES, NEEDS, SCORES.max(axis=0), eligible)
    assert answers[1].region == "North East" and answers[1].front_doors == ()
    only_wales = np.array([True, True, True, False, False])
    assert [a.region for a in RegionTable(ENTITIES).answer(SCORES, NEEDS, SCORES.max(0), only_wales)] == [
        "Wales"]


def test_national_bodies_are_left_out_of_the_region_answer():
    national = np.array([False, False, False, True, True])  # the NE entities serve the whole UK
    answers = RegionTable(ENTITIES, national).answer(SCORES, NEEDS, SCORES.max(0), np.ones(5, bool))
    assert [a.region for a in answers] == ["Wales"]

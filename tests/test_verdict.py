from matcher.reading import read_brief
from matcher.verdict import decide


def test_a_strong_in_country_brief_is_a_match():
    text = "organoid models of liver fibrosis in Wales"
    verdict = decide(text, 55, read_brief(text), 0.9, 30, 0.5)
    assert not verdict.no_good_match and verdict.reasons == ()


def test_each_reason_is_reported():
    assert decide("x", 20, None, 1.0, 30, 0.5).reasons == ("the best fit is 20, below 30",)
    text = "a clinical site in Bavaria for a phase II trial"
    assert decide(text, 60, read_brief(text), 0.9, 30, 0.5).reasons == (
        "it asks for a place outside the UK (Bavaria)",)
    assert decide("battery gigafactory", 60, None, 0.25, 30, 0.5).reasons == (
        "only 25% of its words occur in the corpus",)
    assert decide("anything", 0.0, None, 1.0, 30, 0.0).no_good_match  # nothing matched at all


def test_a_place_abroad_next_to_a_uk_one_is_not_out_of_country():
    for text in ("trial sites in Germany and in Scotland", "a site in Germany or the UK"):
        assert not decide(text, 60, read_brief(text), 0.9, 30, 0.5).no_good_match

"""The "no good match" verdict: decided from more than the best similarity.

A brief gets "no good match" when any of these holds, each a reason shown to the user:
- every match is weak: the best calibrated strength is below ``abstain_below``;
- it asks for a place abroad and names no UK place ("a clinical site in Bavaria");
- few of its words occur anywhere in the corpus (below ``min_known_share``): a car-battery
  or fintech brief shares little vocabulary with life-science profiles even when a dense
  neighbour happens to be close.
The thresholds are RankingConfig constants chosen on the dev splits (scripts/tune_front_door.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .reading import Reading

_UK_NAMED = re.compile(r"\b(?:UK|U\.K\.|United Kingdom|Britain|British|NHS)\b")


@dataclass(frozen=True)
class Verdict:
    no_good_match: bool
    reasons: tuple[str, ...] = ()


def decide(text: str, best: float, reading: Reading | None, known_share: float,
           abstain_below: float, min_known_share: float) -> Verdict:
    """``best``: the strongest calibrated fit among the matches, taken before strengths are
    made to follow rank (a re-ranked list may put a broader fit above a sharper one)."""
    reasons = []
    if best < abstain_below:
        reasons.append(f"the best fit is {best:.0f}, below {abstain_below:.0f}")
    if reading is not None and reading.foreign and not reading.regions and not _UK_NAMED.search(text):
        reasons.append(f"it asks for a place outside the UK ({', '.join(reading.foreign)})")
    if known_share < min_known_share:
        reasons.append(f"only {known_share:.0%} of its words occur in the corpus")
    return Verdict(bool(reasons), tuple(reasons))

"""The gold-standard benchmark's loss, checked by hand and against the published baselines."""

import pytest

from matcher.expertise import Judgement, default_dir, loss, pair_accuracy

ROOT = default_dir()
needs_data = pytest.mark.skipif(not (ROOT / "evaluations.csv").exists(),
                                reason=f"benchmark data not found at {ROOT}")


def test_loss_by_hand():
    # One participant, three papers with expertise 5, 3, 1 -> pair weights 2, 4, 2 (sum 8).
    js = [Judgement("p", "a", 5), Judgement("p", "b", 3), Judgement("p", "c", 1)]
    assert loss(js, {("p", "a"): 3, ("p", "b"): 2, ("p", "c"): 1}) == 0.0
    assert loss(js, {("p", "a"): 1, ("p", "b"): 2, ("p", "c"): 3}) == 1.0
    assert loss(js, {("p", "a"): 1, ("p", "b"): 1, ("p", "c"): 1}) == 0.5
    # a and b swapped: cost 2 of 8; a tie between b and c: cost 2/2 of 8.
    assert loss(js, {("p", "a"): 2, ("p", "b"): 3, ("p", "c"): 1}) == pytest.approx(0.25)
    assert loss(js, {("p", "a"): 3, ("p", "b"): 1, ("p", "c"): 1}) == pytest.approx(0.125)


def test_pair_accuracy_by_hand():
    js = [Judgement("p", "a", 5), Judgement("p", "b", 4.5), Judgement("p", "c", 1)]
    scores = {("p", "a"): 1, ("p", "b"): 2, ("p", "c"): 0}
    # easy: (a,c) right, (b,c) right; hard: (a,b) wrong
    assert pair_accuracy(js, scores) == {"easy": 1.0, "hard": 0.0}


@needs_data
@pytest.mark.parametrize("algorithm, published", [
    ("tpms", 0.2811), ("elmo", 0.3447), ("specter", 0.2689), ("specter_mfr", 0.2384),
    ("acl", 0.2958),
])
def test_reproduces_published_baseline_losses(algorithm, published):
    from statistics import mean

    from matcher.expertise import load_baseline_scores, load_judgements

    judgements = load_judgements(ROOT)
    scores = load_baseline_scores(ROOT)[algorithm]
    assert mean(loss(judgements, scores[v]) for v in range(1, 11)) == pytest.approx(
        published, abs=5e-5)

"""The learned re-ranking step: a shipped linear model over interpretable features, applied
to the hand-set ranking's top candidates only, shown with --explain, refused clearly when its
file is damaged."""

import json

import numpy as np
import pytest

from matcher.errors import MatcherError
from matcher.ranking import RankingConfig
from matcher.rerank import FEATURES, LinearReranker, default_reranker_path, load_reranker


def test_the_shipped_model_reads_and_names_its_features():
    model = load_reranker(str(default_reranker_path()))
    data = json.loads(default_reranker_path().read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES)
    assert model.coef.shape == (len(FEATURES),) and model.depth >= 10
    assert "dev" in data["trained_on"] and "test" not in data["trained_on"]


def test_score_is_the_standardised_linear_model():
    model = LinearReranker(mean=np.array([1.0, 0.0]), scale=np.array([2.0, 1.0]),
                           coef=np.array([1.0, -1.0]), intercept=0.5, depth=5)
    rows = np.array([[3.0, 1.0], [1.0, 0.0]])
    assert model.score(rows).tolist() == [0.5, 0.5]  # (3-1)/2 - 1 + .5 ; 0 - 0 + .5


@pytest.mark.parametrize("content", ["not json", '{"features": ["score"]}', "{}"])
def test_a_damaged_model_file_is_one_clear_error(tmp_path, content):
    path = tmp_path / "m.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MatcherError, match="retrain it with"):
        LinearReranker.load(path)


@pytest.mark.slow
def test_the_shipped_model_applies_to_the_shipped_corpus_only(mini_matcher):
    assert mini_matcher.ranker.reranker is None  # the mini corpus is not the shipped one
    assert not mini_matcher.match("viral vectors")[0].features


@pytest.mark.slow
def test_reranking_reorders_only_the_top_candidates_and_explains_itself(mini_matcher):
    from matcher import Matcher

    hand = Matcher(mini_matcher.data, mini_matcher.spec, encoder=mini_matcher.encoder,
                   config=RankingConfig(rerank=""))
    named = Matcher(mini_matcher.data, mini_matcher.spec, encoder=mini_matcher.encoder,
                    config=RankingConfig(rerank=str(default_reranker_path())))
    brief = "GMP viral vector manufacturing and a hospital for a first-in-human trial in Wales"
    learned = named.match(brief, k=50)
    plain = hand.match(brief, k=50)
    assert sorted(m.entity_id for m in learned) == sorted(m.entity_id for m in plain)
    depth = named.ranker.reranker.depth
    assert [m.entity_id for m in learned][depth:] == [m.entity_id for m in plain][depth:]
    top = learned[0]
    assert set(top.features) == {*FEATURES, "learned"}
    values = [m.features["learned"] for m in learned.matches[:depth] if m.features]
    assert values == sorted(values, reverse=True)  # the top is ordered by the learned score
    scores = [m.score for m in learned]
    assert scores == sorted(scores, reverse=True)  # and every score falls down the list
    assert not plain[0].features  # nothing to explain without the model
    strengths = [m.strength for m in learned]
    assert strengths == sorted(strengths, reverse=True)  # strength still follows rank
    quiet = named.match_many([brief], k=5, explain=False)[0]
    assert [m.entity_id for m in quiet] == [m.entity_id for m in learned][:5]
    assert not quiet[0].features

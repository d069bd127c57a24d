import pytest

from matcher.bootstrap import paired_bootstrap


def test_a_consistent_gain_has_an_interval_above_zero():
    d = paired_bootstrap([0.6, 0.7, 0.8, 0.5, 0.9, 0.6], [0.5, 0.6, 0.6, 0.4, 0.7, 0.5])
    assert d.mean == pytest.approx(0.1333, abs=1e-3)
    assert 0 < d.low <= d.mean <= d.high
    assert str(d).startswith("+0.133 [")


def test_no_difference_straddles_zero_and_is_reproducible():
    a, b = [0.1, 0.9, 0.4, 0.6], [0.9, 0.1, 0.6, 0.4]
    d = paired_bootstrap(a, b)
    assert d.mean == 0 and d.low < 0 < d.high
    assert paired_bootstrap(a, b) == d


def test_unequal_or_empty_lists_are_refused():
    with pytest.raises(ValueError):
        paired_bootstrap([], [])

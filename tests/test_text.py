from matcher.text import split_sentences, split_to_fit


def words(text: str) -> int:
    return len(text.split())


def test_split_sentences_keeps_abbreviations_together():
    text = "Works with NHS trusts, e.g. Leeds. It runs trials.  Another one! Is it? Yes."
    assert split_sentences(text) == [
        "Works with NHS trusts, e.g. Leeds.",
        "It runs trials.",
        "Another one!",
        "Is it?",
        "Yes.",
    ]


def test_split_sentences_blank():
    assert split_sentences("   \n ") == []


def test_split_to_fit_returns_short_text_whole():
    assert split_to_fit("one two three.", words, 5) == ["one two three."]


def test_split_to_fit_packs_sentences_and_drops_nothing():
    text = "a b c. d e f. g h i j k l m n o p."
    parts = split_to_fit(text, words, 6)
    assert all(words(p) <= 6 for p in parts)
    assert " ".join(parts).split() == text.split()
    assert parts[0] == "a b c. d e f."

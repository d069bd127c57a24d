"""BM25 over the same passages as the dense index (bm25s: sparse matrices, saved as .npy/JSON)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

STEMMER_LANGUAGE = "english"


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer(STEMMER_LANGUAGE)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


_WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s's (and scikit-learn's) default token pattern


def tokenize(text: str) -> list[str]:
    """BM25 terms of a text, as bm25s.tokenize makes them (lower-case words of two or more
    characters, English stopwords dropped, Snowball-stemmed) without its per-call overhead,
    which was a third of a short query's ranking time."""
    stop = _stopwords()
    return _stemmer().stemWords([w for w in _WORD.findall(text.lower()) if w not in stop])


class LexicalIndex:
    """Okapi BM25 (bm25s defaults: Lucene variant, k1=1.5, b=0.75)."""

    def __init__(self, retriever) -> None:
        self.retriever = retriever
        self._term_scores = None  # (terms x passages) sparse, made on first use

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        import bm25s

        corpus_tokens = [tokenize(text) for text in texts]
        retriever = bm25s.BM25()
        retriever.index(corpus_tokens, show_progress=False)
        return cls(retriever)

    @property
    def size(self) -> int:
        return int(self.retriever.scores["num_docs"])

    def known_share(self, text: str) -> float:
        """Share of a text's BM25 terms that occur anywhere in the corpus (1.0 for a text with
        no terms): a brief about car batteries shares few words with life-science profiles."""
        tokens = tokenize(text)
        if not tokens:
            return 1.0
        vocabulary = self.retriever.vocab_dict
        return sum(1 for t in tokens if t in vocabulary) / len(tokens)

    def score_matrix(self, texts: list[str]) -> np.ndarray:
        """BM25 score of every passage for each text, (texts x passages), zeros where no term
        is known: one sparse product for all texts (query term counts x the index's per-term
        passage scores), which sums exactly what bm25s's get_scores sums for each text."""
        from scipy import sparse

        if self._term_scores is None:
            scores = self.retriever.scores
            self._term_scores = sparse.csr_matrix(
                (scores["data"], scores["indices"], scores["indptr"]),
                shape=(len(scores["indptr"]) - 1, self.size))
        vocabulary = self.retriever.vocab_dict
        rows, terms = [], []
        for row, text in enumerate(texts):
            for token in tokenize(text):
                term = vocabulary.get(token)
                if term is not None:
                    rows.append(row)
                    terms.append(term)
        counts = sparse.csr_matrix(  # a repeated query term counts each time, as in bm25s
            (np.ones(len(rows), dtype=np.float32), (rows, terms)),
            shape=(len(texts), self._term_scores.shape[0]))
        return np.asarray((counts @ self._term_scores).todense(), dtype=np.float32)

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(folder), allow_pickle=False, load_corpus=False))




def shared_terms(passage: str, query: str, limit: int = 6) -> list[str]:
    """Words of the passage that share a stem with a word of the query (stopwords aside),
    as the passage spells them: the lexical part of an explanation."""
    stemmer = _stemmer()
    stop = _stopwords()
    wanted = {stemmer.stemWord(w) for w in _WORD.findall(query.lower()) if w not in stop}
    found: dict[str, str] = {}
    for word in _WORD.findall(passage):
        lower = word.lower()
        stem = stemmer.stemWord(lower)
        if lower not in stop and stem in wanted and stem not in found:
            found[stem] = word
    return list(found.values())[:limit]

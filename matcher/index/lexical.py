"""BM25 over the same passages as the dense index (bm25s: sparse matrices, saved as .npy/JSON)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

STOPWORDS = "en"
STEMMER_LANGUAGE = "english"


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer(STEMMER_LANGUAGE)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


class LexicalIndex:
    """Okapi BM25 (bm25s defaults: Lucene variant, k1=1.5, b=0.75)."""

    def __init__(self, retriever) -> None:
        self.retriever = retriever
        self.stemmer = _stemmer()

    def tokens(self, text: str) -> list[str]:
        import bm25s

        return bm25s.tokenize(
            [text], stopwords=STOPWORDS, stemmer=self.stemmer, return_ids=False,
            show_progress=False,
        )[0]

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        import bm25s

        corpus_tokens = bm25s.tokenize(
            texts, stopwords=STOPWORDS, stemmer=_stemmer(), return_ids=False, show_progress=False
        )
        retriever = bm25s.BM25()
        retriever.index(corpus_tokens, show_progress=False)
        return cls(retriever)

    @property
    def size(self) -> int:
        return int(self.retriever.scores["num_docs"])

    def scores(self, text: str) -> np.ndarray:
        """BM25 score of every passage for this text (zeros when no term is known)."""
        known = [t for t in self.tokens(text) if t in self.retriever.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(folder), allow_pickle=False, load_corpus=False))


_WORD = re.compile(r"(?u)\b\w\w+\b")


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

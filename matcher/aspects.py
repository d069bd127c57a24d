"""Splitting a brief into its needs (aspects), so each need is matched on its own."""

from __future__ import annotations

import re

from .text import split_sentences

# Clause boundaries inside a sentence: semicolons, and a comma before "plus" / "and also" /
# "as well as", which in briefs usually starts another need.
_CLAUSE = re.compile(r";\s+|,\s+(?=(?:plus|and also|as well as)\b)", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")
MIN_WORDS = 4  # shorter fragments join their neighbour: "Thanks." is not a need


def split_aspects(text: str, max_aspects: int = 8) -> list[str]:
    """The brief's needs: sentences, list items and enumerated clauses, in order.

    Returns [] when the brief holds fewer than two needs (it is then matched as a whole only).
    Fragments under four words join the previous need; beyond ``max_aspects`` the shortest
    neighbours are merged, so a long brief does not dilute each need into noise.
    """
    pieces: list[str] = []
    for line in text.splitlines() or [text]:
        line = _LIST_ITEM.sub("", line)
        for sentence in split_sentences(line):
            pieces.extend(p.strip(" ,") for p in _CLAUSE.split(sentence) if p.strip(" ,"))
    merged: list[str] = []
    for piece in pieces:
        if merged and (len(piece.split()) < MIN_WORDS or len(merged[-1].split()) < MIN_WORDS):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    while len(merged) > max_aspects:
        i = min(range(len(merged) - 1), key=lambda j: len(merged[j]) + len(merged[j + 1]))
        merged[i : i + 2] = [f"{merged[i]} {merged[i + 1]}"]
    return merged if len(merged) >= 2 else []

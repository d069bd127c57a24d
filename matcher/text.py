"""Decoding input text, sentence splitting and fitting text into the encoder's token window.

One decoding rule for every input (a brief for ``match``, a line of a ``batch`` file): UTF-8,
with or without a byte-order mark, else Windows-1252 (what Excel on Windows saves, reported
to the user), else undecodable. NUL bytes are refused by the matcher itself (matcher.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable


def decode_text(raw: bytes) -> tuple[str | None, bool]:
    """(text, read_as_cp1252): UTF-8 first, then cp1252; (None, False) when neither reads it."""
    try:
        return raw.decode("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"), False
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), True
    except UnicodeDecodeError:
        return None, False


# A sentence ends at . ! ? followed by space and an upper-case letter, digit or quote,
# unless the full stop closes a common abbreviation.
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\u2018\u201c])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "Dr.", "Prof.", "St.", "Ltd.", "Inc.", "No.", "vs.",
                  "approx.", "Co.", "Mr.", "Mrs.", "Ms.", "U.K.", "U.S.")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, whitespace-normalised; blank input gives []."""
    text = " ".join(text.split())
    if not text:
        return []
    pieces = _BOUNDARY.split(text)
    sentences: list[str] = []
    for piece in pieces:
        if sentences and sentences[-1].endswith(_ABBREVIATIONS):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return [s.strip() for s in sentences if s.strip()]


def split_to_fit(text: str, count_tokens: Callable[[str], int], max_tokens: int) -> list[str]:
    """The text as one piece if it fits the window, else sentence groups that each fit.

    A single sentence longer than the window is cut into word runs that fit, so no words are
    dropped: the caller scores every piece.
    """
    if count_tokens(text) <= max_tokens:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        for part in _words_to_fit(sentence, count_tokens, max_tokens):
            joined = f"{current} {part}".strip()
            if current and count_tokens(joined) > max_tokens:
                pieces.append(current)
                current = part
            else:
                current = joined
    if current:
        pieces.append(current)
    return pieces


def _words_to_fit(sentence: str, count_tokens: Callable[[str], int], max_tokens: int) -> list[str]:
    if count_tokens(sentence) <= max_tokens:
        return [sentence]
    words, parts, current = sentence.split(), [], []
    for word in words:
        if current and count_tokens(" ".join([*current, word])) > max_tokens:
            parts.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        parts.append(" ".join(current))
    return parts

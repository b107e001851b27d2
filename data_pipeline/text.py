"""Transcript normalisation for Swedish training targets, and the alphabet filter."""

from __future__ import annotations

import re
import unicodedata

from textning.text import normalize_for_scoring

# Letters a Swedish transcript may hold: the Swedish alphabet and the accented letters of names and loans.
SWEDISH_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzåäöéèëêáàâüúùûíìïîóòôõøæçñß")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "´": "'"})


def clean_transcript(text: str, style: str = "whisper") -> str:
    """NFC, straight quotes, single spaces; ``normalized`` also lower-cases and drops punctuation."""
    text = " ".join(unicodedata.normalize("NFC", text or "").translate(_QUOTES).split())
    return normalize_for_scoring(text) if style == "normalized" else text


def foreign_letters(text: str) -> set[str]:
    """Letters of ``text`` outside the Swedish alphabet (Cyrillic, CJK, ...)."""
    return {ch for ch in text.lower() if ch.isalpha() and ch not in SWEDISH_LETTERS}


def sentence_key(text: str) -> str:
    """The form two transcripts are compared in to decide they are the same sentence."""
    return re.sub(r"\s+", " ", normalize_for_scoring(text)).strip()

"""Text normalisation for scoring Swedish transcripts (WER/CER)."""

from __future__ import annotations

import re
import unicodedata

import jiwer

_NOT_WORD = re.compile(r"[^\w\s]|_")


def normalize_for_scoring(text: str) -> str:
    """Lower-case, NFC, punctuation removed, whitespace collapsed: the form WER and CER are computed on."""
    text = unicodedata.normalize("NFC", text).lower()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus WER over normalised texts (jiwer)."""
    return jiwer.wer([normalize_for_scoring(t) for t in references], [normalize_for_scoring(t) for t in hypotheses])


def character_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus CER over normalised texts (jiwer)."""
    return jiwer.cer([normalize_for_scoring(t) for t in references], [normalize_for_scoring(t) for t in hypotheses])

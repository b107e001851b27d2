"""WER and CER of generated token ids against label ids (jiwer, on normalised text)."""

from __future__ import annotations

import numpy as np

from textning.text import character_error_rate, word_error_rate


def decode_pairs(tokenizer, predictions: np.ndarray, labels: np.ndarray) -> tuple[list[str], list[str]]:
    """(references, hypotheses) as text; label padding (-100) is skipped."""
    labels = np.where(labels == -100, tokenizer.pad_token_id, labels)
    predictions = np.where(predictions == -100, tokenizer.pad_token_id, predictions)
    hypotheses = tokenizer.batch_decode(predictions, skip_special_tokens=True)
    references = tokenizer.batch_decode(labels, skip_special_tokens=True)
    return references, hypotheses


def error_rates(references: list[str], hypotheses: list[str]) -> dict[str, float]:
    """WER and CER; empty references are left out (jiwer cannot score them)."""
    pairs = [(r, h) for r, h in zip(references, hypotheses, strict=True) if r.strip()]
    if not pairs:
        return {"wer": float("nan"), "cer": float("nan")}
    refs, hyps = zip(*pairs, strict=True)
    return {"wer": word_error_rate(list(refs), list(hyps)), "cer": character_error_rate(list(refs), list(hyps))}

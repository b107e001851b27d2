"""One example in, one row out: decoded 16 kHz audio -> audio filters -> log-mel features and label ids.

Features are the model's own ``WhisperFeatureExtractor`` output on the 30 s padded window, stored as float16
and trimmed after the last frame the audio reaches: the frames after it all hold one floor value, kept beside
them as ``pad_value``, so ``restore_features`` gives back the full padded array exactly.
"""

from __future__ import annotations

import math
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

SAMPLING_RATE = 16_000
HOP = 160


_PARENT_PID = os.getpid()


@lru_cache(maxsize=2)
def processor(model_dir: str, language: str):
    """The model's feature extractor and tokenizer (with the language/transcribe prefix), once per worker."""
    from transformers import AutoTokenizer, WhisperFeatureExtractor

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    tokenizer.set_prefix_tokens(language=language, task="transcribe", predict_timestamps=False)
    return WhisperFeatureExtractor.from_pretrained(model_dir), tokenizer


def _single_threaded_in_forked_worker() -> None:
    """In a forked datasets worker, torch's OpenMP pool inherited from a parent that used it would deadlock."""
    if os.getpid() != _PARENT_PID:
        import torch

        if torch.get_num_threads() != 1:
            torch.set_num_threads(1)


def decode(audio_ref: str) -> np.ndarray:
    """16 kHz mono float32 samples of a local file (FFmpeg through PyAV) or a hub example."""
    if audio_ref.startswith("hub://"):
        return _hub_audio(audio_ref)
    from faster_whisper.audio import decode_audio

    if not Path(audio_ref).is_file():
        raise FileNotFoundError(f"no such file: {audio_ref}")
    return decode_audio(audio_ref, sampling_rate=SAMPLING_RATE)


@lru_cache(maxsize=4)
def _hub_table(dataset: str, config: str, split: str):
    import datasets

    table = datasets.load_dataset(dataset, config or None, split=split)
    return table.cast_column("audio", datasets.Audio(sampling_rate=SAMPLING_RATE))


def _hub_audio(audio_ref: str) -> np.ndarray:
    dataset, config, split, index = audio_ref.removeprefix("hub://").split("|")
    audio = _hub_table(dataset, config, split)[int(index)]["audio"]
    samples = audio["array"] if isinstance(audio, dict) else audio.get_all_samples().data.numpy()
    return np.asarray(samples, dtype=np.float32).reshape(-1)


def level_db(audio: np.ndarray) -> float:
    """RMS level in dBFS (-inf for digital silence)."""
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0
    return 20 * math.log10(rms) if rms > 0 else float("-inf")


def trim_features(features: np.ndarray, n_samples: int) -> np.ndarray:
    """The frames the audio reaches (plus the window's overlap); the rest is the constant floor."""
    keep = min(features.shape[1], n_samples // HOP + 3)
    return features[:, :keep]


def restore_features(stored: np.ndarray, pad_value: float, frames: int = 3000) -> np.ndarray:
    """The full padded log-mel array from its trimmed, stored form."""
    full = np.full((stored.shape[0], frames), pad_value, dtype=stored.dtype)
    full[:, : stored.shape[1]] = stored
    return full


def process_example(
    example: dict[str, Any],
    model_dir: str,
    language: str,
    max_audio_s: float,
    max_label_tokens: int,
    min_level_db: float,
) -> dict[str, Any]:
    """Features and labels, or ``status`` naming the filter or the error that rejected the example."""
    row = {"status": "ok", "duration": 0.0, "features": b"", "n_mels": 0, "n_frames": 0, "pad_value": 0.0, "labels": []}
    try:
        audio = decode(example["audio"])
    except Exception as error:  # noqa: BLE001 - a corrupt clip goes to the rejects list, the run goes on
        return {**row, "status": f"reject: {type(error).__name__}: {str(error).splitlines()[0][:200]}"}
    row["duration"] = audio.size / SAMPLING_RATE
    if audio.size == 0:
        return {**row, "status": "reject: no audio samples"}
    if row["duration"] > max_audio_s:
        return {**row, "status": "filter: audio_over_30s"}
    if level_db(audio) < min_level_db:
        return {**row, "status": "filter: near_silent"}
    _single_threaded_in_forked_worker()
    extractor, tokenizer = processor(model_dir, language)
    labels = tokenizer(example["text"]).input_ids
    if len(labels) > max_label_tokens:
        return {**row, "status": "filter: labels_over_448_tokens"}
    features = extractor(audio, sampling_rate=SAMPLING_RATE, return_tensors="np").input_features[0]
    stored = trim_features(features, audio.size).astype(np.float16)
    return {
        **row,
        "features": stored.tobytes(),
        "n_mels": stored.shape[0],
        "n_frames": stored.shape[1],
        "pad_value": float(features[0, -1]),
        "labels": labels,
    }

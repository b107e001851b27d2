"""Decode anything FFmpeg reads (through PyAV) into 16 kHz mono float32, with clear errors for non-audio."""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import numpy as np
from faster_whisper.audio import decode_audio

from service.download import InputError

SAMPLING_RATE = 16_000


def probe_duration(path: Path, source: str) -> float:
    """Seconds of audio in ``path``; InputError when it has no decodable audio stream."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise InputError(source, "has no audio stream")
            stream = container.streams.audio[0]
            if container.duration:
                return container.duration / av.time_base
            if stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
            return 0.0
    except av.error.FFmpegError as error:
        raise InputError(source, f"not an audio or video file FFmpeg can read ({error.strerror or error})") from None


def load_audio(path: Path, source: str, max_duration_s: float) -> np.ndarray:
    """16 kHz mono float32 samples; too long, undecodable or silent-empty input is an InputError."""
    duration = probe_duration(path, source)
    if duration > max_duration_s:
        raise InputError(source, f"audio is {duration / 60:.0f} min, over the limit of {max_duration_s / 60:.0f} min")
    try:
        audio = decode_audio(str(path), sampling_rate=SAMPLING_RATE)
    except (av.error.FFmpegError, ValueError) as error:
        raise InputError(source, f"audio could not be decoded ({error})") from None
    if audio.size == 0:
        raise InputError(source, "contains no audio samples")
    if audio.size / SAMPLING_RATE > max_duration_s:
        raise InputError(source, f"audio is over the limit of {max_duration_s / 60:.0f} min")
    return audio


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (the library's key for 'the same audio')."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()

"""Long test recordings made of real Common Voice clips joined with pauses (for tests and benchmarks)."""

from __future__ import annotations

import csv
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLING_RATE = 16_000


@dataclass
class JoinedClip:
    path: Path
    reference: str  # the clips' sentences in order
    duration: float


def read_common_voice(folder: Path, table: str = "validated.tsv") -> list[dict[str, str]]:
    """Rows of a Common Voice release table (client_id, path, sentence, ...)."""
    with open(folder / table, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def write_wav(path: Path, audio: np.ndarray, sampling_rate: int = SAMPLING_RATE) -> Path:
    """16-bit PCM mono WAV."""
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sampling_rate)
        out.writeframes(pcm.tobytes())
    return path


def join_clips(folder: Path, out: Path, count: int | None = None, pause_s: float = 1.0, start: int = 0) -> JoinedClip:
    """Decode ``count`` clips of a Common Voice folder and join them with ``pause_s`` of silence into a WAV."""
    from faster_whisper.audio import decode_audio

    rows = read_common_voice(folder)[start:]
    rows = rows[:count] if count else rows
    silence = np.zeros(int(pause_s * SAMPLING_RATE), dtype=np.float32)
    pieces: list[np.ndarray] = [silence]
    for row in rows:
        pieces += [decode_audio(str(folder / "clips" / row["path"]), sampling_rate=SAMPLING_RATE), silence]
    audio = np.concatenate(pieces)
    write_wav(out, audio)
    return JoinedClip(out, " ".join(row["sentence"] for row in rows), audio.size / SAMPLING_RATE)

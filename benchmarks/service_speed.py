"""Textning's transcription (faster-whisper, batched, Silero VAD, int8) against a transformers ASR pipeline.

Both run Whisper base on all of the shared Common Voice sample joined with 1 s pauses, on this machine's CPU.
Prints both times, real-time factors, the speed ratio and both WERs (and plain sequential faster-whisper's).

    .venv/bin/python -m benchmarks.service_speed
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import torch

from benchmarks.common import joined_sample, timed
from conversion.model_formats import as_transformers
from service.audio import load_audio
from service.config import ServiceConfig
from service.transcriber import Transcriber
from textning.text import word_error_rate


def run_textning(audio, batch_size: int) -> str:
    transcriber = Transcriber(ServiceConfig(batch_size=batch_size))
    return transcriber.transcribe(audio).text


def run_transformers(audio) -> str:
    from transformers import pipeline

    asr = pipeline(
        "automatic-speech-recognition", model=str(as_transformers("default")), device="cpu", dtype=torch.float32
    )
    result = asr(
        {"raw": audio, "sampling_rate": 16_000},
        chunk_length_s=30,
        batch_size=4,
        generate_kwargs={"language": "sv", "task": "transcribe", "num_beams": 5},
    )
    return result["text"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-transformers", action="store_true", help="only time Textning")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clip = joined_sample(Path(tmp))
        audio = load_audio(clip.path, str(clip.path), max_duration_s=3600)
    print(f"audio: {clip.duration:.1f} s of Swedish speech ({torch.get_num_threads()} CPU threads)")
    rows = [
        ("textning (batched, VAD, int8)", *timed(lambda: run_textning(audio, 8))),
        ("faster-whisper sequential (VAD, int8)", *timed(lambda: run_textning(audio, 1))),
    ]
    if not args.skip_transformers:
        rows.append(("transformers pipeline (30 s chunks, batch 4)", *timed(lambda: run_transformers(audio))))
    for name, text, seconds in rows:
        wer = word_error_rate([clip.reference], [text])
        print(f"{name:46s} time {seconds:7.1f} s  RTF {seconds / clip.duration:.3f}  WER {wer:.1%}")
    if not args.skip_transformers:
        print(f"speed-up of textning over transformers: {rows[2][2] / rows[0][2]:.1f}x")


if __name__ == "__main__":
    main()

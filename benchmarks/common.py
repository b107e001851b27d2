"""Shared setup for the benchmarks: the Common Voice sample joined into one long recording."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from textning.sample_audio import JoinedClip, join_clips

REPO = Path(__file__).resolve().parents[1]
SAMPLE = Path(os.environ.get("TEXTNING_SHARED", REPO.parent / "shared")) / "data" / "cv-sv-SE-sample"
T = TypeVar("T")


def joined_sample(out_dir: Path, pause_s: float = 1.0) -> JoinedClip:
    """All 62 clips of the shared sample joined with pauses (about 249 s)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return join_clips(SAMPLE, out_dir / "cv-sample-joined.wav", pause_s=pause_s)


def timed(function: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start

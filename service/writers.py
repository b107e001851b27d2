"""SRT (srt), WebVTT (webvtt-py), readable TXT and JSON outputs, each written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import srt
import webvtt

from service.subtitles import Cue, build_cues
from service.transcript import Transcript

PARAGRAPH_PAUSE_S = 2.0
PARAGRAPH_CHARS = 600


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def to_srt(cues: list[Cue]) -> str:
    subtitles = [
        srt.Subtitle(index, timedelta(seconds=cue.start), timedelta(seconds=cue.end), cue.text)
        for index, cue in enumerate(cues, start=1)
    ]
    return srt.compose(subtitles, reindex=False)


def _vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def to_vtt(cues: list[Cue]) -> str:
    document = webvtt.WebVTT()
    for cue in cues:
        document.captions.append(webvtt.Caption(_vtt_time(cue.start), _vtt_time(cue.end), cue.lines))
    return document.content


def to_txt(transcript: Transcript) -> str:
    """Readable paragraphs: a new one after a long pause or when a paragraph grows long."""
    paragraphs: list[list[str]] = [[]]
    previous_end = None
    for segment in transcript.segments:
        text = segment.text.strip()
        if not text:
            continue
        current = paragraphs[-1]
        long_pause = previous_end is not None and segment.start - previous_end > PARAGRAPH_PAUSE_S
        too_long = sum(len(part) + 1 for part in current) > PARAGRAPH_CHARS and current[-1].endswith((".", "!", "?"))
        if current and (long_pause or too_long):
            paragraphs.append([])
        paragraphs[-1].append(text)
        previous_end = segment.end
    header = [transcript.title] if transcript.title else []
    body = [" ".join(parts) for parts in paragraphs if parts]
    return "\n\n".join(header + body) + "\n"


def to_json(transcript: Transcript, words: bool) -> str:
    return json.dumps(transcript.to_dict(words=words), ensure_ascii=False, indent=2) + "\n"


def write_outputs(
    transcript: Transcript, out_dir: Path, name: str, formats: tuple[str, ...], words: bool
) -> list[Path]:
    """Write ``out_dir/name.<format>`` for each format asked for; returns the paths written."""
    cues = build_cues(transcript) if {"srt", "vtt"} & set(formats) else []
    render: dict[str, Callable[[], str]] = {
        "srt": lambda: to_srt(cues),
        "vtt": lambda: to_vtt(cues),
        "txt": lambda: to_txt(transcript),
        "json": lambda: to_json(transcript, words),
    }
    return [write_atomic(out_dir / f"{name}.{fmt}", render[fmt]()) for fmt in formats]

"""The service's one pipeline: input -> local media -> (library or Whisper) -> subtitle and text files."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from service.audio import file_sha256, load_audio
from service.config import ServiceConfig
from service.download import ByteProgress
from service.inputs import MediaItem, resolve_input
from service.library import Library
from service.transcriber import Progress, Transcriber
from service.transcript import Transcript
from service.writers import write_outputs
from textning.models import DEFAULT_MODEL, DEFAULT_MODEL_SHA256, resolve_model, weights_fingerprint


@dataclass
class Transcribed:
    """A transcript, whether it came from the library, and its library key."""

    transcript: Transcript
    from_library: bool
    key: str


def model_fingerprint(reference: str) -> str:
    """What identifies the model's weights: the bundled checksum, or the directory and its weight files."""
    if reference in ("", DEFAULT_MODEL):
        return f"default:{DEFAULT_MODEL_SHA256}"
    return weights_fingerprint(resolve_model(reference).path)


class TranscriptionService:
    """Transcribes inputs, reusing the library; the model is loaded on first need and kept."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.library = Library(config.library_path)
        self._transcriber: Transcriber | None = None
        self._options = {
            "model": model_fingerprint(config.model),
            "language": config.language,
            "beam_size": config.beam_size,
            "batched": config.batch_size > 1,
            "no_speech_threshold": config.no_speech_threshold,
            "compression_ratio_threshold": config.compression_ratio_threshold,
            "log_prob_threshold": config.log_prob_threshold,
            "vad_min_silence_ms": config.vad_min_silence_ms,
        }

    @property
    def transcriber(self) -> Transcriber:
        if self._transcriber is None:
            self._transcriber = Transcriber(self.config)
        return self._transcriber

    def library_key(self, audio_sha256: str, prompt: str | None) -> str:
        options = json.dumps({**self._options, "prompt": prompt or ""}, sort_keys=True)
        return hashlib.sha256(f"{audio_sha256}|{options}".encode()).hexdigest()

    def resolve(self, source: str, on_download: ByteProgress | None = None) -> list[MediaItem]:
        """The local media behind an input (downloads and feeds included)."""
        return resolve_input(source, self.config, on_download)

    def transcribe_item(self, item: MediaItem, on_audio: Progress | None = None) -> Transcribed:
        """The transcript of one item, from the library when the same audio and options were done before."""
        audio_sha256 = file_sha256(item.path)
        key = self.library_key(audio_sha256, item.prompt)
        stored = self.library.get(key)
        if stored is not None:
            return Transcribed(stored.transcript, True, key)
        audio = load_audio(item.path, item.source, self.config.max_duration_s)
        transcript = self.transcriber.transcribe(audio, prompt=item.prompt, progress=on_audio)
        transcript.source, transcript.title = item.source, item.title
        transcript.show, transcript.published = item.show, item.published
        self.library.put(
            key, audio_sha256, {**self._options, "prompt": item.prompt}, item.name, str(item.path), transcript
        )
        return Transcribed(transcript, False, key)

    def write(self, item: MediaItem, transcript: Transcript, out_dir: Path) -> list[Path]:
        return write_outputs(transcript, out_dir, item.name, self.config.formats, self.config.word_timestamps)


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``... when an earlier input of the same call already wrote it."""
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}-{number}", number + 1
    taken.add(candidate)
    return candidate

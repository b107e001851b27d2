"""faster-whisper on a CTranslate2 model: Silero VAD chunks, the batched pipeline, hallucination guards."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from service.audio import SAMPLING_RATE
from service.config import ServiceConfig
from service.transcript import Segment, Transcript, Word, split_sentences

Progress = Callable[[float, float], None]  # (seconds done, total seconds)


def _device(config: ServiceConfig) -> tuple[str, str]:
    import ctranslate2

    device = config.device
    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    compute_type = config.compute_type
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


class Transcriber:
    """Loads the model once and transcribes 16 kHz audio into a Transcript."""

    def __init__(self, config: ServiceConfig) -> None:
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        from conversion.model_formats import as_ctranslate2

        self.config = config
        self.device, self.compute_type = _device(config)
        model_dir = as_ctranslate2(config.model)
        self.model = WhisperModel(
            str(model_dir), device=self.device, compute_type=self.compute_type, cpu_threads=config.cpu_threads
        )
        self.pipeline = BatchedInferencePipeline(self.model) if config.batch_size > 1 else None

    def transcribe(self, audio: np.ndarray, prompt: str | None = None, progress: Progress | None = None) -> Transcript:
        """Transcribe ``audio``; ``prompt`` (titles, names) steers spelling; ``progress`` gets seconds done."""
        config = self.config
        options = dict(
            language=config.language or None,
            beam_size=config.beam_size,
            word_timestamps=True,  # subtitle cues are split on word times; JSON shows them on request
            initial_prompt=prompt or None,
            no_speech_threshold=config.no_speech_threshold,
            compression_ratio_threshold=config.compression_ratio_threshold,
            log_prob_threshold=config.log_prob_threshold,
            vad_filter=True,
            vad_parameters={"min_silence_duration_ms": config.vad_min_silence_ms},
        )
        if self.pipeline is not None:
            segments, info = self.pipeline.transcribe(audio, batch_size=config.batch_size, **options)
        else:
            segments, info = self.model.transcribe(audio, **options)
        duration = audio.size / SAMPLING_RATE
        kept: list[Segment] = []
        for segment in segments:
            if progress:
                progress(min(segment.end, duration), duration)
            if self._hallucinated(segment):
                continue
            words = [Word(w.start, w.end, w.word, w.probability) for w in segment.words or []]
            kept.extend(split_sentences(Segment(segment.start, segment.end, segment.text.strip(), words)))
        if progress:
            progress(duration, duration)
        return Transcript(kept, info.language, duration, config.model)

    def _hallucinated(self, segment) -> bool:
        """Text Whisper made up over silence or music, or a repetition loop."""
        config = self.config
        if not segment.text.strip():
            return True
        silent = segment.no_speech_prob > config.no_speech_threshold and segment.avg_logprob < config.log_prob_threshold
        looping = segment.compression_ratio > config.compression_ratio_threshold
        return silent or looping

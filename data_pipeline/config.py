"""The feature pipeline's one configuration object."""

from __future__ import annotations

from dataclasses import dataclass, field

from textning.models import DEFAULT_MODEL


@dataclass
class PipelineConfig:
    """What ``python -m data_pipeline build`` does; YAML/TOML keys use the same names.

    ``sources`` are specs such as ``commonvoice:/data/cv-sv`` with an optional mixing weight after ``@``
    (``rixvox:@2``); the weights decide how sources interleave in every split and so what an hours budget keeps.
    """

    sources: list[str] = field(default_factory=list)
    out: str = ""
    model: str = DEFAULT_MODEL
    language: str = "sv"
    text_style: str = "whisper"  # whisper: keep case and punctuation; normalized: lower case, no punctuation
    max_audio_s: float = 30.0
    max_label_tokens: int = 448
    min_level_db: float = -50.0  # RMS below this (dBFS) is near-silent
    validation_fraction: float = 0.1
    test_fraction: float = 0.1
    seed: int = 13
    max_hours: float | None = None  # budget for the train split, in hours of kept audio
    shard_size: int = 256
    num_proc: int = 1

    def __post_init__(self) -> None:
        if self.text_style not in ("whisper", "normalized"):
            raise ValueError(f"text_style must be 'whisper' or 'normalized', not {self.text_style!r}")

"""The service's one configuration object."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from textning.models import DEFAULT_MODEL, cache_dir

FORMATS = ("srt", "vtt", "txt", "json")


@dataclass
class ServiceConfig:
    """Everything the transcription service can be told; YAML/TOML file keys use the same names."""

    model: str = DEFAULT_MODEL
    language: str = "sv"
    device: str = "auto"  # auto, cpu or cuda
    compute_type: str = "auto"  # auto: int8 on CPU, float16 on GPU
    cpu_threads: int = 0  # 0: CTranslate2 decides
    beam_size: int = 5
    batch_size: int = 8  # batched pipeline over VAD chunks; 1 runs faster-whisper's sequential decoder
    word_timestamps: bool = False  # per-word times in the JSON output (always used for subtitle timing)
    vad_min_silence_ms: int = 500
    no_speech_threshold: float = 0.6
    compression_ratio_threshold: float = 2.4
    log_prob_threshold: float = -1.0
    formats: tuple[str, ...] = FORMATS
    episodes: int = 1
    max_duration_s: float = 4 * 3600.0
    max_download_bytes: int = 2 * 1024**3
    network_timeout_s: float = 30.0
    data_dir: Path = field(default_factory=lambda: cache_dir() / "service")

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).expanduser()
        if isinstance(self.formats, str):
            self.formats = tuple(part.strip() for part in self.formats.split(",") if part.strip())
        self.formats = tuple(self.formats)

    @property
    def library_path(self) -> Path:
        """The SQLite library of every transcript made so far."""
        return self.data_dir / "library.sqlite3"

    @property
    def download_dir(self) -> Path:
        """Where downloaded media is cached (by URL), so a rerun does not fetch it again."""
        return self.data_dir / "downloads"

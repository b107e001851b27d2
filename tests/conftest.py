"""Shared fixtures: an isolated model cache, the real Common Voice sample, the bundled base model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_SAMPLE = Path(os.environ.get("TEXTNING_SHARED", REPO.parent / "shared")) / "data" / "cv-sv-SE-sample"


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every test session assembles the default model afresh in its own cache."""
    cache = tmp_path_factory.mktemp("textning-cache")
    os.environ["TEXTNING_CACHE"] = str(cache)
    os.environ["HF_HUB_OFFLINE"] = "1"
    return cache


@pytest.fixture(scope="session")
def cv_sample() -> Path:
    """The 62-clip Common Voice sv-SE sample beside the repository (../shared)."""
    if not (SHARED_SAMPLE / "validated.tsv").is_file():
        pytest.fail(f"Common Voice sample not found at {SHARED_SAMPLE} (set TEXTNING_SHARED to the shared folder)")
    return SHARED_SAMPLE


@pytest.fixture(scope="session")
def cv_rows(cv_sample: Path) -> list[dict[str, str]]:
    from textning.sample_audio import read_common_voice

    return read_common_voice(cv_sample)


@pytest.fixture(scope="session")
def default_ct2(isolated_cache: Path) -> Path:
    from textning.models import default_model_dir

    return default_model_dir()


@pytest.fixture(scope="session")
def imported_base(default_ct2: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled base imported once as a transformers checkpoint."""
    from conversion.import_ct2 import import_ct2

    return import_ct2(default_ct2, tmp_path_factory.mktemp("imported") / "whisper-base-hf")


def _ffmpeg(*args: str) -> None:
    import subprocess

    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel>
  <title>Textningspodden</title>
  <description>Samtal om svenska meningar, med Åsa Lindqvist och Örjan Ek.</description>
  <itunes:author>Åsa Lindqvist</itunes:author>
  <item>
    <title>Avsnitt 1: Äldre samtal</title>
    <pubDate>Mon, 02 Nov 2026 08:00:00 +0000</pubDate>
    <itunes:duration>00:00:10</itunes:duration>
    <enclosure url="{base}/older.mp3" length="1" type="audio/mpeg"/>
  </item>
  <item>
    <title>Avsnitt 3: Utan ljud</title>
    <pubDate>Mon, 23 Nov 2026 08:00:00 +0000</pubDate>
    <description>Ett avsnitt som saknar ljudfil.</description>
  </item>
  <item>
    <title>Avsnitt 2: Kattungen &amp; tuban</title>
    <pubDate>Mon, 16 Nov 2026 08:00:00 +0000</pubDate>
    <itunes:duration>00:00:12</itunes:duration>
    <enclosure url="newest.mp3" length="1" type="audio/mpeg"/>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atompodden</title>
  <updated>2026-11-20T10:00:00Z</updated>
  <id>urn:uuid:textning-atom</id>
  <entry>
    <title>Atomavsnittet</title>
    <id>urn:uuid:textning-atom-1</id>
    <updated>2026-11-20T10:00:00Z</updated>
    <link rel="enclosure" type="audio/mpeg" href="{base}/older.mp3"/>
  </entry>
</feed>
"""

NO_ENCLOSURES = """<?xml version="1.0"?><rss version="2.0"><channel><title>Tyst</title>
<item><title>Bara text</title><description>Inget ljud här.</description></item></channel></rss>
"""


@pytest.fixture(scope="session")
def media(cv_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Real audio made from the Common Voice sample: a minute-long WAV, two short MP3s, an MP4 video."""
    from textning.sample_audio import join_clips

    root = tmp_path_factory.mktemp("media")
    minute = join_clips(cv_sample, root / "minute.wav", count=15, start=0)
    newest = join_clips(cv_sample, root / "newest.wav", count=3, start=3)
    older = join_clips(cv_sample, root / "older.wav", count=3, start=20)
    for clip in (newest, older):
        _ffmpeg("-i", str(clip.path), "-codec:a", "libmp3lame", "-b:a", "48k", str(clip.path.with_suffix(".mp3")))
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "color=c=blue:s=160x120:r=10",
        "-i",
        str(older.path),
        "-shortest",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        str(root / "lecture.mp4"),
    )
    return {"root": root, "minute": minute, "newest": newest, "older": older}


@pytest.fixture(scope="session")
def web(media: dict, tmp_path_factory: pytest.TempPathFactory):
    """A loopback web server with the media, feeds (RSS with iTunes tags, Atom, broken ones) and a video page."""
    import shutil

    from tests.loopback import serve

    root = tmp_path_factory.mktemp("web")
    for name in ("newest.mp3", "older.mp3", "lecture.mp4", "minute.wav"):
        shutil.copyfile(media["root"] / name, root / name)
    shutil.copyfile(media["root"] / "newest.mp3", root / "episode-without-extension")
    (root / "notaudio.mp3").write_text("det här är ingen ljudfil\n" * 50)
    (root / "page.html").write_text(
        "<!DOCTYPE html><html><head><title>Föreläsning om kattungar</title></head>"
        '<body><h1>Föreläsning</h1><video controls src="lecture.mp4"></video></body></html>'
    )
    (root / "broken.xml").write_text('<?xml version="1.0"?><rss version="2.0"><channel><<<>>>')
    (root / "silent.xml").write_text(NO_ENCLOSURES)
    with serve(root) as server:
        (root / "feed.xml").write_text(RSS.replace("{base}", server.url))
        (root / "podcast").write_text(RSS.replace("{base}", server.url))  # a feed with no telling name or type
        (root / "atom.atom").write_text(ATOM.replace("{base}", server.url))
        yield server


TINY = dict(
    d_model=32,
    encoder_layers=2,
    decoder_layers=2,
    encoder_attention_heads=4,
    decoder_attention_heads=4,
    encoder_ffn_dim=64,
    decoder_ffn_dim=64,
    num_mel_bins=80,
    max_source_positions=1500,
    max_target_positions=448,
    vocab_size=51865,
)


@pytest.fixture(scope="session")
def tiny_whisper(default_ct2: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised tiny Whisper with the real multilingual tokenizer, saved as transformers."""
    import json
    import shutil

    import torch
    from transformers import AutoTokenizer, GenerationConfig, WhisperConfig, WhisperForConditionalGeneration

    out = tmp_path_factory.mktemp("tiny-hf")
    shutil.copyfile(default_ct2 / "tokenizer.json", out / "tokenizer.json")
    (out / "tokenizer_config.json").write_text(
        json.dumps({"tokenizer_class": "WhisperTokenizer", "pad_token": "<|endoftext|>"})
    )
    tokenizer = AutoTokenizer.from_pretrained(out)
    torch.manual_seed(0)
    model = WhisperForConditionalGeneration(
        WhisperConfig(
            **TINY,
            decoder_start_token_id=50258,
            pad_token_id=50257,
            bos_token_id=50257,
            eos_token_id=50257,
            begin_suppress_tokens=None,
            suppress_tokens=None,
        )
    )
    with torch.no_grad():  # non-trivial layer norms and biases so that a mix-up of gamma/beta or q/v shows
        for name, param in model.named_parameters():
            if name.endswith(("bias", "layer_norm.weight")):
                param.normal_()
    ct2_config = json.loads((default_ct2 / "config.json").read_text())
    model.generation_config = GenerationConfig(
        decoder_start_token_id=50258,
        pad_token_id=50257,
        eos_token_id=50257,
        bos_token_id=50257,
        suppress_tokens=ct2_config["suppress_ids"],
        begin_suppress_tokens=ct2_config["suppress_ids_begin"],
        alignment_heads=[[1, 0], [1, 2]],
        no_timestamps_token_id=50363,
        is_multilingual=True,
        lang_to_id={tokenizer.convert_ids_to_tokens(i): i for i in ct2_config["lang_ids"]},
        task_to_id={"transcribe": 50359, "translate": 50358},
        max_length=448,
    )
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    from transformers import WhisperFeatureExtractor

    WhisperFeatureExtractor(feature_size=80).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def cv_store(cv_sample: Path, tmp_path_factory: pytest.TempPathFactory):
    """The Common Voice sample as a feature store (made with the bundled model's processor)."""
    from data_pipeline.build import build
    from data_pipeline.config import PipelineConfig
    from data_pipeline.store import FeatureStore

    out = tmp_path_factory.mktemp("store") / "cv"
    build(
        PipelineConfig(sources=[f"commonvoice:{cv_sample}"], out=str(out), num_proc=2, shard_size=16),
        log=lambda _: None,
    )
    return FeatureStore(str(out))

"""The feature pipeline on the real Common Voice sample and a generated audiofolder."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from faster_whisper.audio import decode_audio
from transformers import AutoTokenizer, WhisperFeatureExtractor

from data_pipeline.build import build
from data_pipeline.config import PipelineConfig
from data_pipeline.plan import _interleave
from data_pipeline.sources import Record
from data_pipeline.store import FeatureStore
from tests.helpers import REPO, run_cli
from textning.errors import TextningError
from textning.sample_audio import join_clips, write_wav


def test_common_voice_splits_are_speaker_disjoint_and_share_no_sentence(cv_store: FeatureStore, cv_rows) -> None:
    manifest = cv_store.manifest()
    rows = {split: list(cv_store.examples(split)) for split in ("train", "validation", "test")}
    assert sum(len(r) for r in rows.values()) == len(cv_rows) == 62
    assert manifest["splits"]["test"]["examples"] == len(rows["test"]) > 0 and rows["validation"]
    speakers = {split: {row["speaker"] for row in r} for split, r in rows.items()}
    assert not speakers["train"] & speakers["test"] and not speakers["train"] & speakers["validation"]
    assert not speakers["validation"] & speakers["test"]
    assert not {r["text"] for r in rows["train"]} & {r["text"] for r in rows["test"]}
    assert (
        manifest["sources"][f"commonvoice:{cv_store.manifest()['config']['sources'][0].split(':', 1)[1]}"][
            "split_method"
        ]
        == "speaker-disjoint"
    )
    assert manifest["code_version"] and manifest["config"]["model"] == "default"


def test_features_and_labels_are_the_models_own(cv_store: FeatureStore, cv_sample: Path, imported_base: Path) -> None:
    extractor = WhisperFeatureExtractor.from_pretrained(imported_base)
    tokenizer = AutoTokenizer.from_pretrained(imported_base)
    row = next(cv_store.examples("test"))
    audio = decode_audio(str(cv_sample / "clips" / row["id"].rsplit("/", 1)[1]))
    expected = extractor(audio, sampling_rate=16_000, return_tensors="np").input_features[0].astype(np.float16)
    assert row["input_features"].shape == (80, 3000)
    np.testing.assert_array_equal(row["input_features"], expected)
    assert row["n_frames"] < 3000, "stored trimmed"
    assert tokenizer.convert_ids_to_tokens(row["labels"][:4]) == [
        "<|startoftranscript|>",
        "<|sv|>",
        "<|transcribe|>",
        "<|notimestamps|>",
    ]
    assert tokenizer.decode(row["labels"], skip_special_tokens=True) == row["text"]
    assert abs(row["duration"] - audio.size / 16_000) < 1e-3


def test_a_second_run_does_nothing(cv_store: FeatureStore, cv_sample: Path, capsys) -> None:
    before = {p: p.stat().st_mtime_ns for p in Path(cv_store.root).rglob("*.parquet")}
    messages = []
    build(
        PipelineConfig(sources=[f"commonvoice:{cv_sample}"], out=cv_store.url, num_proc=2, shard_size=16),
        log=messages.append,
    )
    assert "nothing to do" in messages[0]
    assert before == {p: p.stat().st_mtime_ns for p in Path(cv_store.root).rglob("*.parquet")}


@pytest.fixture(scope="module")
def audiofolder(cv_sample: Path, cv_rows, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One clip for each filter, a corrupt one, and a sentence that occurs in test and train."""
    folder = tmp_path_factory.mktemp("audiofolder")
    good = [cv_rows[i] for i in range(6)]
    for row in good:
        shutil.copyfile(cv_sample / "clips" / row["path"], folder / row["path"])
    join_clips(cv_sample, folder / "long.wav", count=12, pause_s=1.0)  # well over 30 s
    write_wav(folder / "silent.wav", np.zeros(16_000 * 2, dtype=np.float32))
    (folder / "corrupt.mp3").write_text("this is not audio")
    rows = [(r["path"], r["sentence"], r["client_id"][:8], "train") for r in good[:4]]
    rows += [
        (good[4]["path"], good[4]["sentence"], "s-test", "test"),
        (good[5]["path"], good[4]["sentence"], "s-train", "train"),  # same sentence as a test clip
        ("long.wav", "En alldeles för lång inspelning.", "s1", "train"),
        ("silent.wav", "Tystnad.", "s2", "train"),
        ("corrupt.mp3", "Trasig fil.", "s3", "train"),
        (good[0]["path"], "", "s4", "train"),
        (good[1]["path"], "Привет, как дела?", "s5", "train"),
        (good[2]["path"], " ".join(["supercalifragilistisk"] * 120), "s6", "train"),
    ]
    with open(folder / "metadata.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_name", "transcription", "speaker", "split"])
        writer.writerows(rows)
    return folder


def test_every_filter_counts_what_it_removed(audiofolder: Path, tmp_path: Path) -> None:
    out = tmp_path / "store"
    manifest = build(PipelineConfig(sources=[f"audiofolder:{audiofolder}"], out=str(out)))
    assert manifest["filters"] == {
        "audio_over_30s": 1,
        "near_silent": 1,
        "empty_transcript": 1,
        "non_swedish_alphabet": 1,
        "labels_over_448_tokens": 1,
        "sentence_in_test": 1,
    }
    assert manifest["splits"]["train"]["examples"] == 4 and manifest["splits"]["test"]["examples"] == 1
    assert manifest["rejects"] == 1
    [reject] = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert reject["audio"].endswith("corrupt.mp3") and reject["reason"]


def test_mixing_weights_and_hours_budget(cv_sample: Path, audiofolder: Path, tmp_path: Path) -> None:
    a = [Record(f"a{i}", "a", "", "t") for i in range(6)]
    b = [Record(f"b{i}", "b", "", "t") for i in range(6)]
    mixed = [r.source for r in _interleave({"a": a, "b": b}, {"a": 2.0, "b": 1.0})]
    assert mixed[:6] == ["a", "b", "a", "a", "b", "a"]
    budget = 0.01  # 36 s of train audio
    manifest = build(
        PipelineConfig(
            sources=[f"commonvoice:{cv_sample}@3", f"audiofolder:{audiofolder}@1"],
            out=str(tmp_path / "mixed"),
            max_hours=budget,
            shard_size=8,
        )
    )
    train = manifest["splits"]["train"]
    assert 0.005 < train["hours"] <= budget
    assert manifest["filters"]["over_hours_budget"] > 0
    assert len(train["sources"]) == 2


def test_a_killed_build_resumes_from_its_shards(cv_sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "resumable"
    command = [
        sys.executable,
        "-m",
        "data_pipeline",
        "build",
        "--source",
        f"commonvoice:{cv_sample}",
        "--out",
        str(out),
        "--shard-size",
        "8",
    ]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and len(list(out.rglob("*.stats.json"))) < 2:
        time.sleep(0.2)
    process.kill()
    process.wait()
    done_before = {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet")}
    assert done_before and not (out / "manifest.json").exists()
    result = run_cli(*command[2:])
    assert result.returncode == 0, result.stderr
    assert "resumed:" in result.stderr + result.stdout
    for path, stamp in done_before.items():
        assert path.stat().st_mtime_ns == stamp, "finished shards are not redone"
    manifest = FeatureStore(str(out)).manifest()
    assert sum(split["examples"] for split in manifest["splits"].values()) == 62
    assert not list(out.rglob("*.tmp-*")), "no half-written files"


def test_hub_sources_fail_fast_offline(tmp_path: Path) -> None:
    with pytest.raises(TextningError, match="unreachable"):
        build(
            PipelineConfig(
                sources=["commonvoice-hub:mozilla-foundation/common_voice_17_0:sv-SE"], out=str(tmp_path / "x")
            )
        )
    result = run_cli("data_pipeline", "build", "--source", "rixvox:", "--out", str(tmp_path / "y"))
    assert result.returncode == 1 and "rixvox" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("data_pipeline", "build", "--source", "mp3folder:/x", "--out", str(tmp_path / "z"))
    assert result.returncode == 1 and "unknown kind" in result.stderr


def test_stats_command(cv_store: FeatureStore) -> None:
    result = run_cli("data_pipeline", "stats", cv_store.url)
    assert result.returncode == 0 and "MB per audio hour" in result.stdout and "train" in result.stdout

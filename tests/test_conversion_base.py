"""Conversion on the real bundled Whisper base and real Swedish clips."""

from __future__ import annotations

import json
from pathlib import Path

import ctranslate2
import numpy as np
import pytest
import torch
from faster_whisper import WhisperModel
from faster_whisper.audio import decode_audio
from transformers import AutoTokenizer, WhisperFeatureExtractor, WhisperForConditionalGeneration

from conversion.export_ct2 import export_ct2
from tests.helpers import run_cli
from textning.text import word_error_rate


def test_round_trip_through_transformers_is_byte_exact(default_ct2: Path, imported_base: Path, tmp_path: Path) -> None:
    exported = export_ct2(imported_base, tmp_path / "float16", quantization="float16")
    assert (exported / "model.bin").read_bytes() == (default_ct2 / "model.bin").read_bytes()
    assert json.loads((exported / "config.json").read_text()) == json.loads((default_ct2 / "config.json").read_text())
    assert (exported / "vocabulary.json").read_text() == (default_ct2 / "vocabulary.json").read_text()
    assert (exported / "preprocessor_config.json").is_file() and (exported / "tokenizer.json").is_file()


def test_imported_model_decodes_the_same_tokens_as_ctranslate2(
    default_ct2: Path, imported_base: Path, cv_sample: Path, cv_rows: list[dict[str, str]]
) -> None:
    extractor = WhisperFeatureExtractor.from_pretrained(imported_base)
    tokenizer = AutoTokenizer.from_pretrained(imported_base)
    hf_model = WhisperForConditionalGeneration.from_pretrained(imported_base).eval()
    ct2_model = ctranslate2.models.Whisper(str(default_ct2), device="cpu", compute_type="float32")
    prompt = tokenizer.convert_tokens_to_ids(["<|startoftranscript|>", "<|sv|>", "<|transcribe|>", "<|notimestamps|>"])
    eot = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    for row in cv_rows[:6]:
        audio = decode_audio(str(cv_sample / "clips" / row["path"]))
        features = extractor(audio, sampling_rate=16_000, return_tensors="np").input_features.astype(np.float32)
        ct2_tokens = ct2_model.generate(ctranslate2.StorageView.from_array(features), [prompt], beam_size=1)[0]
        with torch.no_grad():
            hf_tokens = hf_model.generate(
                torch.from_numpy(features), language="sv", task="transcribe", num_beams=1, do_sample=False
            )[0].tolist()
        hf_tokens = [t for t in hf_tokens if t not in prompt and t != eot]
        assert hf_tokens == ct2_tokens.sequences_ids[0], row["path"]
        assert tokenizer.decode(hf_tokens, skip_special_tokens=True).strip()


def test_cli_export_int8_runs_in_faster_whisper(imported_base: Path, cv_sample: Path, cv_rows, tmp_path: Path) -> None:
    out = tmp_path / "int8"
    result = run_cli("conversion", "export-ct2", str(imported_base), str(out), "--quantization", "int8")
    assert result.returncode == 0, result.stderr
    model = WhisperModel(str(out), device="cpu", compute_type="int8")
    references, hypotheses = [], []
    for row in cv_rows[:8]:
        segments, info = model.transcribe(str(cv_sample / "clips" / row["path"]), language="sv", beam_size=5)
        references.append(row["sentence"])
        hypotheses.append(" ".join(segment.text for segment in segments))
    assert info.language == "sv"
    assert word_error_rate(references, hypotheses) < 0.6, hypotheses


def test_cli_refuses_to_overwrite_and_names_the_output(imported_base: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    result = run_cli("conversion", "export-ct2", str(imported_base), str(tmp_path / "taken"))
    assert result.returncode == 1 and "already exists" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "taken" / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("command", ["export-ct2", "import-ct2"])
def test_cli_help(command: str) -> None:
    result = run_cli("conversion", command, "--help")
    assert result.returncode == 0 and "--overwrite" in result.stdout

"""Model references: the bundled default, local directories, hub ids offline, bad references."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.helpers import run_cli
from textning.errors import ModelReferenceError
from textning.models import DEFAULT_MODEL_SHA256, DEFAULT_MODEL_SIZE, default_model_dir, resolve_model


def test_default_is_assembled_verified_and_reused(default_ct2: Path) -> None:
    model = resolve_model("default")
    assert model.format == "ctranslate2" and model.path == default_ct2
    data = (model.path / "model.bin").read_bytes()
    assert len(data) == DEFAULT_MODEL_SIZE
    assert hashlib.sha256(data).hexdigest() == DEFAULT_MODEL_SHA256
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        assert (model.path / name).is_file()
    stamp = (model.path / "model.bin").stat().st_mtime_ns
    assert default_model_dir() == model.path
    assert (model.path / "model.bin").stat().st_mtime_ns == stamp, "a verified model is reused, not rebuilt"


def test_damaged_cache_is_rebuilt(default_ct2: Path) -> None:
    with open(default_ct2 / "model.bin", "r+b") as handle:
        handle.truncate(1000)
    assert (default_model_dir() / "model.bin").stat().st_size == DEFAULT_MODEL_SIZE


def test_local_directories_are_recognised(default_ct2: Path, imported_base: Path, tmp_path: Path) -> None:
    assert resolve_model(str(default_ct2)).format == "ctranslate2"
    assert resolve_model(str(imported_base)).format == "transformers"
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelReferenceError, match="no model.bin"):
        resolve_model(str(tmp_path / "empty"))


@pytest.mark.parametrize("reference", ["./no/such/model", "not a model ref!"])
def test_unknown_references_fail_with_their_name(reference: str) -> None:
    with pytest.raises(ModelReferenceError, match="no such directory") as caught:
        resolve_model(reference)
    assert reference in str(caught.value)


def test_hub_id_offline_fails_at_once_with_a_clear_message() -> None:
    with pytest.raises(ModelReferenceError) as caught:
        resolve_model("KBLab/kb-whisper-small")
    assert "KBLab/kb-whisper-small" in str(caught.value)


def test_cli_reports_a_bad_reference_in_one_line_without_traceback(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE")  # the real network path: the hub is unreachable here
    result = run_cli("conversion", "import-ct2", "openai/whisper-small", str(tmp_path / "out"), timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "openai/whisper-small" in lines[0], result.stderr
    assert not (tmp_path / "out").exists()

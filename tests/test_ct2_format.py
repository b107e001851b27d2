"""The model.bin reader/writer and the CT2 -> transformers import on a tiny random Whisper."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from ctranslate2.converters import TransformersConverter
from transformers import AutoTokenizer, WhisperForConditionalGeneration

from conversion.ct2_format import read_model, write_model
from conversion.import_ct2 import import_ct2, whisper_state_dict
from textning.errors import TextningError


def convert(src: Path, dst: Path, quantization: str) -> Path:
    TransformersConverter(str(src)).convert(str(dst), quantization=quantization, force=True)
    return dst


@pytest.fixture(scope="module")
def tiny_hf(tiny_whisper: Path) -> Path:
    return tiny_whisper


def test_reader_sees_every_weight_in_the_documented_layout(tiny_hf: Path, tmp_path: Path) -> None:
    model = read_model(convert(tiny_hf, tmp_path / "ct2", "float32"))
    hf = WhisperForConditionalGeneration.from_pretrained(tiny_hf).state_dict()
    assert model.spec == "WhisperSpec" and model.version == 6
    assert model.aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}
    fused = model.get("encoder/layer_1/self_attention/linear_0/weight").array
    assert fused.shape == (96, 32)
    np.testing.assert_array_equal(fused[:32], hf["model.encoder.layers.1.self_attn.q_proj.weight"].numpy())
    np.testing.assert_array_equal(fused[32:64], hf["model.encoder.layers.1.self_attn.k_proj.weight"].numpy())
    np.testing.assert_array_equal(fused[64:], hf["model.encoder.layers.1.self_attn.v_proj.weight"].numpy())
    bias = model.get("decoder/layer_0/self_attention/linear_0/bias").array
    assert not bias[32:64].any(), "CTranslate2 stores the missing key bias as zeros"
    cross_kv = model.get("decoder/layer_0/attention/linear_1/weight").array
    np.testing.assert_array_equal(cross_kv[32:], hf["model.decoder.layers.0.encoder_attn.v_proj.weight"].numpy())
    gamma = model.get("decoder/layer_1/ffn/layer_norm/gamma").array
    np.testing.assert_array_equal(gamma, hf["model.decoder.layers.1.final_layer_norm.weight"].numpy())
    assert int(model.get("encoder/num_heads").array) == 4


@pytest.mark.parametrize("quantization", ["float32", "float16", "int8"])
def test_writer_reproduces_the_file_byte_for_byte(tiny_hf: Path, tmp_path: Path, quantization: str) -> None:
    original = convert(tiny_hf, tmp_path / "ct2", quantization) / "model.bin"
    write_model(read_model(original), tmp_path / "copy.bin")
    assert (tmp_path / "copy.bin").read_bytes() == original.read_bytes()


def test_import_gives_back_the_exact_float32_weights(tiny_hf: Path, tmp_path: Path) -> None:
    ct2 = convert(tiny_hf, tmp_path / "ct2", "float32")
    shutil.copyfile(tiny_hf / "tokenizer.json", ct2 / "tokenizer.json")
    imported = import_ct2(ct2, tmp_path / "hf")
    original = WhisperForConditionalGeneration.from_pretrained(tiny_hf).state_dict()
    restored = WhisperForConditionalGeneration.from_pretrained(imported).state_dict()
    assert original.keys() == restored.keys()
    for name, tensor in original.items():
        assert torch.equal(tensor, restored[name]), name
    generation = json.loads((imported / "generation_config.json").read_text())
    assert generation["alignment_heads"] == [[1, 0], [1, 2]]
    assert generation["lang_to_id"]["<|sv|>"] == 50273
    assert generation["task_to_id"] == {"transcribe": 50359, "translate": 50358}
    assert generation["no_timestamps_token_id"] == 50363
    assert AutoTokenizer.from_pretrained(imported).pad_token == "<|endoftext|>"
    assert json.loads((imported / "preprocessor_config.json").read_text())["feature_size"] == 80


def test_import_dequantizes_int8_weights_per_row(tiny_hf: Path, tmp_path: Path) -> None:
    model = read_model(convert(tiny_hf, tmp_path / "ct2", "int8"))
    assert model.get("encoder/layer_0/ffn/linear_0/weight").dtype == 1
    state, sizes = whisper_state_dict(model)
    original = WhisperForConditionalGeneration.from_pretrained(tiny_hf).state_dict()
    weight = original["model.encoder.layers.0.fc1.weight"]
    step = weight.abs().amax(dim=1, keepdim=True) / 127  # one int8 step per row
    error = (state["model.encoder.layers.0.fc1.weight"] - weight).abs()
    assert torch.all(error <= step / 2 + 1e-6)
    assert sizes["encoder_ffn_dim"] == 64 and sizes["decoder_attention_heads"] == 4


def test_truncated_or_foreign_files_fail_clearly(tiny_hf: Path, tmp_path: Path) -> None:
    original = (convert(tiny_hf, tmp_path / "ct2", "float32") / "model.bin").read_bytes()
    (tmp_path / "cut.bin").write_bytes(original[: len(original) // 2])
    with pytest.raises(TextningError, match="truncated"):
        read_model(tmp_path / "cut.bin")
    (tmp_path / "v5.bin").write_bytes(b"\x05\x00\x00\x00" + original[4:])
    with pytest.raises(TextningError, match="binary version 5"):
        read_model(tmp_path / "v5.bin")

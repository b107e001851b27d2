"""CTranslate2 Whisper -> trainable transformers checkpoint (``WhisperForConditionalGeneration``).

No standard tool goes this way. The mapping inverts ctranslate2's own transformers converter:
self-attention ``linear_0`` is q, k, v fused on the output axis (the k bias stored as zeros),
cross-attention ``linear_0`` is q and ``linear_1`` is k, v fused, weights keep the ``[out, in]``
layout, int8/int16 weights are ``q / weight_scale``, and the output projection is tied to the embeddings.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch

from conversion.ct2_format import CT2Model, read_model
from conversion.destination import check_destination, replace_directory
from textning.errors import TextningError

_FEATURE_HOP = 160
_SAMPLING_RATE = 16_000


class WeightReader:
    """Float32 tensors from a CT2 model, dequantizing int8/int16 weights with their ``weight_scale``."""

    def __init__(self, model: CT2Model) -> None:
        self.model = model
        self.used: set[str] = set()

    def __call__(self, name: str) -> torch.Tensor:
        name = self.model.aliases.get(name, name)
        variable = self.model.get(name)
        self.used.add(name)
        values = variable.to_float32()
        scale_name = name + "_scale"
        if scale_name in self.model.variables:
            self.used.add(scale_name)
            scale = self.model.variables[scale_name].to_float32()
            values = values / (scale.reshape(-1, *([1] * (values.ndim - 1))) if scale.ndim else scale)
        if name + "_zero" in self.model.variables:
            raise TextningError(f"variable '{name}' uses zero-point (AWQ) quantization, which cannot be imported")
        return torch.from_numpy(np.array(values, dtype=np.float32))

    def scalar(self, name: str) -> int:
        self.used.add(name)
        return int(self.model.get(name).array.reshape(-1)[0])


def _count_layers(model: CT2Model, stack: str) -> int:
    pattern = re.compile(rf"^{stack}/layer_(\d+)/")
    indices = {int(match.group(1)) for name in model.variables if (match := pattern.match(name))}
    if indices != set(range(len(indices))):
        raise TextningError(f"model.bin: {stack} layers are not numbered 0..N-1")
    return len(indices)


def _split(tensor: torch.Tensor, parts: int) -> list[torch.Tensor]:
    return list(torch.chunk(tensor, parts, dim=0))


def _attention(read: WeightReader, ct2: str, hf: str, fused_qkv: bool) -> dict[str, torch.Tensor]:
    """q/k/v/out projections of one attention block; the k bias must be the zeros CT2 stores."""
    state: dict[str, torch.Tensor] = {}
    if fused_qkv:
        q_w, k_w, v_w = _split(read(f"{ct2}/linear_0/weight"), 3)
        q_b, k_b, v_b = _split(read(f"{ct2}/linear_0/bias"), 3)
        out = 1
    else:
        q_w, q_b = read(f"{ct2}/linear_0/weight"), read(f"{ct2}/linear_0/bias")
        k_w, v_w = _split(read(f"{ct2}/linear_1/weight"), 2)
        k_b, v_b = _split(read(f"{ct2}/linear_1/bias"), 2)
        out = 2
    if torch.count_nonzero(k_b):
        raise TextningError(f"model.bin: '{ct2}' has a non-zero key bias, which Whisper cannot represent")
    state.update(
        {
            f"{hf}.q_proj.weight": q_w,
            f"{hf}.q_proj.bias": q_b,
            f"{hf}.k_proj.weight": k_w,
            f"{hf}.v_proj.weight": v_w,
            f"{hf}.v_proj.bias": v_b,
            f"{hf}.out_proj.weight": read(f"{ct2}/linear_{out}/weight"),
            f"{hf}.out_proj.bias": read(f"{ct2}/linear_{out}/bias"),
        }
    )
    return state


def _layer_norm(read: WeightReader, ct2: str, hf: str) -> dict[str, torch.Tensor]:
    return {f"{hf}.weight": read(f"{ct2}/gamma"), f"{hf}.bias": read(f"{ct2}/beta")}


def _linear(read: WeightReader, ct2: str, hf: str) -> dict[str, torch.Tensor]:
    return {f"{hf}.weight": read(f"{ct2}/weight"), f"{hf}.bias": read(f"{ct2}/bias")}


def _ffn(read: WeightReader, ct2: str, hf: str) -> dict[str, torch.Tensor]:
    return {
        **_layer_norm(read, f"{ct2}/layer_norm", f"{hf}.final_layer_norm"),
        **_linear(read, f"{ct2}/linear_0", f"{hf}.fc1"),
        **_linear(read, f"{ct2}/linear_1", f"{hf}.fc2"),
    }


def _layer(read: WeightReader, ct2: str, hf: str) -> dict[str, torch.Tensor]:
    """What encoder and decoder layers share: pre-norm self-attention and the feed-forward block."""
    return {
        **_layer_norm(read, f"{ct2}/self_attention/layer_norm", f"{hf}.self_attn_layer_norm"),
        **_attention(read, f"{ct2}/self_attention", f"{hf}.self_attn", fused_qkv=True),
        **_ffn(read, f"{ct2}/ffn", hf),
    }


def whisper_state_dict(model: CT2Model) -> tuple[dict[str, torch.Tensor], dict[str, int]]:
    """The transformers state dict and the architecture sizes of a CT2 Whisper model."""
    if model.spec != "WhisperSpec":
        raise TextningError(f"model.bin holds a '{model.spec}', not a Whisper model")
    read = WeightReader(model)
    state: dict[str, torch.Tensor] = {}
    for conv in ("conv1", "conv2"):
        state.update(_linear(read, f"encoder/{conv}", f"model.encoder.{conv}"))
    state["model.encoder.embed_positions.weight"] = read("encoder/position_encodings/encodings")
    state.update(_layer_norm(read, "encoder/layer_norm", "model.encoder.layer_norm"))
    encoder_layers = _count_layers(model, "encoder")
    for i in range(encoder_layers):
        state.update(_layer(read, f"encoder/layer_{i}", f"model.encoder.layers.{i}"))
    state["model.decoder.embed_tokens.weight"] = read("decoder/embeddings/weight")
    state["model.decoder.embed_positions.weight"] = read("decoder/position_encodings/encodings")
    state.update(_layer_norm(read, "decoder/layer_norm", "model.decoder.layer_norm"))
    decoder_layers = _count_layers(model, "decoder")
    for i in range(decoder_layers):
        ct2, hf = f"decoder/layer_{i}", f"model.decoder.layers.{i}"
        state.update(_layer(read, ct2, hf))
        state.update(_layer_norm(read, f"{ct2}/attention/layer_norm", f"{hf}.encoder_attn_layer_norm"))
        state.update(_attention(read, f"{ct2}/attention", f"{hf}.encoder_attn", fused_qkv=False))
    projection = read("decoder/projection/weight")
    if not torch.equal(projection, state["model.decoder.embed_tokens.weight"]):
        raise TextningError("model.bin: the output projection differs from the embeddings; Whisper ties them")
    leftover = sorted(name for name, var in model.variables.items() if var.array.ndim and name not in read.used)
    if leftover:
        raise TextningError(f"model.bin has weights with no place in Whisper: {', '.join(leftover[:5])}")
    sizes = {
        "num_mel_bins": state["model.encoder.conv1.weight"].shape[1],
        "d_model": state["model.encoder.conv1.weight"].shape[0],
        "encoder_layers": encoder_layers,
        "decoder_layers": decoder_layers,
        "encoder_attention_heads": read.scalar("encoder/num_heads"),
        "decoder_attention_heads": read.scalar("decoder/num_heads"),
        "encoder_ffn_dim": state["model.encoder.layers.0.fc1.weight"].shape[0] if encoder_layers else 0,
        "decoder_ffn_dim": state["model.decoder.layers.0.fc1.weight"].shape[0] if decoder_layers else 0,
        "vocab_size": state["model.decoder.embed_tokens.weight"].shape[0],
        "max_source_positions": state["model.encoder.embed_positions.weight"].shape[0],
        "max_target_positions": state["model.decoder.embed_positions.weight"].shape[0],
    }
    return state, sizes


def _load_tokenizer(src: Path, staging: Path):
    """The source's ``tokenizer.json`` as a transformers WhisperTokenizer (pad token ``<|endoftext|>``)."""
    from transformers import AutoTokenizer

    if not (src / "tokenizer.json").is_file():
        raise TextningError(f"'{src}' has no tokenizer.json; faster-whisper models carry one, copy it in")
    shutil.copyfile(src / "tokenizer.json", staging / "tokenizer.json")
    special = "<|endoftext|>"
    (staging / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "WhisperTokenizer",
                "unk_token": special,
                "bos_token": special,
                "eos_token": special,
                "pad_token": special,
                "model_max_length": 448,
            }
        ),
        encoding="utf-8",
    )
    return AutoTokenizer.from_pretrained(staging)


def generation_settings(ct2_config: dict, tokenizer, max_length: int) -> dict:
    """Whisper generation settings (language/task maps, suppress lists, alignment heads) from CT2's config."""
    token_id = tokenizer.convert_tokens_to_ids
    lang_ids = list(ct2_config.get("lang_ids") or [])
    eot = token_id("<|endoftext|>")
    return {
        "decoder_start_token_id": token_id("<|startoftranscript|>"),
        "bos_token_id": eot,
        "eos_token_id": eot,
        "pad_token_id": eot,
        "max_length": max_length,
        "is_multilingual": bool(lang_ids),
        "lang_to_id": {tokenizer.convert_ids_to_tokens(i): i for i in lang_ids},
        "task_to_id": {"transcribe": token_id("<|transcribe|>"), "translate": token_id("<|translate|>")},
        "no_timestamps_token_id": token_id("<|notimestamps|>"),
        "prev_sot_token_id": token_id("<|startofprev|>"),
        "max_initial_timestamp_index": 50,
        "suppress_tokens": list(ct2_config.get("suppress_ids") or []),
        "begin_suppress_tokens": list(ct2_config.get("suppress_ids_begin") or []),
        "alignment_heads": [list(pair) for pair in ct2_config.get("alignment_heads") or []],
    }


def import_ct2(src: str | Path, dst: str | Path, dtype: str = "float32", overwrite: bool = False) -> Path:
    """Write a transformers Whisper checkpoint at ``dst`` from the CTranslate2 model directory ``src``."""
    from transformers import GenerationConfig, WhisperConfig, WhisperFeatureExtractor, WhisperForConditionalGeneration

    src, dst = Path(src), Path(dst)
    check_destination(dst, overwrite)
    torch_dtype = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}.get(dtype)
    if torch_dtype is None:
        raise TextningError(f"dtype '{dtype}': choose float32, float16 or bfloat16")
    ct2_config = (
        json.loads((src / "config.json").read_text(encoding="utf-8")) if (src / "config.json").is_file() else {}
    )
    state, sizes = whisper_state_dict(read_model(src))

    dst.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dst.name}-", dir=dst.parent))
    try:
        tokenizer = _load_tokenizer(src, staging)
        eot = tokenizer.convert_tokens_to_ids("<|endoftext|>")
        generation = generation_settings(ct2_config, tokenizer, sizes["max_target_positions"])
        config = WhisperConfig(
            **sizes,
            activation_function="gelu",
            scale_embedding=False,
            tie_word_embeddings=True,
            bos_token_id=eot,
            eos_token_id=eot,
            pad_token_id=eot,
            decoder_start_token_id=generation["decoder_start_token_id"],
            # Generation settings live in generation_config.json only (WhisperConfig's defaults are English-only).
            begin_suppress_tokens=None,
            suppress_tokens=None,
            dtype=dtype,
        )
        with torch.device("meta"):
            model = WhisperForConditionalGeneration(config)
        state = {name: tensor.to(torch_dtype) for name, tensor in state.items()}
        state["proj_out.weight"] = state["model.decoder.embed_tokens.weight"]
        model.load_state_dict(state, strict=True, assign=True)
        model.tie_weights()
        model.generation_config = GenerationConfig(**generation)
        model.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        WhisperFeatureExtractor(
            feature_size=sizes["num_mel_bins"], sampling_rate=_SAMPLING_RATE, hop_length=_FEATURE_HOP
        ).save_pretrained(staging)
        replace_directory(staging, dst)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dst

"""transformers Whisper (full model or PEFT/LoRA adapter) -> CTranslate2, through ctranslate2's own converter."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from conversion.destination import check_destination, replace_directory
from textning.errors import TextningError
from textning.models import resolve_model

QUANTIZATIONS = ("int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16", "float32")
# faster-whisper reads these beside model.bin.
SIDE_FILES = ("tokenizer.json", "preprocessor_config.json")


def merge_adapter(adapter_dir: Path, out_dir: Path, base: str | None = None) -> Path:
    """Merge a PEFT adapter into its base model and save the full model (and processor) at ``out_dir``."""
    from peft import PeftModel
    from transformers import WhisperForConditionalGeneration

    from conversion.model_formats import as_transformers

    adapter_config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    base_ref = base or adapter_config.get("base_model_name_or_path")
    if not base_ref:
        raise TextningError(f"adapter '{adapter_dir}' names no base model; pass --base")
    base_dir = as_transformers(base_ref)
    model = WhisperForConditionalGeneration.from_pretrained(base_dir)
    merged = PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
    merged.save_pretrained(out_dir, safe_serialization=True)
    for name in SIDE_FILES + ("tokenizer_config.json",):
        for folder in (adapter_dir, base_dir):
            if (folder / name).is_file():
                shutil.copyfile(folder / name, out_dir / name)
                break
    return out_dir


def _write_side_files(src: Path, out: Path) -> None:
    """Copy the tokenizer and feature-extractor files faster-whisper needs, making them when missing."""
    from transformers import AutoTokenizer, WhisperConfig, WhisperFeatureExtractor

    if (src / "tokenizer.json").is_file():
        shutil.copyfile(src / "tokenizer.json", out / "tokenizer.json")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            AutoTokenizer.from_pretrained(src).save_pretrained(tmp)
            shutil.copyfile(Path(tmp) / "tokenizer.json", out / "tokenizer.json")
    if (src / "preprocessor_config.json").is_file():
        shutil.copyfile(src / "preprocessor_config.json", out / "preprocessor_config.json")
    else:
        mels = WhisperConfig.from_pretrained(src).num_mel_bins
        WhisperFeatureExtractor(feature_size=mels).save_pretrained(out)


def export_ct2(
    src: str | Path,
    dst: str | Path,
    quantization: str = "int8",
    base: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Convert a transformers Whisper checkpoint (or a LoRA adapter, merged first) into a CTranslate2 model."""
    from ctranslate2.converters import TransformersConverter

    if quantization not in QUANTIZATIONS:
        raise TextningError(f"quantization '{quantization}': choose one of {', '.join(QUANTIZATIONS)}")
    dst = Path(dst)
    check_destination(dst, overwrite)
    source = resolve_model(str(src))
    if source.format == "ctranslate2":
        raise TextningError(f"'{src}' is already a CTranslate2 model (use import-ct2 to go the other way)")
    dst.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{dst.name}-", dir=dst.parent) as tmp:
        model_dir = source.path
        if source.format == "peft":
            model_dir = merge_adapter(source.path, Path(tmp) / "merged", base)
        staging = Path(tmp) / "ct2"
        TransformersConverter(str(model_dir)).convert(str(staging), quantization=quantization, force=True)
        _write_side_files(model_dir, staging)
        replace_directory(staging, dst)
    return dst

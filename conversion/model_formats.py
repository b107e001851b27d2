"""Any model reference in the format a stage needs, converted once and cached.

The service runs CTranslate2, training needs transformers: ``as_ctranslate2`` and ``as_transformers``
resolve a reference and convert it on first use into ``$TEXTNING_CACHE/models/converted``.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from textning.models import ModelDir, cache_dir, resolve_model, weights_fingerprint


def _cache_slot(model: ModelDir, target: str) -> Path:
    key = hashlib.sha256(f"{weights_fingerprint(model.path)}|{target}".encode()).hexdigest()[:16]
    return cache_dir() / "models" / "converted" / f"{model.path.name}-{target}-{key}"


def as_transformers(reference: str) -> Path:
    """A transformers Whisper directory for ``reference`` (imported from CTranslate2 or merged from PEFT)."""
    from conversion.destination import replace_directory
    from conversion.export_ct2 import merge_adapter
    from conversion.import_ct2 import import_ct2

    model = resolve_model(reference)
    if model.format == "transformers":
        return model.path
    slot = _cache_slot(model, "transformers")
    if not (slot / "config.json").is_file():
        if model.format == "ctranslate2":
            import_ct2(model.path, slot, overwrite=True)
        else:
            slot.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix=".merging-", dir=slot.parent) as tmp:
                replace_directory(merge_adapter(model.path, Path(tmp) / "merged"), slot)
    return slot


def as_ctranslate2(reference: str, quantization: str = "int8") -> Path:
    """A CTranslate2 directory for ``reference``; transformers and PEFT models are exported once.

    A CTranslate2 model is used as it is: its weights are re-quantized at load time by ``compute_type``.
    """
    from conversion.export_ct2 import export_ct2

    model = resolve_model(reference)
    if model.format == "ctranslate2":
        return model.path
    slot = _cache_slot(model, f"ct2-{quantization}")
    if not (slot / "model.bin").is_file():
        export_ct2(model.path, slot, quantization=quantization, overwrite=True)
    return slot

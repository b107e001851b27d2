"""Training data: feature-store shards as a ``datasets`` table, and the padding collator."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from data_pipeline.features import restore_features
from data_pipeline.sources import parse_spec
from data_pipeline.store import FeatureStore
from textning.errors import TextningError


def resolve_stores(data: list[str], output_dir: str, model: str, language: str) -> list[FeatureStore]:
    """Feature stores for ``data``: stores as they are, source specs built (idempotently) into one store."""
    stores, specs = [], []
    for entry in data:
        store = FeatureStore(entry)
        if store.exists("manifest.json"):
            stores.append(store)
        else:
            parse_spec(entry)  # a clear error when it is neither a store nor a source spec
            specs.append(entry)
    if specs:
        from data_pipeline.build import build
        from data_pipeline.config import PipelineConfig

        out = str(Path(output_dir) / "feature-store")
        build(PipelineConfig(sources=specs, out=out, model=model, language=language))
        stores.append(FeatureStore(out))
    if not stores:
        raise TextningError("no training data: give feature stores or source specs in 'data'")
    return stores


def load_split(stores: list[FeatureStore], split: str, max_examples: int | None = None):
    """One ``datasets.Dataset`` over a split of every store (Parquet shards, memory-mapped, not decoded)."""
    import datasets

    files = [store.url + "/" + name for store in stores for name in store.shard_files(split)]
    files = [f for f in files if _rows(f) > 0]
    if not files:
        return None
    table = datasets.load_dataset("parquet", data_files={split: files}, split=split)
    if max_examples is not None and len(table) > max_examples:
        table = table.select(range(max_examples))
    return table


def _rows(url: str) -> int:
    import fsspec
    import pyarrow.parquet as pq

    with fsspec.open(url, "rb") as handle:
        return pq.ParquetFile(handle).metadata.num_rows


def features_of(row: dict[str, Any]) -> np.ndarray:
    """A stored row's full padded log-mel array (float32)."""
    stored = np.frombuffer(row["features"], dtype=np.float16).reshape(row["n_mels"], row["n_frames"])
    return restore_features(stored, row["pad_value"]).astype(np.float32)


@dataclass
class SpeechCollator:
    """Batches of stored rows -> ``input_features`` and ``labels`` (padding -100, start token stripped)."""

    decoder_start_token_id: int
    pad_token_id: int

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        features = torch.from_numpy(np.stack([features_of(row) for row in rows]))
        longest = max(len(row["labels"]) for row in rows)
        labels = torch.full((len(rows), longest), -100, dtype=torch.long)
        for i, row in enumerate(rows):
            labels[i, : len(row["labels"])] = torch.tensor(row["labels"], dtype=torch.long)
        if bool((labels[:, 0] == self.decoder_start_token_id).all()):
            labels = labels[:, 1:]  # the model prepends the start token itself
        return {"input_features": features, "labels": labels}

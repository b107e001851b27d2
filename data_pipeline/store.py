"""The feature store on any fsspec URL: Parquet shards, per-shard stats, the manifest, and readers for training.

Layout under the store URL::

    _plan.json                      what this build will write (its fingerprint and shard list)
    train/shard-00000.parquet       rows: id, source, speaker, text, duration, n_mels, n_frames, pad_value,
    train/shard-00000.stats.json    features (float16 bytes), labels; stats are written last = shard done
    validation/..., test/...
    rejects.jsonl                   clips that could not be used, with the reason
    manifest.json                   sources, counts, hours, filter counts, config, code version
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from typing import Any

import fsspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from textning.errors import TextningError

SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("speaker", pa.string()),
        ("text", pa.string()),
        ("duration", pa.float32()),
        ("n_mels", pa.int32()),
        ("n_frames", pa.int32()),
        ("pad_value", pa.float32()),
        ("features", pa.binary()),
        ("labels", pa.list_(pa.int32())),
    ]
)


class FeatureStore:
    """Read and write a feature store at ``url`` (a local path or any fsspec URL: s3://, gs://, hf://...)."""

    def __init__(self, url: str, **storage_options: Any) -> None:
        self.url = url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.url, **storage_options)

    def path(self, name: str) -> str:
        return f"{self.root}/{name}"

    def exists(self, name: str) -> bool:
        return self.fs.exists(self.path(name))

    def write_bytes(self, name: str, data: bytes) -> None:
        """Write to a temporary name, then move into place: readers never see half a file."""
        target = self.path(name)
        self.fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        temporary = f"{target}.tmp-{uuid.uuid4().hex[:8]}"
        with self.fs.open(temporary, "wb") as handle:
            handle.write(data)
        self.fs.mv(temporary, target)

    def write_json(self, name: str, data: Any) -> None:
        self.write_bytes(name, (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode())

    def read_json(self, name: str) -> Any:
        with self.fs.open(self.path(name), "rb") as handle:
            return json.loads(handle.read())

    def write_rows(self, name: str, rows: list[dict[str, Any]]) -> None:
        table = pa.Table.from_pylist(rows, schema=SCHEMA)
        buffer = io.BytesIO()
        pq.write_table(table, buffer, compression="zstd")
        self.write_bytes(name, buffer.getvalue())

    def manifest(self) -> dict[str, Any]:
        if not self.exists("manifest.json"):
            raise TextningError(f"'{self.url}' is not a finished feature store (no manifest.json)")
        return self.read_json("manifest.json")

    def shard_files(self, split: str) -> list[str]:
        """The shard names of a split, in order."""
        return [shard["file"] for shard in self.manifest()["shards"] if shard["split"] == split]

    def examples(self, split: str) -> Iterator[dict[str, Any]]:
        """Rows of a split with ``input_features`` restored to the model's full padded (n_mels, 3000) array."""
        from data_pipeline.features import restore_features

        for name in self.shard_files(split):
            with self.fs.open(self.path(name), "rb") as handle:
                table = pq.read_table(handle)
            for row in table.to_pylist():
                stored = np.frombuffer(row.pop("features"), dtype=np.float16).reshape(row["n_mels"], row["n_frames"])
                row["input_features"] = restore_features(stored, row["pad_value"])
                yield row

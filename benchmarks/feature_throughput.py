"""Feature-extraction throughput and store size: the shared Common Voice sample through data_pipeline.build.

Prints clips per second, audio hours processed per wall-clock hour per core, and the store's size per audio
hour, for 1 and 2 worker processes (the model's tokenizer and feature extractor are loaded before timing).

    .venv/bin/python -m benchmarks.feature_throughput
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.common import SAMPLE, timed
from conversion.model_formats import as_transformers
from data_pipeline.build import build
from data_pipeline.config import PipelineConfig
from data_pipeline.store import FeatureStore


def main() -> None:
    as_transformers("default")  # the one-off import of the bundled model is not part of the figure
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            out = str(Path(tmp) / "store")
            config = PipelineConfig(sources=[f"commonvoice:{SAMPLE}"], out=out, num_proc=workers, shard_size=64)
            manifest, seconds = timed(lambda config=config: build(config, log=lambda _: None))
            store = FeatureStore(out)
            clips = sum(split["examples"] for split in manifest["splits"].values())
            hours = sum(split["hours"] for split in manifest["splits"].values())
            size = sum(store.fs.size(store.path(shard["file"])) for shard in manifest["shards"])
        print(
            f"{workers} worker(s): {clips} clips, {hours * 3600:.0f} s of audio in {seconds:.1f} s -> "
            f"{clips / seconds:.1f} clips/s, {hours / (seconds / 3600) / workers:.0f} audio-hours/hour per core; "
            f"store {size / 1e6:.2f} MB = {size / 1e6 / hours:.0f} MB per audio hour"
        )


if __name__ == "__main__":
    main()

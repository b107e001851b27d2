"""``build``: plan, then write each shard with ``datasets``' multiprocessing; idempotent and resumable."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tqdm import tqdm

import textning
from data_pipeline.config import PipelineConfig
from data_pipeline.features import process_example
from data_pipeline.plan import SPLITS, Plan, build_plan
from data_pipeline.sources import Record
from data_pipeline.store import FeatureStore
from textning.errors import TextningError


def code_version() -> str:
    """Textning's version and, in a git checkout, the commit."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{textning.__version__}+{commit}" if commit else textning.__version__


def _shard_name(split: str, index: int) -> str:
    return f"{split}/shard-{index:05d}"


def _process_shard(records: list[Record], config: PipelineConfig, model_dir: str) -> list[dict[str, Any]]:
    """Run ``process_example`` over a shard with datasets.map (num_proc workers); rows keep the record order."""
    import datasets

    table = datasets.Dataset.from_list([asdict(record) for record in records])
    kwargs = dict(
        model_dir=model_dir,
        language=config.language,
        max_audio_s=config.max_audio_s,
        max_label_tokens=config.max_label_tokens,
        min_level_db=config.min_level_db,
    )
    processes = max(1, min(config.num_proc, len(records)))
    mapped = table.map(
        process_example,
        fn_kwargs=kwargs,
        num_proc=processes if processes > 1 else None,
        desc="features",
        load_from_cache_file=False,
    )
    return mapped.to_list()


def _write_shard(store: FeatureStore, name: str, rows: list[dict[str, Any]], hours_left: float | None) -> dict:
    """Write a shard's kept rows (within the hours budget) and its stats; returns the stats."""
    kept, filters, rejects, seconds = [], Counter(), [], 0.0
    for row in rows:
        status = row["status"]
        if status.startswith("reject: "):
            rejects.append({"id": row["id"], "audio": row["audio"], "reason": status.removeprefix("reject: ")})
        elif status.startswith("filter: "):
            filters[status.removeprefix("filter: ")] += 1
        elif hours_left is not None and (seconds + row["duration"]) / 3600 > hours_left:
            filters["over_hours_budget"] += 1
        else:
            seconds += row["duration"]
            kept.append(
                {
                    key: row[key]
                    for key in (
                        "id",
                        "source",
                        "speaker",
                        "text",
                        "duration",
                        "n_mels",
                        "n_frames",
                        "pad_value",
                        "features",
                        "labels",
                    )
                }
            )
    stats = {
        "file": f"{name}.parquet",
        "examples": len(kept),
        "hours": seconds / 3600,
        "filters": dict(filters),
        "rejects": rejects,
        "sources": dict(Counter(row["source"] for row in kept)),
    }
    store.write_rows(f"{name}.parquet", kept)
    store.write_json(f"{name}.stats.json", stats)
    return stats


def build(config: PipelineConfig, log=print) -> dict:
    """Build (or finish, or confirm) the feature store described by ``config``; returns the manifest."""
    from conversion.model_formats import as_transformers

    if not config.sources:
        raise TextningError("no --source given")
    if not config.out:
        raise TextningError("no --out given")
    plan: Plan = build_plan(config)
    store = FeatureStore(config.out)
    fingerprint = plan.fingerprint(config)
    if store.exists("manifest.json") and store.read_json("manifest.json").get("fingerprint") == fingerprint:
        log(f"{config.out}: up to date (build {fingerprint}), nothing to do")
        return store.read_json("manifest.json")
    if store.exists("_plan.json") and store.read_json("_plan.json").get("fingerprint") != fingerprint:
        raise TextningError(f"'{config.out}' holds a different build; choose another --out or remove it")
    shards = plan.shards(config.shard_size)
    store.write_json("_plan.json", {"fingerprint": fingerprint, "shards": [_shard_name(s, i) for s, i, _ in shards]})
    model_dir = str(as_transformers(config.model))

    stats_by_shard: dict[str, dict] = {}
    hours_used = 0.0
    resumed = 0
    for split, index, records in tqdm(shards, desc="shards", unit="shard", disable=None, file=sys.stderr):
        name = _shard_name(split, index)
        if store.exists(f"{name}.stats.json"):
            stats = store.read_json(f"{name}.stats.json")
            resumed += 1
        else:
            budget = config.max_hours - hours_used if (config.max_hours and split == "train") else None
            if budget is not None and budget <= 0:  # the budget is spent: no need to decode these clips
                rows = [{**asdict(r), "status": "filter: over_hours_budget", "duration": 0.0} for r in records]
            else:
                rows = _process_shard(records, config, model_dir)
            stats = _write_shard(store, name, rows, budget)
        if split == "train":
            hours_used += stats["hours"]
        stats_by_shard[name] = {**stats, "split": split}
    if resumed:
        log(f"resumed: {resumed} of {len(shards)} shards were already written")
    manifest = _manifest(config, plan, fingerprint, stats_by_shard)
    rejects = [reject for stats in stats_by_shard.values() for reject in stats["rejects"]]
    store.write_bytes("rejects.jsonl", "".join(_json_line(r) for r in rejects).encode())
    store.write_json("manifest.json", manifest)
    return manifest


def _json_line(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False) + "\n"


def _manifest(config: PipelineConfig, plan: Plan, fingerprint: str, shards: dict[str, dict]) -> dict:
    filters = Counter(plan.filtered)
    splits: dict[str, dict] = {}
    for split in SPLITS:
        of_split = [s for s in shards.values() if s["split"] == split]
        sources = Counter()
        for stats in of_split:
            filters.update(stats["filters"])
            sources.update(stats["sources"])
        splits[split] = {
            "examples": sum(s["examples"] for s in of_split),
            "hours": round(sum(s["hours"] for s in of_split), 4),
            "sources": dict(sources),
        }
    return {
        "fingerprint": fingerprint,
        "code_version": code_version(),
        "config": {k: v for k, v in asdict(config).items() if k != "num_proc"},
        "sources": {name: {"split_method": method} for name, method in plan.split_method.items()},
        "splits": splits,
        "filters": dict(filters),
        "rejects": sum(len(s["rejects"]) for s in shards.values()),
        "shards": [{"split": s["split"], "file": s["file"], "examples": s["examples"]} for s in shards.values()],
    }

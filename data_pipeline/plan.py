"""The build plan: cleaned transcripts, text filters, splits, source mixing and shards - before any audio is read."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from data_pipeline.config import PipelineConfig
from data_pipeline.sources import Record, SourceSpec, parse_spec, read_source
from data_pipeline.text import clean_transcript, foreign_letters, sentence_key

SPLITS = ("train", "validation", "test")


@dataclass
class Plan:
    """Records per split in mixing order, what the text filters removed, and the shards to write."""

    splits: dict[str, list[Record]]
    filtered: Counter = field(default_factory=Counter)
    split_method: dict[str, str] = field(default_factory=dict)

    def shards(self, size: int) -> list[tuple[str, int, list[Record]]]:
        """(split, index, records) for every shard of every split."""
        return [
            (split, start // size, records[start : start + size])
            for split, records in self.splits.items()
            for start in range(0, len(records), size)
        ]

    def fingerprint(self, config: PipelineConfig) -> str:
        """Identifies the build: same config and same records -> same store."""
        settings = {k: v for k, v in asdict(config).items() if k not in ("out", "num_proc")}
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
        for split in SPLITS:
            for record in self.splits.get(split, []):
                digest.update(f"{split}|{record.id}|{record.text}\n".encode())
        return digest.hexdigest()[:20]


def _stable_rank(key: str, seed: int) -> str:
    return hashlib.sha1(f"{seed}|{key}".encode()).hexdigest()


def assign_splits(records: list[Record], config: PipelineConfig) -> tuple[dict[str, list[Record]], str]:
    """The source's own splits when it has them, else speaker-disjoint (or per clip) hashed splits."""
    if records and all(record.split for record in records):
        groups: dict[str, list[Record]] = defaultdict(list)
        for record in records:
            groups[record.split].append(record)  # type: ignore[index]
        return groups, "source"
    by_speaker: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_speaker[record.speaker or f"clip:{record.id}"].append(record)
    method = "speaker-disjoint" if any(r.speaker for r in records) else "per-clip"
    speakers = sorted(by_speaker, key=lambda s: _stable_rank(s, config.seed))
    wanted = {"test": config.test_fraction * len(records), "validation": config.validation_fraction * len(records)}
    groups = defaultdict(list)
    for speaker in speakers:
        target = next((s for s in ("test", "validation") if len(groups[s]) < wanted[s]), "train")
        groups[target].extend(by_speaker[speaker])
    return groups, method


def _interleave(by_source: dict[str, list[Record]], weights: dict[str, float]) -> list[Record]:
    """Weighted round robin: each source appears in proportion to its weight along the list."""
    queues = {name: list(records) for name, records in by_source.items() if records}
    position = dict.fromkeys(queues, 0.0)
    mixed = []
    while queues:
        name = min(queues, key=lambda n: (position[n], n))
        mixed.append(queues[name].pop(0))
        position[name] += 1.0 / weights[name]
        if not queues[name]:
            del queues[name]
    return mixed


def build_plan(config: PipelineConfig) -> Plan:
    """Read every source, clean and filter transcripts, split, and mix."""
    specs: list[SourceSpec] = [parse_spec(spec) for spec in config.sources]
    filtered: Counter = Counter()
    per_split: dict[str, dict[str, list[Record]]] = {split: defaultdict(list) for split in SPLITS}
    methods = {}
    for spec in specs:
        kept = []
        for record in read_source(spec):
            record.text = clean_transcript(record.text, config.text_style)
            if not record.text:
                filtered["empty_transcript"] += 1
            elif foreign_letters(record.text):
                filtered["non_swedish_alphabet"] += 1
            else:
                kept.append(record)
        groups, methods[spec.name] = assign_splits(kept, config)
        for split, records in groups.items():
            per_split[split][spec.name].extend(records)
    test_sentences = {sentence_key(r.text) for records in per_split["test"].values() for r in records}
    for split in ("train", "validation"):
        for name, records in per_split[split].items():
            keep = [r for r in records if sentence_key(r.text) not in test_sentences]
            filtered["sentence_in_test"] += len(records) - len(keep)
            per_split[split][name] = keep
    weights = {spec.name: spec.weight for spec in specs}
    splits = {split: _interleave(per_split[split], weights) for split in SPLITS}
    return Plan(splits=splits, filtered=filtered, split_method=methods)

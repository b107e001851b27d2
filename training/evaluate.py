"""``evaluate``: WER/CER of a model on a feature store split or a raw source, per source, as a JSON report."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.metrics import error_rates


@dataclass
class EvalOptions:
    engine: str = "transformers"  # or ctranslate2
    language: str = "sv"
    beam_size: int = 1
    batch_size: int = 8
    max_examples: int | None = None
    split: str = "test"
    compute_type: str = "int8"  # ctranslate2 engine only


def examples(data: str, model_dir: Path, options: EvalOptions) -> Iterator[tuple[str, str, np.ndarray]]:
    """(source, reference text, log-mel features) from a feature store split or a raw source spec."""
    from data_pipeline.store import FeatureStore

    store = FeatureStore(data)
    count = 0
    if store.exists("manifest.json"):
        rows = (
            (row["source"], row["text"], row["input_features"].astype(np.float32))
            for row in store.examples(options.split)
        )
    else:
        rows = _raw_examples(data, model_dir)
    for row in rows:
        if options.max_examples is not None and count >= options.max_examples:
            return
        count += 1
        yield row


def _raw_examples(spec: str, model_dir: Path) -> Iterator[tuple[str, str, np.ndarray]]:
    from transformers import WhisperFeatureExtractor

    from data_pipeline.features import decode
    from data_pipeline.sources import parse_spec, read_source
    from data_pipeline.text import clean_transcript

    extractor = WhisperFeatureExtractor.from_pretrained(model_dir)
    for record in read_source(parse_spec(spec)):
        audio = decode(record.audio)
        features = extractor(audio, sampling_rate=16_000, return_tensors="np").input_features[0]
        yield record.source, clean_transcript(record.text), features.astype(np.float32)


class TransformersEngine:
    def __init__(self, reference: str, options: EvalOptions) -> None:
        import torch
        from transformers import AutoTokenizer, WhisperForConditionalGeneration

        from conversion.model_formats import as_transformers

        self.torch, self.options = torch, options
        self.model_dir = as_transformers(reference)
        self.model = WhisperForConditionalGeneration.from_pretrained(self.model_dir).eval()
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir)

    def transcribe(self, features: list[np.ndarray]) -> list[str]:
        with self.torch.no_grad():
            ids = self.model.generate(
                self.torch.from_numpy(np.stack(features)),
                language=self.options.language,
                task="transcribe",
                num_beams=self.options.beam_size,
                do_sample=False,
            )
        return self.tokenizer.batch_decode(ids, skip_special_tokens=True)


class CTranslate2Engine:
    def __init__(self, reference: str, options: EvalOptions) -> None:
        import ctranslate2
        from transformers import AutoTokenizer

        from conversion.model_formats import as_ctranslate2, as_transformers

        self.ctranslate2, self.options = ctranslate2, options
        self.model_dir = as_transformers(reference)  # feature extractor and tokenizer files
        self.model = ctranslate2.models.Whisper(
            str(as_ctranslate2(reference)), device="cpu", compute_type=options.compute_type
        )
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        self.prompt = self.tokenizer.convert_tokens_to_ids(
            ["<|startoftranscript|>", f"<|{options.language}|>", "<|transcribe|>", "<|notimestamps|>"]
        )

    def transcribe(self, features: list[np.ndarray]) -> list[str]:
        batch = self.ctranslate2.StorageView.from_array(np.ascontiguousarray(np.stack(features)))
        results = self.model.generate(batch, [self.prompt] * len(features), beam_size=self.options.beam_size)
        return [self.tokenizer.decode(r.sequences_ids[0], skip_special_tokens=True) for r in results]


def evaluate(reference: str, data: str, options: EvalOptions, report: Path | None = None) -> dict:
    """Transcribe every example, score per source and overall, and write the JSON report."""
    engine = (CTranslate2Engine if options.engine == "ctranslate2" else TransformersEngine)(reference, options)
    items: list[dict] = []
    batch: list[tuple[str, str, np.ndarray]] = []

    def flush() -> None:
        for (source, text, _), hypothesis in zip(batch, engine.transcribe([f for *_, f in batch]), strict=True):
            items.append({"source": source, "reference": text, "hypothesis": hypothesis.strip()})
        batch.clear()

    for example in examples(data, engine.model_dir, options):
        batch.append(example)
        if len(batch) == options.batch_size:
            flush()
    if batch:
        flush()
    by_source: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_source[item["source"]].append(item)

    def score(group: list[dict]) -> dict:
        rates = error_rates([i["reference"] for i in group], [i["hypothesis"] for i in group])
        return {**rates, "examples": len(group)}

    result = {
        "model": reference,
        "data": data,
        "options": options.__dict__,
        "overall": score(items),
        "sources": {source: score(group) for source, group in by_source.items()},
        "examples": items,
    }
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result

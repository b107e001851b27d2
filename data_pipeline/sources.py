"""Speech sources: local Common Voice releases and audiofolders, and corpora on the Hugging Face hub.

Every source yields ``Record``s (audio reference, transcript, speaker, the source's own split when it has one).
Audio is only decoded later, in the feature workers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from textning.errors import TextningError
from textning.models import hub_reachable
from textning.sample_audio import read_common_voice

SPLIT_NAMES = {"train": "train", "dev": "validation", "validation": "validation", "test": "test"}


@dataclass
class Record:
    id: str
    source: str
    audio: str  # a local path, or hub://DATASET|CONFIG|SPLIT|INDEX
    text: str
    speaker: str | None = None
    split: str | None = None  # the source's own split, when it has one


@dataclass(frozen=True)
class HubCorpus:
    """Where a named corpus lives on the hub and which of its columns hold what."""

    dataset: str
    config: str | None
    text_column: str
    speaker_column: str | None
    splits: tuple[str, ...] = ("train", "validation", "test")


# Ids and columns as the corpora's hub pages give them. RixVox and NST are published with loading scripts;
# recent `datasets` releases refuse scripts, so point the spec at a Parquet mirror (rixvox:OWNER/NAME) if needed.
HUB_CORPORA = {
    "rixvox": HubCorpus("KBLab/rixvox", None, "text", "speaker"),
    "nst": HubCorpus("KTH/nst", None, "text", "speaker_id", ("train", "test")),
    "fleurs": HubCorpus("google/fleurs", "sv_se", "raw_transcription", None),
}


@dataclass(frozen=True)
class SourceSpec:
    kind: str
    argument: str
    weight: float = 1.0

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.argument}" if self.argument else self.kind


def parse_spec(spec: str) -> SourceSpec:
    """``KIND:ARGUMENT[@WEIGHT]`` -> SourceSpec; unknown kinds and bad weights are clear errors."""
    body, weight = spec, 1.0
    if "@" in spec:
        body, _, raw_weight = spec.rpartition("@")
        try:
            weight = float(raw_weight)
        except ValueError:
            raise TextningError(f"source '{spec}': weight after '@' must be a number") from None
        if weight <= 0:
            raise TextningError(f"source '{spec}': weight must be positive")
    kind, _, argument = body.partition(":")
    kinds = ("commonvoice", "audiofolder", "commonvoice-hub", *HUB_CORPORA)
    if kind not in kinds:
        raise TextningError(f"source '{spec}': unknown kind '{kind}' (choose from {', '.join(kinds)})")
    if kind in ("commonvoice", "audiofolder", "commonvoice-hub") and not argument:
        raise TextningError(f"source '{spec}': {kind} needs a path or id after ':'")
    return SourceSpec(kind, argument, weight)


def read_source(spec: SourceSpec) -> Iterator[Record]:
    """All records of a source, in a stable order."""
    if spec.kind == "commonvoice":
        return _common_voice(Path(spec.argument), spec.name)
    if spec.kind == "audiofolder":
        return _audiofolder(Path(spec.argument), spec.name)
    if spec.kind == "commonvoice-hub":
        dataset, _, language = spec.argument.rpartition(":")
        if not dataset or not language:
            raise TextningError(f"source '{spec.name}': use commonvoice-hub:DATASET_ID:LANGUAGE")
        return _hub(HubCorpus(dataset, language, "sentence", "client_id"), spec.name)
    corpus = HUB_CORPORA[spec.kind]
    if spec.argument and "/" in spec.argument:
        corpus = HubCorpus(spec.argument, None, corpus.text_column, corpus.speaker_column, corpus.splits)
    elif spec.argument:
        corpus = HubCorpus(corpus.dataset, spec.argument, corpus.text_column, corpus.speaker_column, corpus.splits)
    return _hub(corpus, spec.name)


def _common_voice(folder: Path, name: str) -> Iterator[Record]:
    """A Common Voice release folder: its own train/dev/test split when present, else validated.tsv."""
    if not (folder / "clips").is_dir():
        raise TextningError(f"source '{name}': {folder} has no clips/ folder (not a Common Voice release)")
    tables = [t for t in ("train", "dev", "test") if (folder / f"{t}.tsv").is_file()]
    if not tables and not (folder / "validated.tsv").is_file():
        raise TextningError(f"source '{name}': {folder} has neither validated.tsv nor train/dev/test.tsv")
    for table in tables or ["validated"]:
        for row in read_common_voice(folder, f"{table}.tsv"):
            yield Record(
                id=f"{name}/{row['path']}",
                source=name,
                audio=str(folder / "clips" / row["path"]),
                text=row.get("sentence", ""),
                speaker=row.get("client_id") or None,
                split=SPLIT_NAMES.get(table),
            )


def _audiofolder(folder: Path, name: str) -> Iterator[Record]:
    """Any folder of clips with a metadata.csv (file_name, transcription[, speaker][, split])."""
    metadata = folder / "metadata.csv"
    if not metadata.is_file():
        raise TextningError(f"source '{name}': {metadata} not found")
    with open(metadata, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and not {"file_name", "transcription"} <= set(rows[0]):
        raise TextningError(f"source '{name}': metadata.csv needs the columns file_name and transcription")
    for row in rows:
        yield Record(
            id=f"{name}/{row['file_name']}",
            source=name,
            audio=str(folder / row["file_name"]),
            text=row["transcription"],
            speaker=row.get("speaker") or None,
            split=SPLIT_NAMES.get((row.get("split") or "").strip().lower()),
        )


def _hub(corpus: HubCorpus, name: str) -> Iterator[Record]:
    """A corpus on the hub (downloaded to the hub cache by ``datasets``); fails at once when offline."""
    if not hub_reachable():
        raise TextningError(
            f"source '{name}': the Hugging Face hub is unreachable (offline?); '{corpus.dataset}' cannot be read"
        )
    import datasets

    for split in corpus.splits:
        try:
            table = datasets.load_dataset(corpus.dataset, corpus.config, split=split)
        except (ValueError, FileNotFoundError, datasets.exceptions.DatasetNotFoundError) as error:
            raise TextningError(f"source '{name}': cannot load {corpus.dataset} split {split}: {error}") from None
        texts = table[corpus.text_column]
        speakers = table[corpus.speaker_column] if corpus.speaker_column in table.column_names else [None] * len(texts)
        for index, (text, speaker) in enumerate(zip(texts, speakers, strict=True)):
            audio = f"hub://{corpus.dataset}|{corpus.config or ''}|{split}|{index}"
            yield Record(
                id=f"{name}/{split}/{index}",
                source=name,
                audio=audio,
                text=text or "",
                speaker=str(speaker) if speaker is not None else None,
                split=SPLIT_NAMES.get(split),
            )

"""Typed transcripts: what transcription produces and every writer and the library consume."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float = 1.0


@dataclass
class Segment:
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)


SENTENCE_END = (".", "!", "?", "…")


def split_sentences(segment: Segment) -> list[Segment]:
    """A segment cut at sentence ends, on its word timestamps (Whisper's batched segments span whole chunks)."""
    if not segment.words:
        return [segment]
    groups: list[list[Word]] = [[]]
    for word in segment.words:
        groups[-1].append(word)
        if word.word.strip().endswith(SENTENCE_END):
            groups.append([])
    return [Segment(g[0].start, g[-1].end, "".join(w.word for w in g).strip(), g) for g in groups if g]


@dataclass
class Transcript:
    """Segments plus the metadata the JSON output and the library keep."""

    segments: list[Segment]
    language: str
    duration: float
    model: str
    source: str = ""
    title: str | None = None
    show: str | None = None
    published: str | None = None

    @property
    def text(self) -> str:
        return " ".join(segment.text.strip() for segment in self.segments if segment.text.strip())

    def metadata(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "language": self.language,
            "duration": round(self.duration, 3),
            "source": self.source,
            "title": self.title,
            "show": self.show,
            "published": self.published,
        }

    def to_dict(self, words: bool = True) -> dict[str, Any]:
        segments = []
        for segment in self.segments:
            item: dict[str, Any] = {
                "start": round(segment.start, 3),
                "end": round(segment.end, 3),
                "text": segment.text.strip(),
            }
            if words and segment.words:
                item["words"] = [asdict(word) for word in segment.words]
            segments.append(item)
        return {"metadata": self.metadata(), "segments": segments}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        meta = data["metadata"]
        segments = [
            Segment(s["start"], s["end"], s["text"], [Word(**w) for w in s.get("words", [])]) for s in data["segments"]
        ]
        return cls(
            segments,
            meta["language"],
            meta["duration"],
            meta["model"],
            meta.get("source") or "",
            meta.get("title"),
            meta.get("show"),
            meta.get("published"),
        )

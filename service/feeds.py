"""Podcast feeds (RSS 2.0 with iTunes tags, Atom): the episodes and their audio enclosures."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import feedparser

from service.download import InputError

_TAG = re.compile(r"<[^>]+>")


@dataclass
class Episode:
    """One feed entry with an audio or video enclosure."""

    title: str
    audio_url: str
    published: str | None  # ISO date, when the feed gives one
    published_ts: float
    duration: str | None  # as the feed states it (itunes:duration), when it does
    description: str
    show_title: str
    show_description: str

    @property
    def prompt(self) -> str:
        """Words Whisper should spell right: the episode and show titles and the start of the show description."""
        parts = [self.title, self.show_title, _first_sentences(self.show_description, 160)]
        return ". ".join(part.strip(" .") for part in parts if part and part.strip())


def looks_like_feed(head: bytes) -> bool:
    """True when the first bytes of a document are an RSS or Atom feed."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048].lower()
    return (
        text.startswith(b"<?xml")
        and (b"<rss" in text or b"<feed" in text or b"<rdf" in text)
        or text.startswith((b"<rss", b"<feed"))
    )


def _first_sentences(text: str, limit: int) -> str:
    text = " ".join(_TAG.sub(" ", text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[: end + 1] if end > 40 else cut.rsplit(" ", 1)[0]


def _enclosure(entry) -> str | None:
    for link in entry.get("enclosures", []) or []:
        kind = (link.get("type") or "").lower()
        if link.get("href") and (not kind or kind.startswith(("audio/", "video/"))):
            return link["href"]
    for link in entry.get("links", []) or []:
        if link.get("rel") == "enclosure" and link.get("href"):
            return link["href"]
    for media in entry.get("media_content", []) or []:
        if media.get("url") and (media.get("medium") in ("audio", "video") or "audio" in media.get("type", "")):
            return media["url"]
    return None


def parse_feed(data: bytes, source: str) -> list[Episode]:
    """All episodes with an enclosure, newest first. Malformed or enclosure-less feeds are InputErrors."""
    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        reason = getattr(parsed, "bozo_exception", None)
        raise InputError(source, f"malformed feed ({reason})" if reason else "malformed feed")
    if not parsed.entries:
        raise InputError(source, "the feed has no episodes")
    show = parsed.feed
    episodes = []
    for entry in parsed.entries:
        url = _enclosure(entry)
        if not url:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        episodes.append(
            Episode(
                title=(entry.get("title") or "untitled episode").strip(),
                audio_url=urljoin(source, url) if source.startswith(("http://", "https://")) else url,
                published=f"{stamp.tm_year:04d}-{stamp.tm_mon:02d}-{stamp.tm_mday:02d}" if stamp else None,
                published_ts=calendar.timegm(stamp) if stamp else 0.0,
                duration=entry.get("itunes_duration"),
                description=entry.get("summary", ""),
                show_title=show.get("title", ""),
                show_description=show.get("subtitle") or show.get("summary") or show.get("description", ""),
            )
        )
    if not episodes:
        raise InputError(source, "no episode in the feed has an audio enclosure")
    episodes.sort(key=lambda episode: episode.published_ts, reverse=True)
    return episodes

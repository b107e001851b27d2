"""Turn what a user gives (a file, a media URL, a video page, a podcast feed) into local media files.

The kind is decided by scheme, content type and the content itself, not by the extension alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from service.config import ServiceConfig
from service.download import ByteProgress, InputError, Response, cache_path, download, open_url
from service.feeds import Episode, looks_like_feed, parse_feed

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml")
MAX_FEED_BYTES = 20 * 1024 * 1024


@dataclass
class MediaItem:
    """One piece of audio or video to transcribe, already on local disk."""

    name: str  # output file stem
    path: Path
    source: str  # the URL or path the user gave (for an episode: its enclosure URL)
    title: str | None = None
    prompt: str | None = None
    show: str | None = None
    published: str | None = None


def slugify(text: str, fallback: str = "transcript") -> str:
    """A safe ASCII file stem: 'Avsnitt 12: Åsa & ölen' -> 'avsnitt-12-asa-olen'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].rstrip("-")
    return slug or fallback


def _stem_from_url(url: str) -> str:
    return slugify(Path(unquote(urlparse(url).path)).stem, fallback="media")


def is_url(source: str) -> bool:
    """True for anything with a URL scheme (http, https, ftp, ...) but not a Windows drive letter."""
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+://", source))


def resolve_input(source: str, config: ServiceConfig, progress: ByteProgress | None = None) -> list[MediaItem]:
    """Local media for ``source``; feeds give their newest ``config.episodes`` episodes."""
    if is_url(source):
        scheme = urlparse(source).scheme.lower()
        if scheme == "file":
            return _resolve_local(Path(unquote(urlparse(source).path)), source, config, progress)
        if scheme not in ("http", "https"):
            raise InputError(source, f"unsupported scheme '{scheme}:' (use a file, http or https)")
        return _resolve_url(source, config, progress)
    return _resolve_local(Path(source).expanduser(), source, config, progress)


def _resolve_local(path: Path, source: str, config: ServiceConfig, progress: ByteProgress | None) -> list[MediaItem]:
    if not path.exists():
        raise InputError(source, "no such file")
    if path.is_dir():
        raise InputError(source, "is a directory, not a media file")
    if path.stat().st_size == 0:
        raise InputError(source, "empty file")
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if looks_like_feed(head):
        return episodes_to_items(_feed_episodes(path.read_bytes(), source, config), config, progress)
    return [MediaItem(name=slugify(path.stem, "media"), path=path, source=source)]


def _resolve_url(url: str, config: ServiceConfig, progress: ByteProgress | None) -> list[MediaItem]:
    cached = cache_path(config.download_dir, url)
    if cached.is_file():  # a completed earlier download of the same URL
        return [MediaItem(name=_stem_from_url(url), path=cached, source=url)]
    response = open_url(url, config.network_timeout_s)
    if response.content_type in FEED_TYPES or looks_like_feed(response.head):
        data = _read_all(response, url)
        return episodes_to_items(_feed_episodes(data, url, config), config, progress)
    if response.content_type in ("text/html", "application/xhtml+xml") or response.head.lstrip()[
        :15
    ].lower().startswith((b"<!doctype html", b"<html")):
        response.close()
        return [_download_page_video(url, config)]
    path = download(url, cached, config.max_download_bytes, config.network_timeout_s, progress, response=response)
    return [MediaItem(name=_stem_from_url(url), path=path, source=url)]


def _read_all(response: Response, url: str) -> bytes:
    try:
        data = response.head + response.stream.read(MAX_FEED_BYTES)  # type: ignore[attr-defined]
    except OSError as error:
        raise InputError(url, f"feed download failed ({error})") from None
    finally:
        response.close()
    return data


def _feed_episodes(data: bytes, source: str, config: ServiceConfig) -> list[Episode]:
    return parse_feed(data, source)[: max(1, config.episodes)]


def fetch_feed(url_or_path: str, config: ServiceConfig) -> list[Episode]:
    """Every episode of a feed (URL or file), newest first; for listing before choosing."""
    if is_url(url_or_path) and urlparse(url_or_path).scheme in ("http", "https"):
        return parse_feed(_read_all(open_url(url_or_path, config.network_timeout_s), url_or_path), url_or_path)
    path = Path(unquote(urlparse(url_or_path).path) if is_url(url_or_path) else url_or_path).expanduser()
    if not path.is_file():
        raise InputError(url_or_path, "no such file")
    return parse_feed(path.read_bytes(), url_or_path)


def episodes_to_items(
    episodes: list[Episode], config: ServiceConfig, progress: ByteProgress | None = None
) -> list[MediaItem]:
    """Download each episode's enclosure (cached by URL) and describe it as a MediaItem."""
    items = []
    for episode in episodes:
        url = episode.audio_url
        if is_url(url) and urlparse(url).scheme in ("http", "https"):
            path = download(
                url, cache_path(config.download_dir, url), config.max_download_bytes, config.network_timeout_s, progress
            )
        else:
            path = Path(unquote(urlparse(url).path) if is_url(url) else url)
            if not path.is_file():
                raise InputError(url, f"enclosure of '{episode.title}' not found")
        items.append(
            MediaItem(
                name=slugify(episode.title, "episode"),
                path=path,
                source=url,
                title=episode.title,
                prompt=episode.prompt,
                show=episode.show_title,
                published=episode.published,
            )
        )
    return items


def _download_page_video(url: str, config: ServiceConfig) -> MediaItem:
    """A page with a video or audio element, downloaded by yt-dlp (its generic extractor included)."""
    import yt_dlp

    config.download_dir.mkdir(parents=True, exist_ok=True)
    stem = cache_path(config.download_dir, url).name
    options = {
        "outtmpl": str(config.download_dir / f"{stem}.%(ext)s"),
        "format": "bestaudio/best",
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "noplaylist": True,
        "max_filesize": config.max_download_bytes,
        "socket_timeout": config.network_timeout_s,
        "continuedl": True,
    }
    try:
        with yt_dlp.YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=True)
            path = Path(ydl.prepare_filename(info))
    except yt_dlp.utils.DownloadError as error:
        message = re.sub(r"^ERROR:\s*", "", str(error).strip().splitlines()[0])
        raise InputError(url, f"no downloadable audio or video on the page ({message})") from None
    if not path.is_file():
        raise InputError(url, "no downloadable audio or video on the page (nothing within the size limit)")
    title = info.get("title") or None
    return MediaItem(
        name=slugify(title or _stem_from_url(url), "video"), path=path, source=url, title=title, prompt=title
    )

"""Streaming HTTP downloads into a cache, with a size limit, resume and no half-written files."""

from __future__ import annotations

import hashlib
import os
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from textning.errors import TextningError

USER_AGENT = "Textning/0.1 (+podcast transcription)"
SNIFF_BYTES = 4096
CHUNK = 1 << 16

ByteProgress = Callable[[int, int | None], None]  # (bytes so far, total or None)


class InputError(TextningError):
    """An input that cannot be processed; the message names the input and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass
class Response:
    """An open HTTP response with its first bytes already read, for content sniffing."""

    url: str
    content_type: str
    length: int | None
    head: bytes
    stream: object  # the urllib response, still open

    def close(self) -> None:
        self.stream.close()  # type: ignore[attr-defined]


def _reason(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        reason = error.reason
        if isinstance(reason, socket.gaierror):
            return "host not found"
        if isinstance(reason, ConnectionRefusedError):
            return "connection refused (host unreachable)"
        if isinstance(reason, TimeoutError | socket.timeout):
            return "timed out"
        return f"unreachable ({reason})"
    if isinstance(error, TimeoutError | socket.timeout):
        return "timed out"
    return str(error) or type(error).__name__


def open_url(url: str, timeout: float, offset: int = 0) -> Response:
    """GET ``url`` (from byte ``offset``) and read its first bytes; HTTP and network errors become InputError."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        stream = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - http(s) checked by the caller
        head = stream.read(SNIFF_BYTES)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise InputError(url, _reason(error)) from None
    length = stream.headers.get("Content-Length")
    content_type = (stream.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if offset and stream.status != 206:  # the server ignored the range: start over
        offset = 0
    total = int(length) + offset if length and length.isdigit() else None
    return Response(stream.geturl(), content_type, total, head, stream)


def cache_path(download_dir: Path, url: str, suffix: str = "") -> Path:
    """Where the download of ``url`` is kept: a hash of the URL plus its file extension."""
    if not suffix:
        suffix = Path(urlparse(url).path).suffix[:8]
    return download_dir / (hashlib.sha256(url.encode()).hexdigest()[:24] + suffix)


def download(
    url: str,
    target: Path,
    max_bytes: int,
    timeout: float,
    progress: ByteProgress | None = None,
    response: Response | None = None,
) -> Path:
    """Stream ``url`` to ``target``; a ``.part`` file left by an interrupted run is resumed.

    The file appears under its final name only when complete. Larger than ``max_bytes`` is an InputError.
    """
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    offset = partial.stat().st_size if partial.is_file() else 0
    if response is not None and offset:
        response.close()
        response = None
    if response is None:
        response = open_url(url, timeout, offset)
    resumed = offset and response.stream.status == 206  # type: ignore[attr-defined]
    if not resumed:
        offset = 0
    if response.length is not None and response.length > max_bytes:
        response.close()
        raise InputError(url, f"{response.length / 1e6:.0f} MB is over the download limit of {max_bytes / 1e6:.0f} MB")
    written = offset
    try:
        with open(partial, "ab" if resumed else "wb") as out:
            chunk = response.head
            while chunk:
                written += len(chunk)
                if written > max_bytes:
                    raise InputError(url, f"over the download limit of {max_bytes / 1e6:.0f} MB")
                out.write(chunk)
                if progress:
                    progress(written, response.length)
                chunk = response.stream.read(CHUNK)  # type: ignore[attr-defined]
    except (OSError, urllib.error.URLError) as error:
        raise InputError(url, f"download interrupted ({_reason(error)}); rerun to resume") from None
    except InputError:
        partial.unlink(missing_ok=True)
        raise
    finally:
        response.close()
    if response.length is not None and written < response.length:
        raise InputError(url, f"download ended early ({written} of {response.length} bytes); rerun to resume")
    if written == 0:
        partial.unlink(missing_ok=True)
        raise InputError(url, "empty response (0 bytes)")
    os.replace(partial, target)
    return target

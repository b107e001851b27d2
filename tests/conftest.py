"""Shared fixtures: an isolated model cache, the real Common Voice sample, the bundled base model."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_SAMPLE = Path(os.environ.get("TEXTNING_SHARED", REPO.parent / "shared")) / "data" / "cv-sv-SE-sample"


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every test session assembles the default model afresh in its own cache."""
    cache = tmp_path_factory.mktemp("textning-cache")
    os.environ["TEXTNING_CACHE"] = str(cache)
    os.environ["HF_HUB_OFFLINE"] = "1"
    return cache


@pytest.fixture(scope="session")
def cv_sample() -> Path:
    """The 62-clip Common Voice sv-SE sample beside the repository (../shared)."""
    if not (SHARED_SAMPLE / "validated.tsv").is_file():
        pytest.fail(f"Common Voice sample not found at {SHARED_SAMPLE} (set TEXTNING_SHARED to the shared folder)")
    return SHARED_SAMPLE


@pytest.fixture(scope="session")
def cv_rows(cv_sample: Path) -> list[dict[str, str]]:
    with open(cv_sample / "validated.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="session")
def default_ct2(isolated_cache: Path) -> Path:
    from textning.models import default_model_dir

    return default_model_dir()


@pytest.fixture(scope="session")
def imported_base(default_ct2: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled base imported once as a transformers checkpoint."""
    from conversion.import_ct2 import import_ct2

    return import_ct2(default_ct2, tmp_path_factory.mktemp("imported") / "whisper-base-hf")

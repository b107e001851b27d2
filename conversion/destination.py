"""Safe output directories: refuse to clobber what the user did not ask to replace, swap in atomically."""

from __future__ import annotations

import shutil
from pathlib import Path

from textning.errors import TextningError


def check_destination(dst: Path, overwrite: bool) -> None:
    """Fail before any work when ``dst`` holds files and ``overwrite`` was not asked for."""
    if dst.exists() and (not dst.is_dir() or any(dst.iterdir())) and not overwrite:
        raise TextningError(f"output '{dst}' already exists and is not empty (pass --overwrite to replace it)")


def replace_directory(staging: Path, dst: Path) -> None:
    """Move a finished ``staging`` directory to ``dst``, replacing what was there only at the very end."""
    staging.chmod(0o755)  # mkdtemp makes it private
    if dst.exists():
        shutil.rmtree(dst) if dst.is_dir() else dst.unlink()
    staging.rename(dst)

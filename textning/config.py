"""One configuration dataclass per stage, loadable from a YAML or TOML file and overridden by CLI flags."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any, TypeVar

import yaml

from textning.errors import TextningError

T = TypeVar("T")


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML (``.yaml``/``.yml``) or TOML (``.toml``) mapping."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TextningError(f"config '{path}': {error.strerror or error}") from None
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise TextningError(f"config '{path}': not valid {path.suffix.lstrip('.') or 'YAML'}: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise TextningError(f"config '{path}': expected a mapping of option names to values")
    return data


def load_config(cls: type[T], path: str | Path | None = None, **overrides: Any) -> T:
    """Build ``cls`` from defaults, then the file at ``path``, then the non-None ``overrides``."""
    names = {field.name for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
    data = read_config_file(path) if path else {}
    unknown = sorted(set(data) - names)
    if unknown:
        raise TextningError(
            f"config '{path}': unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}"
        )
    data.update({key: value for key, value in overrides.items() if value is not None})
    return cls(**data)

"""Reader and writer for CTranslate2's ``model.bin`` (binary version 6, little-endian).

Layout: ``u32 version``, ``str spec``, ``u32 revision``, ``u32 n_vars``; each variable ``str name``,
``u8 rank``, ``u32 x rank`` shape, ``u8 dtype``, ``u32 nbytes`` and the raw data; then ``u32 n_aliases``
and (alias, target) string pairs. A ``str`` is a ``u16`` length that counts a trailing NUL, then the bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from textning.errors import TextningError

BINARY_VERSION = 6

# dtype code -> numpy dtype; bfloat16 (5) has no numpy type and is kept as raw uint16 bits.
DTYPES: dict[int, np.dtype] = {
    0: np.dtype("<f4"),
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    4: np.dtype("<f2"),
    5: np.dtype("<u2"),
}
BFLOAT16 = 5


@dataclass
class Variable:
    """One named tensor of a CTranslate2 model, with its on-disk dtype code."""

    dtype: int
    array: np.ndarray

    def to_float32(self) -> np.ndarray:
        """The values as float32 (bfloat16 bits widened, integers cast)."""
        if self.dtype == BFLOAT16:
            return (self.array.astype(np.uint32) << 16).view(np.float32)
        return self.array.astype(np.float32)


@dataclass
class CT2Model:
    """The whole content of a ``model.bin``: spec name, revision, variables in file order and aliases."""

    spec: str
    revision: int
    variables: dict[str, Variable] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    version: int = BINARY_VERSION

    def get(self, name: str) -> Variable:
        """A variable by name, following an alias when the name is one."""
        name = self.aliases.get(name, name)
        try:
            return self.variables[name]
        except KeyError:
            raise TextningError(f"model.bin has no variable '{name}'") from None


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise TextningError("model.bin is truncated")
    return data


def _read_u(stream: BinaryIO, fmt: str) -> int:
    return struct.unpack("<" + fmt, _read_exact(stream, struct.calcsize(fmt)))[0]


def _read_str(stream: BinaryIO) -> str:
    length = _read_u(stream, "H")
    return _read_exact(stream, length)[:-1].decode("utf-8")


def _write_str(stream: BinaryIO, text: str) -> None:
    data = text.encode("utf-8") + b"\0"
    stream.write(struct.pack("<H", len(data)))
    stream.write(data)


def read_model(path: str | Path) -> CT2Model:
    """Parse a ``model.bin`` file (or a directory holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / "model.bin"
    try:
        stream = open(path, "rb")
    except OSError as error:
        raise TextningError(f"cannot read '{path}': {error.strerror or error}") from None
    with stream:
        version = _read_u(stream, "I")
        if version != BINARY_VERSION:
            raise TextningError(f"'{path}': CTranslate2 binary version {version}, only {BINARY_VERSION} is supported")
        model = CT2Model(spec=_read_str(stream), revision=_read_u(stream, "I"), version=version)
        for _ in range(_read_u(stream, "I")):
            name = _read_str(stream)
            rank = _read_u(stream, "B")
            shape = struct.unpack(f"<{rank}I", _read_exact(stream, 4 * rank))
            dtype = _read_u(stream, "B")
            if dtype not in DTYPES:
                raise TextningError(f"'{path}': variable '{name}' has unknown dtype code {dtype}")
            nbytes = _read_u(stream, "I")
            array = np.frombuffer(_read_exact(stream, nbytes), dtype=DTYPES[dtype]).reshape(shape)
            model.variables[name] = Variable(dtype, array)
        for _ in range(_read_u(stream, "I")):
            alias = _read_str(stream)
            model.aliases[alias] = _read_str(stream)
        if stream.read(1):
            raise TextningError(f"'{path}': trailing bytes after the alias table")
    return model


def write_model(model: CT2Model, path: str | Path) -> None:
    """Write ``model`` as a ``model.bin`` file, variables in their dict order."""
    with open(path, "wb") as stream:
        stream.write(struct.pack("<I", model.version))
        _write_str(stream, model.spec)
        stream.write(struct.pack("<II", model.revision, len(model.variables)))
        for name, variable in model.variables.items():
            array = np.asarray(variable.array).astype(DTYPES[variable.dtype], copy=False)
            _write_str(stream, name)
            stream.write(struct.pack(f"<B{array.ndim}I", array.ndim, *array.shape))
            stream.write(struct.pack("<BI", variable.dtype, array.nbytes))
            stream.write(array.tobytes())
        stream.write(struct.pack("<I", len(model.aliases)))
        for alias, target in model.aliases.items():
            _write_str(stream, alias)
            _write_str(stream, target)

"""Shard files: WebDataset-style tar archives written atomically, read as a stream.

A shard is a plain tar whose members are named ``<key>.<field>`` (``f0000123.before.png``,
``f0000123.json``, ...): the layout the ``webdataset`` package reads, so shards can be
streamed by it as well as by :mod:`fram.data.dataset`. Each shard has a JSON sidecar
(``<name>.json``) with its counts and annotations; the sidecar is written after the
tar, both through a temporary name and :func:`os.replace`, so a shard *exists* exactly
when its sidecar does, and a killed job never leaves a half-written shard that looks
complete.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

TMP_PREFIX = ".tmp-"
PAIRS_DIR = "pairs"
UNPAIRED_DIR = "unpaired"


def shard_dir(kind: str) -> str:
    """The dataset folder that holds shards of ``kind`` (``"pairs"`` or ``"unpaired"``)."""
    return PAIRS_DIR if kind == "pairs" else UNPAIRED_DIR


def pack_tar(records: list[tuple[str, Mapping[str, bytes]]]) -> bytes:
    """A tar archive in memory: for every (key, {field: bytes}) members ``key.field``.

    Member metadata is fixed (mtime 0, mode 0644, no owner), so equal inputs give
    byte-identical archives.
    """
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for key, fields in records:
            if "." in key or "/" in key:
                raise ValueError(f"shard keys may not contain '.' or '/', got {key!r}")
            for name, payload in fields.items():
                info = tarfile.TarInfo(f"{key}.{name}")
                info.size = len(payload)
                info.mtime = 0
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


def write_atomic(path: str | os.PathLike[str], payload: bytes) -> None:
    """Write ``payload`` to ``path`` through a temporary file in the same folder."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json_atomic(path: str | os.PathLike[str], doc: Any) -> None:
    write_atomic(path, (json.dumps(doc, indent=1, sort_keys=False) + "\n").encode("utf-8"))


def sidecar_path(tar_path: str | os.PathLike[str]) -> Path:
    return Path(tar_path).with_suffix(".json")


def write_shard(tar_path: str | os.PathLike[str], payload: bytes, sidecar: Mapping[str, Any]) -> None:
    """Write a shard, then its sidecar; the shard counts as done once the sidecar exists."""
    write_atomic(tar_path, payload)
    write_json_atomic(sidecar_path(tar_path), dict(sidecar))


def read_sidecar(tar_path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The sidecar of a finished shard, or None when the shard is missing or unfinished."""
    side = sidecar_path(tar_path)
    if not side.is_file() or not Path(tar_path).is_file():
        return None
    return json.loads(side.read_text(encoding="utf-8"))


def clean_partial(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove what a killed job left: temporary files, and tars that have no sidecar."""
    removed: list[Path] = []
    root = Path(folder)
    if not root.is_dir():
        return removed
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        if path.name.startswith(TMP_PREFIX) or (path.suffix == ".tar" and not sidecar_path(path).is_file()):
            path.unlink()
            removed.append(path)
    return removed


def iter_tar(path: str | os.PathLike[str]) -> Iterator[tuple[str, dict[str, bytes]]]:
    """Stream (key, {field: bytes}) groups of a shard, one sample in memory at a time."""
    key: str | None = None
    fields: dict[str, bytes] = {}
    with open(path, "rb") as handle, tarfile.open(fileobj=handle, mode="r|") as tar:
        for member in tar:
            if not member.isfile():
                continue
            name = member.name.rsplit("/", 1)[-1]
            this, _, field = name.partition(".")
            if this != key:
                if key is not None:
                    yield key, fields
                key, fields = this, {}
            extracted = tar.extractfile(member)
            fields[field] = extracted.read() if extracted is not None else b""
        if key is not None:
            yield key, fields


def load_sidecars(root: str | os.PathLike[str], kind: str = "pairs") -> list[dict[str, Any]]:
    """Sidecars of every finished shard of one kind, in name order."""
    folder = Path(root) / shard_dir(kind)
    out = []
    for tar in sorted(folder.glob("*.tar")):
        sidecar = read_sidecar(tar)
        if sidecar is not None:
            out.append(sidecar)
    return out

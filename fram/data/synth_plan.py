"""The synthesis job's plan: its settings, its units of work (shards) and how faces
are dealt into them, deterministically from the seed (see :mod:`fram.data.synth`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from fram.data.pairs import QualityOptions
from fram.data.shards import shard_dir
from fram.data.sources import SPLITS, FaceSource, split_of


@dataclass
class SynthConfig:
    """Everything that decides a dataset's content (and nothing that does not).

    Attributes:
        faces: folders, images or glob patterns of bare or lightly made-up faces.
        n: pairs to make (exactly, unless the faces run out).
        per_face: looks per identity (FRAM used five).
        unpaired: folders/images/patterns of real made-up faces, stored in UV unpaired.
        uv_size: side of the UV textures.
        seed: shuffles faces and draws looks.
        faces_per_shard: faces per shard (the unit of work and of resumption).
        val_fraction, test_fraction: identity split (see :func:`fram.data.sources.split_of`).
        quality: which faces are accepted.
    """

    faces: list[str]
    n: int
    per_face: int = 5
    unpaired: list[str] = field(default_factory=list)
    uv_size: int = 256
    seed: int = 0
    faces_per_shard: int = 32
    val_fraction: float = 0.05
    test_fraction: float = 0.05
    quality: QualityOptions = field(default_factory=QualityOptions)

    def __post_init__(self) -> None:
        if isinstance(self.quality, dict):
            self.quality = QualityOptions(**self.quality)
        if self.n < 0:
            raise ValueError(f"n must be >= 0, got {self.n}")
        if self.per_face < 1:
            raise ValueError(f"per_face must be >= 1, got {self.per_face}")
        if self.uv_size < 32:
            raise ValueError(f"uv_size must be >= 32, got {self.uv_size}")
        if self.faces_per_shard < 1:
            raise ValueError(f"faces_per_shard must be >= 1, got {self.faces_per_shard}")

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["faces"] = [str(f) for f in self.faces]
        doc["unpaired"] = [str(f) for f in self.unpaired]
        return doc

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> "SynthConfig":
        return cls(**doc)


@dataclass(frozen=True)
class ShardJob:
    """One unit of work: build the shard ``name`` from ``faces``.

    ``faces`` are (face index, path, identity); ``quota`` caps the pairs of a pair
    shard (None: unpaired shard, every accepted face is kept).
    """

    name: str
    kind: str
    split: str
    faces: tuple[tuple[int, str, str], ...]
    quota: int | None
    per_face: int
    uv_size: int
    seed: int
    quality: dict[str, float]

    @property
    def relpath(self) -> str:
        return f"{shard_dir(self.kind)}/{self.name}.tar"

    def plan_doc(self) -> dict[str, Any]:
        """What the sidecar records about the plan, to check a resumed job against."""
        return {"faces": [f[0] for f in self.faces], "quota": self.quota}


def _shuffled(faces: Sequence[FaceSource], seed: int, salt: int) -> list[tuple[int, FaceSource]]:
    order = np.random.default_rng([int(seed), salt]).permutation(len(faces))
    return [(int(i), faces[int(i)]) for i in order]


def _by_split(shuffled: list[tuple[int, FaceSource]], cfg: SynthConfig) -> dict[str, list[tuple[int, FaceSource]]]:
    out: dict[str, list[tuple[int, FaceSource]]] = {s: [] for s in SPLITS}
    for item in shuffled:
        out[split_of(item[1].identity, cfg.val_fraction, cfg.test_fraction)].append(item)
    return out


def _targets(n: int, sizes: dict[str, int]) -> dict[str, int]:
    """Pairs per split, proportional to its faces (train takes the rounding)."""
    total = sum(sizes.values())
    if total == 0:
        return {s: 0 for s in sizes}
    out = {s: (n * sizes[s]) // total for s in sizes if s != "train"}
    out["train"] = n - sum(out.values())
    return out


class PairPlanner:
    """Rounds of pair shards per split, each round only for the pairs still missing."""

    def __init__(self, cfg: SynthConfig, faces: Sequence[FaceSource]) -> None:
        self.cfg = cfg
        self.splits = _by_split(_shuffled(faces, cfg.seed, 0), cfg)
        self.targets = _targets(cfg.n, {s: len(v) for s, v in self.splits.items()})
        self.next_chunk = {s: 0 for s in SPLITS}
        self.made = {s: 0 for s in SPLITS}

    def _job(self, split: str, chunk: int, quota: int) -> ShardJob:
        cfg = self.cfg
        per = cfg.faces_per_shard
        items = self.splits[split][chunk * per : (chunk + 1) * per]
        return ShardJob(
            name=f"{split}-{chunk:06d}", kind="pairs", split=split,
            faces=tuple((g, f.path, f.identity) for g, f in items), quota=quota,
            per_face=cfg.per_face, uv_size=cfg.uv_size, seed=cfg.seed, quality=cfg.quality.to_dict(),
        )

    def next_round(self) -> list[ShardJob]:
        jobs = []
        capacity = self.cfg.faces_per_shard * self.cfg.per_face

        def chunks_left(split: str) -> int:
            return math.ceil(len(self.splits[split]) / self.cfg.faces_per_shard) - self.next_chunk[split]

        # A held-out split whose faces ran out hands its missing pairs to train.
        for split in SPLITS[1:]:
            missing = self.targets[split] - self.made[split]
            if missing > 0 and chunks_left(split) == 0:
                self.targets[split] -= missing
                self.targets["train"] += missing
        for split in SPLITS:
            missing = self.targets[split] - self.made[split]
            count = min(math.ceil(max(missing, 0) / capacity), chunks_left(split))
            for j in range(count):
                quota = capacity if j < count - 1 else missing - capacity * (count - 1)
                jobs.append(self._job(split, self.next_chunk[split], quota))
                self.next_chunk[split] += 1
        return jobs

    def record(self, job: ShardJob, sidecar: dict[str, Any]) -> None:
        self.made[job.split] += int(sidecar["pairs"])


def plan_unpaired(cfg: SynthConfig, faces: Sequence[FaceSource]) -> list[ShardJob]:
    jobs = []
    per = cfg.faces_per_shard
    for split, items in _by_split(_shuffled(faces, cfg.seed, 1), cfg).items():
        for chunk in range(math.ceil(len(items) / per)):
            part = items[chunk * per : (chunk + 1) * per]
            jobs.append(
                ShardJob(
                    name=f"{split}-{chunk:06d}", kind="unpaired", split=split,
                    faces=tuple((g, f.path, f.identity) for g, f in part), quota=None,
                    per_face=0, uv_size=cfg.uv_size, seed=cfg.seed, quality=cfg.quality.to_dict(),
                )
            )
    return jobs

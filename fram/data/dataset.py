"""Stream a synthesized dataset into PyTorch, a shard at a time.

:class:`SynthPairs` yields before/after pairs with their annotations; with
``by_face=True`` it yields one item per identity holding all its looks (for "same
face, different style" batches). :class:`RealMakeupFaces` yields the unpaired real
made-up faces. Both are :class:`torch.utils.data.IterableDataset`: shards are divided
between ``DataLoader`` workers (and between ranks of an initialised
``torch.distributed`` job), read as tar streams, and shuffled through a bounded
buffer, so memory stays at a few samples per worker whatever the dataset's size.

A pair item is a dict::

    before, after   (3, S, S) float32 sRGB in [0, 1]   UV textures
    visibility      (1, S, S) float32 in [0, 1]
    style, category str; style_index, category_index int (positions in
                    fram.data.styles.list_styles() / CATEGORIES)
    text            str, the look described in one sentence
    region_text     dict region -> str (skin, cheeks, eyes, brows, lips)
    recipe          str, the rendered MakeupStyle as JSON
    identity, key, split, source  str;  ita float (skin tone, degrees)
    landmarks       (478, 3) float32 face landmarks in the source photo's pixels
    regions         (R, S, S) float32 constant UV region templates (only with
                    include_regions=True; names in ``dataset.region_names``)
"""

from __future__ import annotations

import io
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from fram.data.pairs import decode_png
from fram.data.shards import iter_tar
from fram.data.sources import SPLITS
from fram.data.styles import CATEGORIES, list_styles


def _to_tensor(image: np.ndarray) -> torch.Tensor:
    if image.ndim == 2:
        return torch.from_numpy(image)[None].float().div_(255.0)
    return torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).float().div_(255.0)


class _ShardStream(IterableDataset):
    kind = "pairs"

    def __init__(
        self,
        root: str | os.PathLike[str],
        split: str = "train",
        *,
        shuffle: bool = False,
        shuffle_buffer: int = 256,
        seed: int = 0,
        include_regions: bool = False,
    ) -> None:
        super().__init__()
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        self.root = Path(root)
        index_path = self.root / "index.json"
        if not index_path.is_file():
            raise FileNotFoundError(f"no dataset index at {index_path} (run `fram synth` first)")
        self.index = json.loads(index_path.read_text(encoding="utf-8"))
        self.split = split
        self.shards = [s for s in self.index["shards"] if s["kind"] == self.kind and s["split"] == split]
        self.shuffle = shuffle
        self.shuffle_buffer = max(1, int(shuffle_buffer))
        self.seed = seed
        self.epoch = 0
        self.include_regions = include_regions
        self._regions: torch.Tensor | None = None
        self.region_names: list[str] = []
        self._style_index = {s: i for i, s in enumerate(list_styles())}
        self._category_index = {c: i for i, c in enumerate(CATEGORIES)}

    def set_epoch(self, epoch: int) -> None:
        """Reshuffle differently each epoch (same order for the same epoch and seed)."""
        self.epoch = int(epoch)

    @property
    def regions(self) -> torch.Tensor:
        """(R, S, S) constant UV region templates; names in :attr:`region_names`."""
        if self._regions is None:
            with np.load(self.root / self.index["regions"]) as data:
                self.region_names = list(data.files)
                self._regions = torch.from_numpy(np.stack([data[n] for n in self.region_names]).astype(np.float32))
        return self._regions

    def _my_shards(self) -> list[dict[str, Any]]:
        shards = list(self.shards)
        if self.shuffle:
            random.Random(f"{self.seed}/{self.epoch}").shuffle(shards)
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        rank, world = 0, 1
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
        slot, slots = rank * workers + worker, world * workers
        return shards[slot::slots]

    def _items(self, key: str, fields: dict[str, bytes]) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def _stream(self) -> Iterator[dict[str, Any]]:
        for shard in self._my_shards():
            for key, fields in iter_tar(self.root / shard["file"]):
                yield from self._items(key, fields)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self.include_regions:
            _ = self.regions
        stream = self._stream()
        if not self.shuffle:
            yield from stream
            return
        info = get_worker_info()
        rng = random.Random(f"{self.seed}/{self.epoch}/{info.id if info else 0}")
        buffer: list[dict[str, Any]] = []
        for item in stream:
            if len(buffer) < self.shuffle_buffer:
                buffer.append(item)
                continue
            i = rng.randrange(len(buffer))
            buffer[i], item = item, buffer[i]
            yield item
        rng.shuffle(buffer)
        yield from buffer

    def _common(self, meta: dict[str, Any], fields: dict[str, bytes]) -> dict[str, Any]:
        item = {
            "before": _to_tensor(decode_png(fields["before.png"])),
            "visibility": _to_tensor(decode_png(fields["vis.png"])),
            "identity": meta["identity"],
            "key": meta["key"],
            "split": meta["split"],
            "source": meta["source"],
            "ita": float(meta["ita"]),
        }
        if "landmarks.npy" in fields:
            item["landmarks"] = torch.from_numpy(np.load(io.BytesIO(fields["landmarks.npy"]), allow_pickle=False))
        if self.include_regions:
            item["regions"] = self.regions
        return item


class SynthPairs(_ShardStream):
    """Before/after UV pairs with recipes and texts (see the module docstring).

    Args:
        root: the ``--out`` folder of ``fram synth``.
        split: "train", "val" or "test" (identity-disjoint).
        by_face: one item per identity: ``afters`` (K, 3, S, S) and lists of per-look
            fields, instead of one item per pair.
        shuffle: shuffle shards per epoch and items through ``shuffle_buffer``.
        include_regions: add the constant region templates to every item.
    """

    kind = "pairs"

    def __init__(self, root: str | os.PathLike[str], split: str = "train", *, by_face: bool = False, **kwargs: Any) -> None:
        super().__init__(root, split, **kwargs)
        self.by_face = by_face

    def __len__(self) -> int:
        """Items in this split (pairs, or faces with ``by_face``), over all workers."""
        return sum(s["faces"] if self.by_face else s["pairs"] for s in self.shards)

    def _look(self, look: dict[str, Any]) -> dict[str, Any]:
        return {
            "style": look["style"],
            "category": look["category"],
            "style_index": self._style_index.get(look["style"], -1),
            "category_index": self._category_index.get(look["category"], -1),
            "text": look["text"],
            "region_text": dict(look["region_text"]),
            "recipe": json.dumps(look["recipe"], sort_keys=True),
        }

    def _items(self, key: str, fields: dict[str, bytes]) -> Iterator[dict[str, Any]]:
        meta = json.loads(fields["json"])
        common = self._common(meta, fields)
        looks = meta.get("looks", [])
        if self.by_face:
            afters = torch.stack([_to_tensor(decode_png(fields[f"after_{k}.png"])) for k in range(len(looks))])
            per_look = [self._look(look) for look in looks]
            item = dict(common, afters=afters)
            for name in per_look[0] if per_look else ():
                item[name] = [p[name] for p in per_look]
            yield item
            return
        for k, look in enumerate(looks):
            yield dict(common, after=_to_tensor(decode_png(fields[f"after_{k}.png"])), **self._look(look))


class RealMakeupFaces(_ShardStream):
    """Real made-up faces in UV, unpaired: ``image`` (3, S, S) and ``visibility`` (1, S, S)."""

    kind = "unpaired"

    def __len__(self) -> int:
        return sum(s["faces"] for s in self.shards)

    def _items(self, key: str, fields: dict[str, bytes]) -> Iterator[dict[str, Any]]:
        meta = json.loads(fields["json"])
        item = self._common(meta, fields)
        item["image"] = item.pop("before")
        yield item


def read_record(root: str | os.PathLike[str], shard_file: str, key: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """One stored record (its annotations and raw members) by shard and key."""
    for this, fields in iter_tar(Path(root) / shard_file):
        if this == key:
            return json.loads(fields["json"]), fields
    raise KeyError(f"{key!r} is not in {shard_file}")

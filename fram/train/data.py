"""Stage 1 data: a synthesized dataset held in memory at the model's input size.

On two CPU cores the encoder, not the disk, sets the pace, and decoding PNGs and
resizing them every epoch would cost as much as the model. So each split of a
``fram synth`` dataset is streamed once through :class:`fram.data.SynthPairs` (by face)
and :class:`fram.data.RealMakeupFaces`, area-resized to the model's input size
(:func:`fram.models.makeup_clip.prepare_uv`, what inference does) and kept as uint8
tensors, cached as ``safetensors`` + JSON beside the run so a resumed run starts at
once. 10 000 pairs at 96 px take about 300 MB.

Batches mix three kinds of groups (see :class:`BatchSampler`):
* style groups: one style on several faces (positives across identities),
* face groups: one face in several styles (negatives on the same identity),
* real made-up faces (self-supervised term only).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from fram.models.makeup_clip import prepare_uv

CACHE_FORMAT = "fram-stage1-cache/3"


@dataclass
class UVSet:
    """One split in memory.

    Attributes:
        befores: (F, 3, S, S) uint8 bare faces; vis (F, 1, S, S) uint8 visibility.
        afters: (P, 3, S, S) uint8 made-up faces; pair_face (P,) index into befores.
        styles: (P,) int64 style index into ``style_names``; texts: P descriptions;
            recipes: P recipes as JSON (what the renderer drew; may be empty).
        identities: F identity names.
        real, real_vis: (R, 3, S, S) / (R, 1, S, S) uint8 real made-up faces.
        real_identities: R names.
        landmarks: (F, 478, 3) float32 landmarks of the bare faces in their photos'
            pixels (stage 2 draws the faces' 3D geometry from them); may be empty.
        real_landmarks: (R, 478, 3) the same for the real made-up faces; may be empty.
    """

    befores: torch.Tensor
    vis: torch.Tensor
    afters: torch.Tensor
    pair_face: torch.Tensor
    styles: torch.Tensor
    texts: list[str]
    identities: list[str]
    style_names: list[str]
    real: torch.Tensor
    real_vis: torch.Tensor
    real_identities: list[str] = field(default_factory=list)
    recipes: list[str] = field(default_factory=list)
    landmarks: torch.Tensor = field(default_factory=lambda: torch.zeros(0, 478, 3))
    real_landmarks: torch.Tensor = field(default_factory=lambda: torch.zeros(0, 478, 3))

    @property
    def size(self) -> int:
        return int(self.afters.shape[-1]) if self.afters.numel() else int(self.real.shape[-1])

    def __len__(self) -> int:
        return int(self.afters.shape[0])

    def save(self, path: str | os.PathLike[str]) -> None:
        from safetensors.torch import save_file

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tensors = {k: getattr(self, k).contiguous() for k in ("befores", "vis", "afters", "pair_face", "styles", "real", "real_vis", "landmarks",
                                                  "real_landmarks")}
        meta = {"format": CACHE_FORMAT, "texts": self.texts, "identities": self.identities,
                "style_names": self.style_names, "real_identities": self.real_identities, "recipes": self.recipes}
        tmp = path.with_suffix(".tmp")
        save_file(tensors, str(tmp))
        os.replace(tmp, path)
        path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "UVSet":
        from safetensors.torch import load_file

        path = Path(path)
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        if meta.get("format") != CACHE_FORMAT:
            raise ValueError(f"{path} is not a {CACHE_FORMAT} cache")
        tensors = load_file(str(path))
        return cls(**tensors, texts=meta["texts"], identities=meta["identities"],
                   style_names=meta["style_names"], real_identities=meta["real_identities"], recipes=meta["recipes"])


def _uint8(image: torch.Tensor) -> np.ndarray:
    """(C, S, S) float [0, 1] (as the dataset yields) → (S, S, C) uint8, exactly."""
    return (image.permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)


def _resized(texture: torch.Tensor, visibility: torch.Tensor, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    tex, vis = prepare_uv(_uint8(texture), visibility[0].numpy(), size)
    return (tex[0] * 255 + 0.5).to(torch.uint8), (vis[0] * 255 + 0.5).to(torch.uint8)


def load_split(root: str | os.PathLike[str], split: str, size: int, *, limit_faces: int | None = None,
               include_real: bool = True, progress: bool = False) -> UVSet:
    """Read one split of a ``fram synth`` dataset into memory at ``size`` px."""
    from fram.data import RealMakeupFaces, SynthPairs, list_styles

    style_names = list_styles()
    befores, vis, afters, pair_face, styles, texts, recipes, identities, landmarks = [], [], [], [], [], [], [], [], []
    pairs = SynthPairs(root, split, by_face=True)
    iterator: Any = pairs
    if progress:
        from tqdm import tqdm

        iterator = tqdm(pairs, total=len(pairs), desc=f"load {split}", unit="face")
    for item in iterator:
        if limit_faces is not None and len(befores) >= limit_faces:
            break
        b, v = _resized(item["before"], item["visibility"], size)
        face = len(befores)
        befores.append(b)
        vis.append(v)
        identities.append(item["identity"])
        if "landmarks" in item:
            landmarks.append(item["landmarks"].float())
        for k in range(item["afters"].shape[0]):
            a, _ = _resized(item["afters"][k], item["visibility"], size)
            afters.append(a)
            pair_face.append(face)
            styles.append(item["style_index"][k])
            texts.append(item["text"][k])
            recipes.append(item["recipe"][k])
    real, real_vis, real_ids, real_landmarks = [], [], [], []
    if include_real:
        try:
            reals = RealMakeupFaces(root, split)
        except FileNotFoundError:
            reals = []
        for item in reals:
            r, rv = _resized(item["image"], item["visibility"], size)
            real.append(r)
            real_vis.append(rv)
            real_ids.append(item["identity"])
            if "landmarks" in item:
                real_landmarks.append(item["landmarks"].float())
    empty3 = torch.zeros(0, 3, size, size, dtype=torch.uint8)
    empty1 = torch.zeros(0, 1, size, size, dtype=torch.uint8)
    return UVSet(
        befores=torch.stack(befores) if befores else empty3,
        vis=torch.stack(vis) if vis else empty1,
        afters=torch.stack(afters) if afters else empty3,
        pair_face=torch.tensor(pair_face, dtype=torch.long),
        styles=torch.tensor(styles, dtype=torch.long),
        texts=texts, recipes=recipes, identities=identities, style_names=style_names,
        real=torch.stack(real) if real else empty3,
        real_vis=torch.stack(real_vis) if real_vis else empty1,
        real_identities=real_ids,
        landmarks=torch.stack(landmarks) if len(landmarks) == len(befores) and landmarks else torch.zeros(0, 478, 3),
        real_landmarks=torch.stack(real_landmarks) if len(real_landmarks) == len(real) and real_landmarks else torch.zeros(0, 478, 3),
    )


def cached_split(root: str | os.PathLike[str], split: str, size: int, cache_dir: str | os.PathLike[str] | None,
                 **kwargs: Any) -> UVSet:
    """:func:`load_split`, kept in ``cache_dir`` (keyed by the dataset's index and size)."""
    if cache_dir is None:
        return load_split(root, split, size, **kwargs)
    import hashlib

    index = (Path(root) / "index.json").read_bytes()
    keyed = {k: v for k, v in kwargs.items() if k != "progress" and v is not None}
    key = hashlib.sha1(index + f"{split}/{size}/{sorted(keyed.items())}".encode()).hexdigest()[:12]
    path = Path(cache_dir) / f"cache-{split}-{size}-{key}.safetensors"
    if path.is_file() and path.with_suffix(".json").is_file():
        try:
            return UVSet.load(path)
        except ValueError:  # written by an older version: rebuild
            pass
    data = load_split(root, split, size, **kwargs)
    data.save(path)
    return data


# --------------------------------------------------------------------------- texts


def style_title(style_id: str) -> str:
    """A display name for a style id (the preset's own name where it has one)."""
    from fram.data.styles import STYLES

    name = STYLES[style_id].centre.name
    return name if name and name != style_id else style_id.replace("-", " ").title()


def style_bank() -> list[dict[str, str]]:
    """One prompt per style: ``{"style", "title", "category", "description", "prompt"}``.

    The prompt names the style and its category and describes its centre recipe;
    it is what ``fram describe`` matches photos against.
    """
    from fram.data.styles import STYLES
    from fram.makeup.description import describe

    bank = []
    for sid, spec in STYLES.items():
        title = style_title(sid)
        description = describe(spec.centre, seed=0).overall
        bank.append({
            "style": sid, "title": title, "category": spec.category, "description": description,
            "prompt": f"{title}, a {spec.category} makeup look. {description}",
        })
    return bank


def annotation_corpus(texts: list[str], *, samples_per_style: int = 20, seed: int = 0) -> list[str]:
    """Texts to learn the tokenizer's vocabulary from: the dataset's descriptions, the
    style prompts, and descriptions of freshly sampled looks (every region sentence)."""
    from fram.data.styles import CATEGORIES, STYLES, sample_style
    from fram.makeup.description import describe

    rng = np.random.default_rng(seed)
    corpus = list(texts)
    for entry in style_bank():
        corpus += [entry["prompt"], entry["title"], entry["category"]]
    corpus += list(CATEGORIES)
    for sid in STYLES:
        for k in range(samples_per_style):
            d = describe(sample_style(sid, rng), seed=int(rng.integers(1 << 30)))
            corpus.append(d.overall)
            corpus += list(d.regions.values())
    return corpus


# --------------------------------------------------------------------------- batches


@dataclass
class BatchPlan:
    """How many of each group a batch holds (see the module docstring)."""

    style_groups: int = 8
    faces_per_style: int = 4
    face_groups: int = 4
    looks_per_face: int = 4
    real: int = 8


class BatchSampler:
    """Indices of one batch, drawn with a ``torch.Generator`` (reproducible, resumable).

    ``sample()`` returns ``(pair_indices, real_indices)``: pair indices into the set's
    afters (style groups first, then face groups) and indices into its real faces.
    """

    def __init__(self, data: UVSet, plan: BatchPlan, generator: torch.Generator) -> None:
        self.data = data
        self.plan = plan
        self.generator = generator
        styles = data.styles.numpy()
        self.by_style = [torch.from_numpy(np.flatnonzero(styles == s)) for s in np.unique(styles)]
        faces = data.pair_face.numpy()
        self.by_face = [torch.from_numpy(np.flatnonzero(faces == f)) for f in np.unique(faces)]

    def _pick(self, pool: torch.Tensor, k: int) -> torch.Tensor:
        order = torch.randperm(len(pool), generator=self.generator)[:k]
        return pool[order]

    def sample(self) -> tuple[torch.Tensor, torch.Tensor]:
        p = self.plan
        out = []
        if self.by_style and p.style_groups:
            chosen = torch.randperm(len(self.by_style), generator=self.generator)[: p.style_groups]
            for s in chosen.tolist():
                pool = self.by_style[s]
                # Different faces: a style rarely repeats on one face, but make sure.
                picked = self._pick(pool, 4 * p.faces_per_style)
                faces = self.data.pair_face[picked]
                _, first = np.unique(faces.numpy(), return_index=True)
                out.append(picked[np.sort(first)][: p.faces_per_style])
        if self.by_face and p.face_groups:
            chosen = torch.randperm(len(self.by_face), generator=self.generator)[: p.face_groups]
            for f in chosen.tolist():
                out.append(self._pick(self.by_face[f], p.looks_per_face))
        pairs = torch.cat(out) if out else torch.zeros(0, dtype=torch.long)
        n_real = len(self.data.real)
        real = torch.randint(n_real, (min(p.real, n_real) if n_real else 0,), generator=self.generator) if n_real else torch.zeros(0, dtype=torch.long)
        return pairs, real

"""Stage 2's data in memory: :class:`Stage2Data` from a stage-1 ``UVSet``, and a toy set for tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from fram.models.region_tokens import TOKEN_GROUPS, token_group_masks
from fram.train.data import UVSet

@dataclass
class Stage2Data:
    """One split ready for stage 2 (all uint8/float tensors in memory).

    ``ref`` / ``ref_vis`` are at the encoder's input size; ``before``, ``after``,
    ``vis``, ``geometry`` at the generator's.
    """

    ref: torch.Tensor  # (P, 3, R, R) uint8, the made-up textures as references
    ref_vis: torch.Tensor  # (F, 1, R, R) uint8
    ref_before: torch.Tensor  # (F, 3, R, R) uint8, the bare faces (a look rendered on another face)
    before: torch.Tensor  # (F, 3, S, S) float
    after: torch.Tensor  # (P, 3, S, S) float
    vis: torch.Tensor  # (F, 1, S, S) float
    geometry: torch.Tensor  # (F, 4, S, S) float
    pair_face: torch.Tensor  # (P,)
    styles: torch.Tensor  # (P,)
    style_pairs: dict[int, torch.Tensor]
    face_pairs: dict[int, torch.Tensor]
    recipes: list[str]  # (P) each pair's recipe, JSON
    real_ref: torch.Tensor | None = None  # (R, 3, Rr, Rr) uint8 real made-up faces
    real_ref_vis: torch.Tensor | None = None  # (R, 1, Rr, Rr) uint8
    real: torch.Tensor | None = None  # (R, 3, S, S) float
    real_vis: torch.Tensor | None = None  # (R, 1, S, S) float
    real_geometry: torch.Tensor | None = None  # (R, 4, S, S) float

    def __len__(self) -> int:
        return len(self.pair_face)

    @property
    def num_real(self) -> int:
        return 0 if self.real is None else len(self.real)


def area_resize(x: torch.Tensor, size: int) -> torch.Tensor:
    return x if x.shape[-1] == size else F.adaptive_avg_pool2d(x, size)


def prepare(uvset: UVSet, size: int) -> Stage2Data:
    """Derive the generator-size tensors and geometry maps from a stage-1 ``UVSet``."""
    from fram.face.uv import geometry_maps

    if len(uvset.landmarks) != len(uvset.befores):
        raise ValueError("the dataset cache has no landmarks; rebuild it with this version of fram")
    if len(uvset.recipes) != len(uvset.afters):
        raise ValueError("the dataset cache has no recipes; rebuild it with this version of fram")

    def geometry_of(landmarks: torch.Tensor) -> torch.Tensor:
        if not len(landmarks):
            return torch.zeros(0, 4, size, size)
        return torch.stack([torch.from_numpy(geometry_maps(lm.numpy(), size)).permute(2, 0, 1) for lm in landmarks])

    geometry = geometry_of(uvset.landmarks)
    real = {}
    if len(uvset.real) and len(uvset.real_landmarks) == len(uvset.real):
        real = dict(real_ref=uvset.real, real_ref_vis=uvset.real_vis, real=area_resize(uvset.real.float() / 255, size),
                    real_vis=area_resize(uvset.real_vis.float() / 255, size), real_geometry=geometry_of(uvset.real_landmarks))
    style_pairs: dict[int, list[int]] = {}
    face_pairs: dict[int, list[int]] = {}
    for i, (s, f) in enumerate(zip(uvset.styles.tolist(), uvset.pair_face.tolist())):
        style_pairs.setdefault(s, []).append(i)
        face_pairs.setdefault(f, []).append(i)
    return Stage2Data(
        ref=uvset.afters, ref_vis=uvset.vis, ref_before=uvset.befores,
        before=area_resize(uvset.befores.float() / 255, size), after=area_resize(uvset.afters.float() / 255, size),
        vis=area_resize(uvset.vis.float() / 255, size), geometry=geometry,
        pair_face=uvset.pair_face, styles=uvset.styles,
        style_pairs={k: torch.tensor(v) for k, v in style_pairs.items()},
        face_pairs={k: torch.tensor(v) for k, v in face_pairs.items()},
        recipes=uvset.recipes,
        **real,
    )


def synthetic_stage2_uvset(n_faces: int = 12, looks: int = 3, n_styles: int = 4, size: int = 32, seed: int = 0, n_real: int = 4) -> UVSet:
    """A tiny made-up dataset for tests: flat "faces" with region-coloured "makeup"."""
    from fram.face.landmarks import NUM_LANDMARKS
    from fram.face.mesh import canonical_mesh
    from fram.makeup.presets import PRESETS

    g = np.random.default_rng(seed)
    masks = token_group_masks(size).numpy()
    palette = g.uniform(0.1, 0.9, (n_styles, len(TOKEN_GROUPS), 3))
    mesh = canonical_mesh()
    befores, afters, pair_face, styles, landmarks = [], [], [], [], []
    for f in range(n_faces):
        skin = g.uniform(0.3, 0.8, 3)
        bare = np.ones((size, size, 3)) * skin
        befores.append(bare)
        lm = np.zeros((NUM_LANDMARKS, 3))
        lm[: mesh.num_vertices, :2] = mesh.uv * 200 + g.normal(0, 2, (mesh.num_vertices, 2))
        lm[: mesh.num_vertices, 2] = g.normal(0, 5, mesh.num_vertices)
        landmarks.append(lm)
        for s in g.choice(n_styles, looks, replace=False):
            made = bare.copy()
            for k in (2, 4):  # eyes and lips only: visible, region-bound makeup
                made = made * (1 - masks[k, ..., None] * 0.8) + palette[s, k] * masks[k, ..., None] * 0.8
            afters.append(made)
            pair_face.append(f)
            styles.append(int(s))

    real = []
    for r in range(n_real):  # "real" made-up faces: another skin, strongly coloured lips
        made = np.ones((size, size, 3)) * g.uniform(0.3, 0.8, 3)
        real.append(made * (1 - masks[4, ..., None]) + np.array([0.7, 0.05, 0.1]) * masks[4, ..., None])

    def u8(images: list[np.ndarray]) -> torch.Tensor:
        if not images:
            return torch.zeros(0, 3, size, size, dtype=torch.uint8)
        return torch.from_numpy((np.clip(np.stack(images), 0, 1) * 255 + 0.5).astype(np.uint8)).permute(0, 3, 1, 2).contiguous()

    presets = [PRESETS[name] for name in ("red-carpet", "natural", "smoky-plum", "goth", "k-beauty-gradient")]
    return UVSet(
        befores=u8(befores), vis=torch.full((n_faces, 1, size, size), 255, dtype=torch.uint8), afters=u8(afters),
        pair_face=torch.tensor(pair_face), styles=torch.tensor(styles), texts=[f"style {s}" for s in styles],
        recipes=[presets[s % len(presets)].model_dump_json() for s in styles],
        identities=[f"face{i}" for i in range(n_faces)], style_names=[f"s{i}" for i in range(n_styles)],
        real=u8(real), real_vis=torch.full((n_real, 1, size, size), 255, dtype=torch.uint8),
        real_identities=[f"real{i}" for i in range(n_real)],
        landmarks=torch.from_numpy(np.stack(landmarks)).float(),
        real_landmarks=torch.from_numpy(np.stack(landmarks[:n_real])).float() if n_real else torch.zeros(0, 478, 3),
    )

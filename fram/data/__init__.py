"""Synthetic annotated makeup data: style sampler, pair builder, shards, splits, Ray.

Stage 1 (makeup CLIP) and stage 2 (transfer) train on what this layer makes:
before/after UV textures of real bare faces wearing sampled looks, each annotated
with its style, recipe and texts (``fram synth``), plus real made-up faces in UV.
Building a dataset needs no torch; reading one for training (:mod:`fram.data.dataset`,
torch datasets) does, so those names load on first use.
"""

from typing import Any

from fram.data.pairs import QualityOptions, REJECTION_REASONS, face_from_meta
from fram.data.skin import fit_to_skin, ita_category
from fram.data.sources import SPLITS, FaceSource, list_faces, split_of
from fram.data.styles import (
    CATEGORIES,
    STYLE_CATEGORIES,
    STYLES,
    StyleSpec,
    list_styles,
    recipe_vector,
    sample_style,
    style_distance,
)
from fram.data.synth import SynthConfig, SynthReport, synthesize

__all__ = [
    "CATEGORIES", "REJECTION_REASONS", "SPLITS", "STYLES", "STYLE_CATEGORIES",
    "FaceSource", "QualityOptions", "RealMakeupFaces", "StyleSpec", "SynthConfig", "SynthPairs", "SynthReport",
    "face_from_meta", "fit_to_skin", "ita_category", "list_faces", "list_styles", "read_record",
    "recipe_vector", "sample_style", "split_of", "style_distance", "synthesize",
]


def __getattr__(name: str) -> Any:
    if name in ("RealMakeupFaces", "SynthPairs", "read_record"):
        from fram.data import dataset

        return getattr(dataset, name)
    raise AttributeError(f"module 'fram.data' has no attribute {name!r}")

"""Synthetic annotated makeup data: style sampler, pair builder, shards, splits, Ray.

Stage 1 (makeup CLIP) and stage 2 (transfer) train on what this layer makes:
before/after UV textures of real bare faces wearing sampled looks, each annotated
with its style, recipe and texts (``fram synth``), plus real made-up faces in UV.
Names load on first use: building a dataset needs no torch, reading one for training
(:mod:`fram.data.dataset`) does.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "RealMakeupFaces": "dataset", "SynthPairs": "dataset", "read_record": "dataset",
    "QualityOptions": "pairs", "REJECTION_REASONS": "pairs", "face_from_meta": "pairs",
    "fit_to_skin": "skin", "ita_category": "skin",
    "SPLITS": "sources", "FaceSource": "sources", "list_faces": "sources", "split_of": "sources",
    "CATEGORIES": "styles", "STYLE_CATEGORIES": "styles", "STYLES": "styles", "StyleSpec": "styles",
    "list_styles": "styles", "recipe_vector": "styles", "sample_style": "styles", "style_distance": "styles",
    "SynthConfig": "synth", "SynthReport": "synth", "synthesize": "synth",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"fram.data.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'fram.data' has no attribute {name!r}")

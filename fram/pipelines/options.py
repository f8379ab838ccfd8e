"""The choices a user makes once per call, validated once, shared by every pipeline.

Every surface (Python, CLI, eval, a service) builds one :class:`MakeupOptions` from
whatever the user typed; pipelines receive it already checked, so a bad intensity
fails before any model loads and nothing downstream parses it again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

from fram.errors import FramError, RecipeError
from fram.makeup.render import GROUPS

REGION_GROUPS = GROUPS
"""Region names a user can pick: skin (with cheeks: foundation, blush, contour,
highlight, concealer), eyes (shadow, liner, mascara), brows, lips."""
MAX_INTENSITY = 3.0
MAX_STEPS = 1000
MAX_COLOUR_MATCH = 2.0


def parse_intensity(value: float | str | dict[str, float]) -> dict[str, float]:
    """Intensity per region group from ``0.7``, ``"lips=1,eyes=0.5"`` or a dict.

    Values above 1 exaggerate (up to each product's full strength); unnamed groups
    stay at 1.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {g: _check_intensity(float(value), "intensity") for g in GROUPS}
    if isinstance(value, dict):
        pairs = list(value.items())
    else:
        text = str(value).strip()
        if "=" not in text:
            try:
                number = float(text)
            except ValueError:
                raise RecipeError(f"bad intensity {text!r}: give a number from 0 to {MAX_INTENSITY:g} (like 0.7) "
                                  "or per region (like lips=1,eyes=0.5)") from None
            return parse_intensity(number)
        pairs = []
        for part in text.split(","):
            name, _, number = part.partition("=")
            try:
                pairs.append((name.strip(), float(number)))
            except ValueError:
                raise RecipeError(f"bad intensity {part!r}: expected REGION=NUMBER") from None
    out = dict.fromkeys(GROUPS, 1.0)
    for name, number in pairs:
        if name not in GROUPS:
            raise RecipeError(f"unknown region {name!r} in intensity; regions are {', '.join(GROUPS)}")
        out[name] = _check_intensity(float(number), f"intensity of {name}")
    return out


def _check_intensity(value: float, what: str) -> float:
    if not math.isfinite(value) or value < 0 or value > MAX_INTENSITY:
        raise RecipeError(f"{what} must be between 0 and {MAX_INTENSITY:g}, got {value}")
    return value


def parse_regions(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...] | None:
    """Region groups from ``"lips,eyes"`` or a sequence, in canonical order; None stays
    None (the pipeline decides: every group for a look, every referenced group for a
    transfer)."""
    if value is None:
        return None
    names = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    unknown = [n for n in names if n not in GROUPS]
    if unknown or not names:
        raise RecipeError(f"unknown region(s) {unknown or names}; regions are {', '.join(GROUPS)}")
    return tuple(g for g in GROUPS if g in names)


@dataclass(frozen=True)
class MakeupOptions:
    """What to make up, how strongly, on which face, and how an engine samples.

    Attributes:
        regions: region groups to make up, canonical order; None = every group (a
            look) or every group that has a reference (a transfer).
        intensity: per group, 0 (untouched) to 3; above 1 exaggerates.
        face_index: which face of the photo, largest first.
        all_faces: make up every face of the photo (largest first), not only
            ``face_index``'s; each is analysed on its own upright frame.
        engine: transfer engine name (:func:`fram.pipelines.registry.engine_names`);
            None = :func:`fram.pipelines.registry.default_engine`.
        steps, seed, guidance: sampling of the fram engine (None = the pipeline's own
            steps and guidance).
        colour_match: fram engine, how far eyes' and lips' colour level moves to the
            reference's (None = its default, 0 = the generator's own level).
    """

    regions: tuple[str, ...] | None = None
    intensity: dict[str, float] = field(default_factory=lambda: dict.fromkeys(GROUPS, 1.0))
    face_index: int = 0
    all_faces: bool = False
    engine: str | None = None
    steps: int | None = None
    seed: int = 0
    guidance: float | None = None
    colour_match: float | None = None

    @classmethod
    def create(cls, *, regions: Any = None, intensity: Any = 1.0, face_index: int = 0, all_faces: bool = False,
               engine: str | None = None, steps: int | None = None, seed: int = 0, guidance: float | None = None,
               colour_match: float | None = None) -> "MakeupOptions":
        """Options from user-level values (``"lips,eyes"``, ``"lips=1,eyes=0.5"``, …), checked."""
        if isinstance(face_index, bool) or not isinstance(face_index, int) or face_index < 0:
            raise FramError(f"face index must be a whole number from 0, got {face_index!r}")
        if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS):
            raise FramError(f"steps must be a whole number from 1 to {MAX_STEPS}, got {steps!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise FramError(f"seed must be a whole number from 0 to 2**63-1, got {seed!r}")
        if guidance is not None and not (isinstance(guidance, (int, float)) and math.isfinite(guidance) and 0 <= guidance <= 20):
            raise FramError(f"guidance must be between 0 and 20, got {guidance!r}")
        if colour_match is not None and not (math.isfinite(colour_match) and 0 <= colour_match <= MAX_COLOUR_MATCH):
            raise FramError(f"colour match must be between 0 and {MAX_COLOUR_MATCH:g}, got {colour_match}")
        if not isinstance(all_faces, bool):
            raise FramError(f"all_faces must be true or false, got {all_faces!r}")
        return cls(regions=parse_regions(regions), intensity=parse_intensity(intensity), face_index=face_index, all_faces=all_faces,
                   engine=engine.strip() if isinstance(engine, str) else engine, steps=steps, seed=seed,
                   guidance=None if guidance is None else float(guidance), colour_match=None if colour_match is None else float(colour_match))

    @classmethod
    def of(cls, options: "MakeupOptions | None" = None, **values: Any) -> "MakeupOptions":
        """``options`` as given (already checked), or built from ``values``; both at
        once replace the named fields (each checked again)."""
        if options is None:
            return cls.create(**values)
        if not values:
            return options
        current = {f.name: getattr(options, f.name) for f in fields(options)}
        return cls.create(**{**current, **values})

    def shown(self, groups: tuple[str, ...]) -> tuple[str, ...]:
        """The groups that are drawn: intensity 0 means as if not selected, so those
        pixels stay bit-identical."""
        return tuple(g for g in groups if self.intensity.get(g, 1.0) > 0)

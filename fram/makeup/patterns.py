"""Pattern looks drawn straight into a makeup layer in UV: liner wings, cut creases,
stencils, face paint, glitter, freckles, two-tone lips, contour shapes.

Recipes describe colour per region; these looks are *shapes*, and only a layer at
the UV texture's resolution holds them. Drawing them in UV, anchored to the
canonical mesh's landmarks, puts every shape on the same feature of every face,
whatever its pose or skin: the layer is paint and coverage, and
:func:`fram.makeup.wear.wear_layer` relights it on each face. So a pattern look
worn by face A and by face B is an exact synthetic pair for transfer, and B bare
against B wearing it one for removal.

Lengths below are written for a 256 px texture and scaled with the size. Colours
are sRGB hex (what a palette says) turned into the layer's linear RGB.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from fram.face.landmarks import Face
from fram.face.mesh import canonical_mesh
from fram.face.polygons import ellipse_mask, fill_polygons
from fram.face.templates import eye_frames, uv_templates
from fram.face.topology import (LEFT_EYE_LOWER, LEFT_EYE_UPPER, LEFT_UNDER_EYE, RIGHT_EYE_LOWER, RIGHT_EYE_UPPER,
                                RIGHT_UNDER_EYE)
from fram.makeup.compose import analyse, apply_layers
from fram.makeup.decompose import MakeupLayer, layer_size_for, linear_rgb
from fram.makeup.recipe import hex_to_rgb
from fram.makeup.wear import LAYER_GROUPS, wear_layer

_SUPERSAMPLE = 4
PALETTES = {
    "liner": ("#111111", "#1b2a8c", "#0f6b4f", "#6a1b9a", "#c2185b", "#f5f5f5", "#00a3c4"),
    "bright": ("#e53935", "#1e88e5", "#43a047", "#fdd835", "#8e24aa", "#ff6f00", "#00acc1", "#f06292", "#ffffff", "#212121"),
    "shadow": ("#c9a27e", "#8d5a3b", "#b5838d", "#6d597a", "#f2d0a9", "#3d405b", "#9c6644"),
    "lips": ("#a4161a", "#7b2d26", "#d1495b", "#6a040f", "#c9184a", "#8e3b46", "#ff758f", "#3c1518"),
    "glitter": ("#ffd700", "#e0e0e0", "#ff80ab", "#b388ff", "#80deea", "#fff59d"),
}
"""Colour families each product draws from."""
FRECKLE = "#7b4a2e"
CONTOUR = "#6b4430"
HIGHLIGHT = "#fff1d6"

# Landmarks the stencils are anchored to (MediaPipe topology; right = person's right).
_CHEEK = (205, 425)
_CHEEKBONE = (116, 345)
_BELOW_OUTER_EYE = (118, 347)
_TEMPLE = (54, 284)
_EAR = (93, 323)
_NOSE_TIP = 4
_NOSE_BRIDGE = (168, 6, 197, 195, 5)
_LIDS = ((RIGHT_EYE_UPPER, RIGHT_EYE_LOWER, RIGHT_UNDER_EYE), (LEFT_EYE_UPPER, LEFT_EYE_LOWER, LEFT_UNDER_EYE))


@dataclass(frozen=True)
class PatternLook:
    """A named pattern look and its makeup layer (any UV size; worn layers are resized)."""

    name: str
    layer: MakeupLayer


class _Canvas:
    """Paint laid over paint: each stroke covers what is under it by its own coverage."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.px = size / 256.0
        self.uv = canonical_mesh().uv * size - 0.5
        self.colour = np.zeros((size, size, 3), np.float32)
        self.alpha = np.zeros((size, size), np.float32)

    def paint(self, coverage: np.ndarray, colour: str | np.ndarray, opacity: float = 1.0) -> None:
        """``coverage`` (S, S) in [0, 1] of ``colour`` (hex, or (S, S, 3) linear RGB)."""
        paint = linear_rgb(np.array(hex_to_rgb(colour), np.float32)) if isinstance(colour, str) else colour
        a = np.clip(coverage * opacity, 0, 1).astype(np.float32)
        total = a + self.alpha * (1 - a)
        mixed = paint * a[..., None] + self.colour * (self.alpha * (1 - a))[..., None]
        self.colour = np.where(total[..., None] > 1e-6, mixed / np.maximum(total, 1e-6)[..., None], self.colour).astype(np.float32)
        self.alpha = total

    def layer(self) -> MakeupLayer:
        """The painting, kept off the eye openings and the mouth and inside the face."""
        tpl = uv_templates(self.size)
        holes = cv2.GaussianBlur(np.clip(tpl["eyes"] + tpl["mouth"], 0, 1), (0, 0), 0.5 * self.px)
        alpha = self.alpha * np.clip(tpl["face"] * 1.5, 0, 1) * (1 - np.clip(holes * 1.5, 0, 1))
        return MakeupLayer(colour=np.clip(self.colour, 0, 1), alpha=alpha.astype(np.float32))

    def raster(self, draw: Callable[[np.ndarray, Callable[[np.ndarray], np.ndarray]], None]) -> np.ndarray:
        """Coverage of what ``draw(canvas, to_fine)`` draws at 255 on a supersampled canvas;
        ``to_fine`` maps texel points to that canvas's fixed-point (shift 4) coordinates."""
        k = _SUPERSAMPLE
        canvas = np.zeros((self.size * k, self.size * k), np.uint8)
        draw(canvas, lambda p: np.round(((np.asarray(p, np.float64) + 0.5) * k - 0.5) * 16).astype(np.int32))
        return cv2.resize(canvas, (self.size, self.size), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0

    def stroke(self, points: np.ndarray, width: float) -> np.ndarray:
        """A polyline ``width`` texels wide (at 256 px)."""
        thick = max(1, int(round(width * self.px * _SUPERSAMPLE)))
        return self.raster(lambda c, f: cv2.polylines(c, [f(points)], False, 255, thick, cv2.LINE_8, 4))

    def discs(self, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
        def draw(canvas: np.ndarray, fine: Callable) -> None:
            for centre, radius in zip(fine(centres), radii):
                cv2.circle(canvas, tuple(int(v) for v in centre), int(round(radius * self.px * _SUPERSAMPLE * 16)), 255, -1, cv2.LINE_8, 4)
        return self.raster(draw)

    def polygon(self, points: np.ndarray) -> np.ndarray:
        return fill_polygons([np.asarray(points, np.float32)], (self.size, self.size))

    def side(self, pair: tuple[int, int], side: int) -> np.ndarray:
        return self.uv[pair[side]]


def _pick(rng: np.random.Generator, family: str) -> str:
    return str(rng.choice(PALETTES[family]))


def _sides(rng: np.random.Generator, both: float = 0.5) -> tuple[int, ...]:
    """Both sides of the face, or one of them at random."""
    return (0, 1) if rng.random() < both else (int(rng.integers(2)),)


# ---------------------------------------------------------------- eyes


def _eye(canvas: _Canvas, side: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(upper lash line outer → inner, lower lash line inner → outer, unit outward direction)."""
    upper, lower, _ = _LIDS[side]
    lash, low = canvas.uv[list(upper)], canvas.uv[list(lower)]
    out = lash[0] - lash[-1]
    return lash, low, out / np.linalg.norm(out)


def _wing(canvas: _Canvas, lash: np.ndarray, out: np.ndarray, thickness: float, length: float, angle: float) -> np.ndarray:
    """A liner polygon along ``lash`` that thickens toward the outer corner and flicks up."""
    px = canvas.px
    ramp = np.linspace(1.0, 0.35, len(lash))[:, None]  # thickest at the outer corner
    top = lash - np.array([0.0, 1.0]) * thickness * px * ramp
    width = float(np.linalg.norm(lash[0] - lash[-1]))
    direction = np.cos(angle) * out + np.sin(angle) * np.array([0.0, -1.0])
    tip = lash[0] + direction * length * width
    return canvas.polygon(np.concatenate([[tip], lash, top[::-1]]))


def winged_liner(canvas: _Canvas, rng: np.random.Generator) -> str:
    colour = _pick(rng, "liner")
    thickness, length, angle = rng.uniform(1.5, 3.5), rng.uniform(0.35, 0.8), np.radians(rng.uniform(12, 35))
    for side in (0, 1):
        lash, _, out = _eye(canvas, side)
        canvas.paint(_wing(canvas, lash, out, thickness, length, angle), colour)
    return "winged-liner"


def graphic_liner(canvas: _Canvas, rng: np.random.Generator) -> str:
    """A liner wing plus a floating line over the crease, joined at the outer end."""
    colour = _pick(rng, "liner" if rng.random() < 0.5 else "bright")
    lift, angle = rng.uniform(6, 10), np.radians(rng.uniform(15, 30))
    for side in (0, 1):
        lash, _, out = _eye(canvas, side)
        canvas.paint(_wing(canvas, lash, out, 2.0, 0.6, angle), colour)
        crease = lash - np.array([0.0, lift * canvas.px]) * np.sin(np.linspace(0.3, np.pi - 0.3, len(lash)))[:, None]
        tip = lash[0] + (np.cos(angle) * out + np.sin(angle) * np.array([0.0, -1.0])) * 0.6 * np.linalg.norm(lash[0] - lash[-1])
        canvas.paint(canvas.stroke(np.concatenate([[tip], crease]), rng.uniform(1.2, 2.2)), colour)
    return "graphic-liner"


def cut_crease(canvas: _Canvas, rng: np.random.Generator) -> str:
    lid, crease = _pick(rng, "glitter" if rng.random() < 0.3 else "shadow"), _pick(rng, "shadow")
    cut = rng.uniform(0.4, 0.55)
    for frame in eye_frames(canvas.size):
        span = (frame.along > -0.05) & (frame.along < 1.15)
        canvas.paint(cv2.GaussianBlur(((frame.lid > cut) & (frame.lid < 0.85) & span).astype(np.float32), (0, 0), 2.5 * canvas.px), crease, 0.8)
        canvas.paint(cv2.GaussianBlur(((frame.lid > 0) & (frame.lid < cut) & span).astype(np.float32), (0, 0), 0.5 * canvas.px), lid, 0.9)
    return "cut-crease"


def lower_lash_line(canvas: _Canvas, rng: np.random.Generator) -> str:
    colour = _pick(rng, "liner" if rng.random() < 0.4 else "bright")
    start = int(rng.integers(0, 4))
    for side in (0, 1):
        _, low, _ = _eye(canvas, side)
        line = low[start:] + np.array([0.0, 1.2 * canvas.px])
        canvas.paint(canvas.stroke(line, rng.uniform(1.5, 3.0)), colour, 0.95)
    return "lower-lash-line"


# ---------------------------------------------------------------- face paint


def _star(centre: np.ndarray, radius: float, turn: float) -> np.ndarray:
    angles = turn + np.arange(10) * np.pi / 5 - np.pi / 2
    r = np.where(np.arange(10) % 2 == 0, radius, 0.42 * radius)
    return centre + np.stack([np.cos(angles), np.sin(angles)], -1) * r[:, None]


def _heart(centre: np.ndarray, radius: float) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    return centre + np.stack([x, y], -1) * radius / 16.0


def stars(canvas: _Canvas, rng: np.random.Generator) -> str:
    colour = _pick(rng, "bright" if rng.random() < 0.7 else "glitter")
    for side in _sides(rng, 0.3):
        anchor = canvas.side(_BELOW_OUTER_EYE, side) + np.array([0.0, 6.0]) * canvas.px
        for k in range(int(rng.integers(1, 4))):
            centre = anchor + rng.normal(0, 7, 2) * canvas.px + np.array([(-1) ** (side + 1) * 8 * k, 6 * k]) * canvas.px
            canvas.paint(canvas.polygon(_star(centre, rng.uniform(6, 12) * canvas.px / (1 + 0.3 * k), rng.uniform(0, 1.2))), colour)
    return "stars"


def hearts(canvas: _Canvas, rng: np.random.Generator) -> str:
    colour = _pick(rng, "bright")
    for side in _sides(rng, 0.5):
        centre = canvas.side(_CHEEK, side) + rng.normal(0, 3, 2) * canvas.px
        canvas.paint(canvas.polygon(_heart(centre, rng.uniform(7, 13) * canvas.px)), colour, rng.uniform(0.8, 1.0))
    return "hearts"


def dots(canvas: _Canvas, rng: np.random.Generator) -> str:
    """A row of dots along the top of the cheek, under each eye."""
    colour, count, radius = _pick(rng, "bright"), int(rng.integers(3, 8)), rng.uniform(1.5, 3.2)
    for side in _sides(rng, 0.7):
        curve = canvas.uv[list(_LIDS[side][2])] + np.array([0.0, 5.0]) * canvas.px
        t = np.linspace(0.1, 0.9, count) * (len(curve) - 1)
        centres = np.stack([np.interp(t, np.arange(len(curve)), curve[:, i]) for i in (0, 1)], -1)
        canvas.paint(canvas.discs(centres, np.full(count, radius)), colour)
    return "dots"


def stripes(canvas: _Canvas, rng: np.random.Generator) -> str:
    """War-paint stripes across the cheek, from the ear toward the nose."""
    colour, count, width = _pick(rng, "bright"), int(rng.integers(2, 4)), rng.uniform(3, 6)
    for side in _sides(rng, 0.7):
        ear, cheek = canvas.side(_EAR, side), canvas.side(_CHEEK, side)
        start, end = ear + (cheek - ear) * 0.25, ear + (cheek - ear) * rng.uniform(0.75, 0.95)
        for k in range(count):
            offset = np.array([0.0, (k - (count - 1) / 2) * (width + 4)]) * canvas.px
            canvas.paint(canvas.stroke(np.stack([start + offset, end + offset - np.array([0, 4 * k]) * canvas.px]), width), colour)
    return "stripes"


def flowers(canvas: _Canvas, rng: np.random.Generator) -> str:
    petal, heart = _pick(rng, "bright"), _pick(rng, "glitter")
    for side in _sides(rng, 0.3):
        centre = (canvas.side(_BELOW_OUTER_EYE, side) + canvas.side(_CHEEKBONE, side)) / 2 + rng.normal(0, 3, 2) * canvas.px
        radius, turn = rng.uniform(5, 9) * canvas.px, rng.uniform(0, 72)
        shape = (canvas.size, canvas.size)
        for k in range(5):
            angle = np.radians(turn + 72 * k)
            at = centre + radius * np.array([np.cos(angle), np.sin(angle)])
            canvas.paint(ellipse_mask(at, (radius * 0.9, radius * 0.5), turn + 72 * k, shape), petal)
        canvas.paint(ellipse_mask(centre, (radius * 0.45, radius * 0.45), 0, shape), heart)
    return "flowers"


def cracks(canvas: _Canvas, rng: np.random.Generator) -> str:
    """Thin branching lines spreading from a point on the cheek or temple."""
    colour = str(rng.choice(("#111111", "#3e2723", "#ffffff", "#4a148c")))
    side = int(rng.integers(2))
    origin = canvas.side(_CHEEKBONE if rng.random() < 0.5 else _TEMPLE, side) + np.array([(-1) ** side * -16.0, 0]) * canvas.px
    coverage = np.zeros((canvas.size, canvas.size), np.float32)
    for _ in range(int(rng.integers(4, 8))):
        heading, point, path = rng.uniform(0, 2 * np.pi), origin.copy(), [origin.copy()]
        for _ in range(int(rng.integers(4, 9))):
            heading += rng.normal(0, 0.5)
            point = point + np.array([np.cos(heading), np.sin(heading)]) * rng.uniform(3, 7) * canvas.px
            path.append(point.copy())
        coverage = np.maximum(coverage, canvas.stroke(np.array(path), rng.uniform(0.8, 1.6)))
    canvas.paint(coverage, colour)
    return "cracks"


def half_face(canvas: _Canvas, rng: np.random.Generator) -> str:
    """One half of the face one colour, split down the midline (or across, below the nose)."""
    colour = _pick(rng, "bright")
    ys, xs = np.mgrid[0 : canvas.size, 0 : canvas.size].astype(np.float32)
    middle = canvas.uv[_NOSE_TIP]
    if rng.random() < 0.75:
        signed = (xs - middle[0]) * (1 if rng.random() < 0.5 else -1)
    else:
        signed = ys - canvas.uv[2][1]  # below the nose
    block = np.clip(signed / canvas.px + 0.5, 0, 1)
    tpl = uv_templates(canvas.size)
    canvas.paint(block * (1 - tpl["lips"]) * (1 - cv2.GaussianBlur(tpl["brows"], (0, 0), canvas.px)), colour, rng.uniform(0.85, 1.0))
    return "half-face"


def glitter(canvas: _Canvas, rng: np.random.Generator) -> str:
    """Gems and glitter dots scattered along the outer eye and the top of the cheek."""
    colours = [_pick(rng, "glitter") for _ in range(2)]
    for side in (0, 1):
        _, low, _ = _eye(canvas, side)
        anchor = low[-1] + np.array([0.0, 4.0]) * canvas.px
        count = int(rng.integers(6, 18))
        centres = anchor + rng.normal(0, 1, (count, 2)) * np.array([6.0, 4.0]) * canvas.px
        radii = rng.uniform(0.7, 2.2, count)
        gem = radii > 1.7
        canvas.paint(canvas.discs(centres[~gem], radii[~gem]), colours[0])
        if gem.any():
            canvas.paint(canvas.discs(centres[gem], radii[gem]), colours[1])
    return "glitter"


def freckles(canvas: _Canvas, rng: np.random.Generator) -> str:
    """Drawn freckles over the nose bridge and the tops of the cheeks."""
    count = int(rng.integers(40, 110))
    bridge = canvas.uv[_NOSE_TIP] - np.array([0.0, 10.0]) * canvas.px
    spread = np.array([34.0, 7.0]) * canvas.px
    centres = bridge + rng.normal(0, 1, (count, 2)) * spread
    canvas.paint(canvas.discs(centres, rng.uniform(0.6, 1.4, count)), FRECKLE, rng.uniform(0.45, 0.75))
    return "freckles"


# ---------------------------------------------------------------- lips and shapes


def ombre_lips(canvas: _Canvas, rng: np.random.Generator) -> str:
    """Dark at the mouth line fading to a lighter shade at the lip's edge."""
    tpl = uv_templates(canvas.size)
    dark, light = _pick(rng, "lips"), str(rng.choice(("#ff8fa3", "#f4acb7", "#ffb3c1", "#e5989b")))
    inner = cv2.distanceTransform((tpl["mouth"] < 0.5).astype(np.uint8), cv2.DIST_L2, 5)
    t = np.clip(inner / (7.0 * canvas.px), 0, 1)[..., None]
    colour = (1 - t) * linear_rgb(np.array(hex_to_rgb(dark), np.float32)) + t * linear_rgb(np.array(hex_to_rgb(light), np.float32))
    canvas.paint(tpl["lips"], colour.astype(np.float32), rng.uniform(0.85, 1.0))
    return "ombre-lips"


def two_tone_lips(canvas: _Canvas, rng: np.random.Generator) -> str:
    tpl = uv_templates(canvas.size)
    upper, lower = rng.choice(PALETTES["lips"] + PALETTES["bright"][:5], 2, replace=False)
    canvas.paint(tpl["upper_lip"], str(upper), 0.95)
    canvas.paint(tpl["lower_lip"], str(lower), 0.95)
    return "two-tone-lips"


def contour(canvas: _Canvas, rng: np.random.Generator) -> str:
    """Sculpting: a shadow under the cheekbone and light down the nose and over the cheekbone."""
    px = canvas.px
    for side in (0, 1):
        under = np.stack([canvas.side(_EAR, side), canvas.side(_CHEEK, side) + np.array([(-1) ** side * -8.0, 4.0]) * px])
        canvas.paint(cv2.GaussianBlur(canvas.stroke(under, rng.uniform(7, 11)), (0, 0), 3 * px), CONTOUR, rng.uniform(0.45, 0.7))
        top = np.stack([canvas.side(_CHEEKBONE, side), canvas.side(_BELOW_OUTER_EYE, side)])
        canvas.paint(cv2.GaussianBlur(canvas.stroke(top, 4), (0, 0), 2 * px), HIGHLIGHT, rng.uniform(0.45, 0.7))
    bridge = canvas.uv[list(_NOSE_BRIDGE)]
    canvas.paint(cv2.GaussianBlur(canvas.stroke(bridge, 3), (0, 0), 1.5 * px), HIGHLIGHT, rng.uniform(0.45, 0.7))
    return "contour"


PRODUCTS: dict[str, Callable[[_Canvas, np.random.Generator], str]] = {
    "winged-liner": winged_liner, "graphic-liner": graphic_liner, "cut-crease": cut_crease,
    "lower-lash-line": lower_lash_line, "stars": stars, "hearts": hearts, "dots": dots, "stripes": stripes,
    "flowers": flowers, "cracks": cracks, "half-face": half_face, "glitter": glitter, "freckles": freckles,
    "ombre-lips": ombre_lips, "two-tone-lips": two_tone_lips, "contour": contour,
}
"""Every pattern product, by name."""
_COMPANIONS = ("winged-liner", "lower-lash-line", "ombre-lips", "two-tone-lips", "glitter", "freckles")


def draw_pattern(names: tuple[str, ...], rng: np.random.Generator, size: int = 256) -> PatternLook:
    """The pattern products ``names`` drawn (in that order) into one layer of side ``size``."""
    unknown = [n for n in names if n not in PRODUCTS]
    if unknown or not names:
        raise ValueError(f"unknown pattern product(s) {unknown}; choose from {sorted(PRODUCTS)}")
    canvas = _Canvas(size)
    drawn = [PRODUCTS[name](canvas, rng) for name in names]
    return PatternLook("+".join(drawn), canvas.layer())


def sample_pattern(rng: np.random.Generator, size: int = 256, product: str | None = None) -> PatternLook:
    """A random pattern look: one product (``product``, or any), with a second from
    another zone a third of the time."""
    first = product or str(rng.choice(list(PRODUCTS)))
    names = (first,)
    if rng.random() < 1 / 3:
        names += (str(rng.choice([c for c in _COMPANIONS if c != first])),)
    return draw_pattern(names, rng, size)


def wear_pattern(image: np.ndarray, face: Face, layer: MakeupLayer) -> np.ndarray:
    """The photo with its face wearing ``layer`` (skin, eyes and lips), (H, W, 3) uint8."""
    analysis = analyse(image, face, layer_size_for(face))
    return apply_layers(image, analysis, wear_layer(layer, analysis.texture, LAYER_GROUPS, {}, light=analysis.light))


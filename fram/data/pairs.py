"""One photo in, one annotated record out: the unit of work of data synthesis.

A bare face is found, checked, unwrapped into UV **once**, measured for skin tone, and
then K sampled looks are fitted to its skin and rendered in one batch
(:func:`fram.makeup.render.render_uv`). The record keeps the before and after UV
textures, the visibility mask, the landmarks (enough to re-project any UV layer into
the photo) and every look's recipe and texts. A face the mesh cannot serve well is
rejected with a named reason instead.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np

from fram.errors import FramError, ImageReadError
from fram.face.colour import ita, lab_from_8bit, rgb_to_lab_8bit
from fram.face.image_io import read_image
from fram.face.landmarks import Face, FaceLandmarker, HeadPose
from fram.face.templates import uv_templates
from fram.face.uv import UVTexture, unwrap
from fram.makeup.compose import skin_tone
from fram.makeup.render import render_uv
from fram.makeup.description import describe

from fram.data.skin import fit_to_skin, ita_category
from fram.data.styles import STYLE_CATEGORIES, list_styles, sample_style

REJECTION_REASONS: tuple[str, ...] = (
    "unreadable", "grayscale", "no_face", "too_small", "extreme_pose", "self_occluded", "occluded",
)
"""Why a photo can be refused, in the order the checks run."""


@dataclass(frozen=True)
class QualityOptions:
    """Which faces the mesh handles well enough to build training data on.

    Attributes:
        min_face_width: landmark box width in photo pixels.
        max_yaw, max_pitch: head rotation limits in degrees.
        min_visible_skin: fraction of the UV skin template the photo shows (the rest is
            turned away from the camera or outside the frame).
        max_occluded: fraction of the visible skin whose colour is far from the face's
            own skin (hair, hands, glasses, masks over the face).
        min_chroma: CIELAB chroma of the photo's most colourful part below which it is
            a black-and-white photo (no skin tone to fit makeup to).
    """

    min_face_width: float = 80.0
    max_yaw: float = 30.0
    max_pitch: float = 25.0
    min_visible_skin: float = 0.65
    max_occluded: float = 0.35
    min_chroma: float = 9.0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class Rejection:
    """A photo that gave no record, and why (one of :data:`REJECTION_REASONS`)."""

    identity: str
    reason: str
    detail: str = ""


@dataclass
class FaceRecord:
    """One accepted face: its UV texture, and (for pairs) its made-up versions.

    Attributes:
        key: archive key (no dots).
        texture: (S, S, 3) uint8 bare face in UV.
        visibility: (S, S) float32 in [0, 1].
        landmarks: (478, 3) float32 in photo pixels.
        meta: JSON-ready annotations (identity, source, skin tone, pose, looks).
        afters: (K, S, S, 3) uint8 made-up textures, one per look in ``meta["looks"]``.
    """

    key: str
    texture: np.ndarray
    visibility: np.ndarray
    landmarks: np.ndarray
    meta: dict[str, Any]
    afters: np.ndarray | None = None

    @property
    def num_pairs(self) -> int:
        return 0 if self.afters is None else int(self.afters.shape[0])

    def to_fields(self) -> dict[str, bytes]:
        """The shard members of this record (``key.<field>``)."""
        fields = {
            "before.png": encode_png(self.texture),
            "vis.png": encode_png((np.clip(self.visibility, 0, 1) * 255 + 0.5).astype(np.uint8)),
        }
        if self.afters is not None:
            for k, after in enumerate(self.afters):
                fields[f"after_{k}.png"] = encode_png(after)
        buffer = io.BytesIO()
        np.save(buffer, self.landmarks.astype(np.float32), allow_pickle=False)
        fields["landmarks.npy"] = buffer.getvalue()
        fields["json"] = json.dumps(self.meta, sort_keys=True).encode("utf-8")
        return fields


def encode_png(image: np.ndarray) -> bytes:
    """uint8 (H, W) or (H, W, 3) RGB → PNG bytes (fast, lossless)."""
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:  # pragma: no cover - cv2 only fails on unsupported arrays
        raise ValueError("PNG encoding failed")
    return data.tobytes()


def decode_png(data: bytes) -> np.ndarray:
    """PNG bytes → uint8 (H, W) or (H, W, 3) RGB."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError("not a PNG image")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB) if image.ndim == 3 else image


def face_from_meta(meta: dict[str, Any], landmarks: np.ndarray) -> Face:
    """The photo's :class:`Face` rebuilt from a record, to re-project UV layers into it.

    Use it with :func:`fram.face.uv.project` (or ``fram.makeup.compose.analyse``) on
    the source photo named by ``meta["source"]``.
    """
    pose = meta["pose"]
    return Face(
        landmarks=np.asarray(landmarks, dtype=np.float32),
        image_size=tuple(meta["image_size"]),
        pose=HeadPose(yaw=pose["yaw"], pitch=pose["pitch"], roll=pose["roll"]),
        transform=np.asarray(meta["transform"], dtype=np.float32),
    )


SKIN_SIZE = 64  # side of the small UV copy that skin tone and occlusion are measured on


def small_texture(tex: UVTexture, size: int = SKIN_SIZE) -> UVTexture:
    """An area-averaged small copy of a UV texture: skin statistics need no more."""
    if tex.size == size:
        return tex
    return UVTexture(
        texture=cv2.resize(tex.texture, (size, size), interpolation=cv2.INTER_AREA),
        visibility=cv2.resize(tex.visibility, (size, size), interpolation=cv2.INTER_AREA),
    )


def _occluded_fraction(small: UVTexture) -> float:
    """Share of the visible skin whose colour is far from the face's median skin."""
    skin = (uv_templates(small.size)["skin"] > 0.9) & (small.visibility > 0.9)
    if skin.sum() < 20:
        return 1.0
    lab = lab_from_8bit(rgb_to_lab_8bit(small.texture)[skin])
    median = np.median(lab, axis=0)
    dist = np.linalg.norm(lab - median, axis=1)
    return float((dist > 28.0).mean())


def _photo_chroma(image: np.ndarray) -> float:
    """The 95th percentile of CIELAB chroma over a small copy of the photo."""
    small = cv2.resize(image, (48, 48), interpolation=cv2.INTER_AREA)
    lab = lab_from_8bit(rgb_to_lab_8bit(small))
    return float(np.percentile(np.hypot(lab[..., 1], lab[..., 2]), 95))


def _visible_skin(tex: UVTexture) -> float:
    skin = uv_templates(tex.size)["skin"] > 0.5
    return float((tex.visibility[skin] > 0.5).mean())


def analyse_photo(
    path: str, identity: str, key: str, landmarker: FaceLandmarker, size: int, quality: QualityOptions
) -> tuple[FaceRecord | None, Rejection | None]:
    """Read, detect, check and unwrap one photo; the record has no looks yet."""
    try:
        image = read_image(path)
    except (ImageReadError, FramError, OSError) as exc:
        return None, Rejection(identity, "unreadable", str(exc))
    chroma = _photo_chroma(image)
    if chroma < quality.min_chroma:
        return None, Rejection(identity, "grayscale", f"chroma {chroma:.1f}")
    result = landmarker.detect(image)
    if not result.faces:
        return None, Rejection(identity, "no_face")
    face = result.faces[0]
    if face.width < quality.min_face_width:
        return None, Rejection(identity, "too_small", f"{face.width:.0f} px")
    if abs(face.pose.yaw) > quality.max_yaw or abs(face.pose.pitch) > quality.max_pitch:
        return None, Rejection(identity, "extreme_pose", f"yaw {face.pose.yaw:.0f}, pitch {face.pose.pitch:.0f}")
    tex = unwrap(image, face, size)
    visible = _visible_skin(tex)
    if visible < quality.min_visible_skin:
        return None, Rejection(identity, "self_occluded", f"{visible:.2f} of the skin visible")
    small = small_texture(tex)
    occluded = _occluded_fraction(small)
    if occluded > quality.max_occluded:
        return None, Rejection(identity, "occluded", f"{occluded:.2f} of the skin off-colour")
    tone = skin_tone(small)
    angle = ita(tone)
    meta = {
        "key": key,
        "identity": identity,
        "source": path,
        "image_size": list(face.image_size),
        "face_width": round(face.width, 1),
        "pose": {"yaw": round(face.pose.yaw, 2), "pitch": round(face.pose.pitch, 2), "roll": round(face.pose.roll, 2)},
        "transform": np.round(face.transform.astype(np.float64), 6).tolist(),
        "skin_lab": [round(float(v), 2) for v in tone],
        "ita": round(angle, 2),
        "ita_category": ita_category(angle),
        "visible_skin": round(visible, 3),
        "occluded": round(occluded, 3),
    }
    return FaceRecord(key=key, texture=tex.texture, visibility=tex.visibility, landmarks=face.landmarks, meta=meta), None


def choose_styles(rng: np.random.Generator, k: int) -> list[str]:
    """``k`` different style ids, uniformly."""
    ids = list_styles()
    if not 1 <= k <= len(ids):
        raise ValueError(f"per-face looks must be in 1..{len(ids)}, got {k}")
    return [ids[i] for i in rng.choice(len(ids), size=k, replace=False)]


def add_looks(record: FaceRecord, k: int, rng: np.random.Generator) -> FaceRecord:
    """Sample ``k`` looks, fit them to the face's skin, render them in one batch."""
    tone = np.asarray(record.meta["skin_lab"])
    looks, styles = [], []
    for style_id in choose_styles(rng, k):
        recipe = fit_to_skin(sample_style(style_id, rng), tone)
        text = describe(recipe, seed=int(rng.integers(2**31)))
        styles.append(recipe)
        looks.append(
            {
                "style": style_id,
                "category": STYLE_CATEGORIES[style_id],
                "recipe": recipe.to_dict(),
                "text": text.overall,
                "region_text": text.regions,
            }
        )
    x = np.repeat(record.texture.transpose(2, 0, 1)[None].astype(np.float32) / np.float32(255.0), k, axis=0)
    vis = np.repeat(np.asarray(record.visibility, np.float32)[None, None], k, axis=0)
    out = render_uv(x, vis, styles).texture
    afters = (out.transpose(0, 2, 3, 1) * 255.0 + 0.5).clip(0, 255).astype(np.uint8)
    record.afters = afters
    record.meta["looks"] = looks
    return record


def face_rng(seed: int, index: int) -> np.random.Generator:
    """The random stream of one face of a job: depends on nothing but (seed, index)."""
    return np.random.default_rng([int(seed), int(index)])

"""Learn the bare-face prior (:mod:`fram.makeup.bare_prior`) from bare training faces.

    python -m fram.train.bare_prior --out fram/weights/bare_prior

Every face is unwrapped into UV, its smooth skin fit is taken away
(:func:`fram.makeup.decompose.smooth_skin_fit`) and what is left is gathered per
texel: the median departure (L* relative to the fit's lightness, a* and b* absolute)
and its robust colour covariance (ΔE² units). Faces are men of
SCUT-FBP5500 and UTKFace and the bare folders of the makeup photo sets, training
split only (:func:`fram.data.sources.split_of`), so eval's held-out faces stay unseen.
A few minutes on two cores; it simply starts over when killed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from fram.errors import FramError
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.uv import unwrap
from fram.makeup.bare_prior import LIGHTNESS_SCALE, PRIOR_SIZE, BarePrior, save_bare_prior
from fram.makeup.decompose import SEEN, smooth_skin_fit, texture_lab

DEFAULT_SPECS = (
    "faces/scut-fbp5500/[AC]M*.jpg", "faces/utkface/*_0_*.jpg", "makeup-photos/non-makeup", "makeup-photos-extra/bare",
)
MIN_FACE = 100
INLIERS = 0.8
MIN_FACES = 10
UNSEEN_SPREAD = 6.0
"""ΔE: texels too few faces saw (the far edge of the UV layout) vary this much."""


def departures(paths: list[str], size: int, log=print) -> tuple[np.ndarray, np.ndarray]:
    """(N, S, S, 3) float16 departures from the skin fit and (N, S, S) bool seen masks."""
    offsets, seen_masks = [], []
    for k, path in enumerate(paths):
        try:
            image = read_image(path)
            face = detect_face(image)
        except FramError:
            continue
        if face.width < MIN_FACE:
            continue
        tex = unwrap(image, face, size)
        fit, _ = smooth_skin_fit(tex.texture, tex.visibility, tex.normals)
        lab = texture_lab(tex.texture)
        d = lab - fit
        d[..., 0] = d[..., 0] / (fit[..., 0] + 16.0)
        offsets.append(d.astype(np.float16))
        seen_masks.append(tex.visibility > SEEN)
        if (k + 1) % 100 == 0:
            log(f"{k + 1}/{len(paths)} photos, {len(offsets)} faces")
    return np.stack(offsets), np.stack(seen_masks)


def fit_prior(offsets: np.ndarray, seen: np.ndarray) -> BarePrior:
    """Per-texel median and robust covariance over the faces that saw each texel.

    The covariance is taken over the :data:`INLIERS` share of faces nearest the median
    (a made-up or mis-fitted face among the bare ones must not widen it) and scaled
    back up by the share a Gaussian loses to that trimming.
    """
    from scipy import stats

    data = np.where(seen[..., None], offsets.astype(np.float32), np.nan)
    data[..., 0] *= LIGHTNESS_SCALE
    median = np.nan_to_num(np.nanmedian(data, axis=0))
    departure = data - median
    radius = np.linalg.norm(departure, axis=-1)
    keep = seen & (radius <= np.nanquantile(radius, INLIERS, axis=0))
    kept = np.where(keep[..., None], departure, 0.0).astype(np.float32)
    count = np.maximum(keep.sum(axis=0), 1)[..., None, None]
    covariance = np.einsum("nhwi,nhwj->hwij", kept, kept) / count
    cut = stats.chi2.ppf(INLIERS, 3)
    covariance *= 3.0 / stats.chi2.expect(lambda v: v, args=(3,), lb=0, ub=cut, conditional=True)
    unseen = seen.sum(axis=0) < MIN_FACES
    covariance[unseen] = np.eye(3) * UNSEEN_SPREAD**2
    median[..., 0] /= LIGHTNESS_SCALE
    return BarePrior(offset=median.astype(np.float32), covariance=covariance.astype(np.float32))


def main(argv: list[str] | None = None) -> int:
    from fram.data.sources import list_faces, split_of

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2].parent / "shared" / "data")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=900, help="at most this many photos")
    args = ap.parse_args(argv)
    specs = [str(args.data / s) if "*" in s else str(args.data / s) for s in DEFAULT_SPECS]
    faces = [f for f in list_faces(specs) if split_of(f.identity) == "train"]
    faces = sorted(faces, key=lambda f: f.identity)[:: max(1, len(faces) // args.limit)][: args.limit]
    if not faces:
        print(f"no bare faces under {args.data}", file=sys.stderr)
        return 2
    offsets, seen = departures([f.path for f in faces], PRIOR_SIZE)
    print(f"{len(offsets)} faces")
    args.out.mkdir(parents=True, exist_ok=True)
    save_bare_prior(fit_prior(offsets, seen), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

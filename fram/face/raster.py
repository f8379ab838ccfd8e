"""Vectorised triangle rasterisation with a depth test.

Both directions between a photo and the UV texture space need, for every pixel of a
grid, which mesh triangle covers it and where inside that triangle it lies. Doing
that with one ``fillPoly`` per triangle would be a Python loop over 898 triangles;
instead every triangle's bounding-box pixels are enumerated at once in numpy and
resolved with a per-pixel depth minimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Raster:
    """Per-pixel coverage of a triangle mesh on an (H, W) grid.

    Attributes:
        triangle: (H, W) int32 index of the front-most triangle, -1 where uncovered.
        bary: (H, W, 3) float32 barycentric weights of the pixel centre in that triangle.
        depth: (H, W) float32 interpolated depth, +inf where uncovered.
    """

    triangle: np.ndarray
    bary: np.ndarray
    depth: np.ndarray

    @property
    def covered(self) -> np.ndarray:
        return self.triangle >= 0

    def interpolate(self, attributes: np.ndarray, triangles: np.ndarray) -> np.ndarray:
        """Interpolate per-vertex ``attributes`` (V, C) at every pixel; 0 where uncovered."""
        height, width = self.triangle.shape
        out = self.interpolation_matrix(len(attributes), triangles) @ attributes.astype(np.float32)
        return out.reshape(height, width, -1)

    def interpolation_matrix(self, num_vertices: int, triangles: np.ndarray) -> sparse.csr_matrix:
        """The (H*W, V) sparse matrix that maps vertex attributes to pixels.

        Three non-zeros a row; reusing it turns every per-pixel interpolation of a
        fixed raster (the UV raster) into one sparse product.
        """
        pixels = self.triangle.size
        tri = np.maximum(self.triangle.reshape(-1), 0)
        weights = self.bary.reshape(-1, 3) * self.covered.reshape(-1, 1)
        return sparse.csr_matrix(
            (weights.reshape(-1), triangles[tri].reshape(-1), np.arange(0, 3 * pixels + 1, 3)),
            shape=(pixels, num_vertices),
        )


def rasterize(xy: np.ndarray, depth: np.ndarray, triangles: np.ndarray, shape: tuple[int, int]) -> Raster:
    """Rasterise triangles given in pixel coordinates (pixel centres at integers).

    Args:
        xy: (V, 2) vertex positions, x = column, y = row.
        depth: (V,) vertex depths; smaller is nearer and wins.
        triangles: (T, 3) vertex indices.
        shape: (H, W) of the grid.
    """
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"xy must be (V, 2), got {xy.shape}")
    if triangles.ndim != 2 or triangles.shape[1] != 3:
        raise ValueError(f"triangles must be (T, 3), got {triangles.shape}")
    height, width = shape
    pts = xy[triangles].astype(np.float64)  # (T, 3, 2)
    x0, y0 = pts[:, 0, 0], pts[:, 0, 1]
    x1, y1 = pts[:, 1, 0], pts[:, 1, 1]
    x2, y2 = pts[:, 2, 0], pts[:, 2, 1]
    area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
    valid = np.abs(area) > 1e-12
    inv = np.where(valid, 1.0 / np.where(valid, area, 1.0), 0.0)
    # Barycentric weights are affine in (x, y): l = a*x + b*y + c, per triangle.
    a1, b1 = (y2 - y0) * inv, -(x2 - x0) * inv
    c1 = -(a1 * x0 + b1 * y0)
    a2, b2 = -(y1 - y0) * inv, (x1 - x0) * inv
    c2 = -(a2 * x0 + b2 * y0)
    coeffs = np.stack([a1, b1, c1, a2, b2, c2], axis=1).astype(np.float32)

    xmin = np.clip(np.ceil(np.minimum(np.minimum(x0, x1), x2)), 0, width).astype(np.int64)
    xmax = np.clip(np.floor(np.maximum(np.maximum(x0, x1), x2)), -1, width - 1).astype(np.int64)
    ymin = np.clip(np.ceil(np.minimum(np.minimum(y0, y1), y2)), 0, height).astype(np.int64)
    ymax = np.clip(np.floor(np.maximum(np.maximum(y0, y1), y2)), -1, height - 1).astype(np.int64)
    box_w = np.maximum(xmax - xmin + 1, 0)
    counts = np.where(valid, box_w * np.maximum(ymax - ymin + 1, 0), 0)

    # Per-triangle values are spread over its pixels with np.repeat (a contiguous
    # copy), several times faster than indexing them with the pixels' triangle ids.
    tri = np.repeat(np.arange(len(triangles), dtype=np.int32), counts)
    local = np.arange(tri.size, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    bw = np.repeat(box_w, counts)
    px = (np.repeat(xmin, counts) + local % bw).astype(np.float32)
    py = (np.repeat(ymin, counts) + local // bw).astype(np.float32)
    k = np.repeat(coeffs, counts, axis=0)
    l1 = k[:, 0] * px + k[:, 1] * py + k[:, 2]
    l2 = k[:, 3] * px + k[:, 4] * py + k[:, 5]
    l0 = 1.0 - l1 - l2
    eps = -1e-5
    inside = (l0 >= eps) & (l1 >= eps) & (l2 >= eps)
    tri = tri[inside]
    l0, l1, l2 = l0[inside], l1[inside], l2[inside]
    flat = py[inside].astype(np.int64) * width + px[inside].astype(np.int64)
    corner_depth = depth.astype(np.float32)[triangles][tri]
    z = l0 * corner_depth[:, 0] + l1 * corner_depth[:, 1] + l2 * corner_depth[:, 2]

    zbuf = np.full(height * width, np.inf, dtype=np.float32)
    np.minimum.at(zbuf, flat, z)
    win = z <= zbuf[flat]
    flat = flat[win]
    tri_buf = np.full(height * width, -1, dtype=np.int32)
    bary_buf = np.zeros((height * width, 3), dtype=np.float32)
    tri_buf[flat] = tri[win]
    for k, weight in enumerate((l0, l1, l2)):
        bary_buf[flat, k] = weight[win]
    return Raster(
        triangle=tri_buf.reshape(height, width),
        bary=bary_buf.reshape(height, width, 3),
        depth=zbuf.reshape(height, width),
    )

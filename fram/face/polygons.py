"""Polygons in pixel space: sub-pixel fills, offsets along normals, distances to edges.

Points follow OpenCV's pixel convention (pixel centres at integers), as (N, 2) x, y.
"""

from __future__ import annotations

import cv2
import numpy as np

# Polygons are rasterised on a grid this many times finer than the pixels (see fill_polygons).
_SUPERSAMPLE = 4


def fill_polygons(points: list[np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """Polygon coverage (the fraction of each pixel inside) as a float mask.

    Points follow OpenCV's pixel convention (pixel centres at integers). OpenCV's
    anti-aliased fill grows shapes by over half a pixel, a large error on features a
    dozen pixels tall (lids, brows), so polygons are drawn hard on a finer grid over their
    bounding box and area-averaged down; the hard fill's inclusive edges leave a bias of
    an eighth of a pixel.
    """
    out = np.zeros(shape, np.float32)
    corners = np.concatenate(points)
    x0, y0 = np.maximum(np.floor(corners.min(axis=0)).astype(int) - 1, 0)
    x1 = min(shape[1], int(np.ceil(corners[:, 0].max())) + 2)
    y1 = min(shape[0], int(np.ceil(corners[:, 1].max())) + 2)
    if x1 <= x0 or y1 <= y0:
        return out
    k = _SUPERSAMPLE
    canvas = np.zeros(((y1 - y0) * k, (x1 - x0) * k), np.uint8)
    fine = [np.round(((p - (x0, y0) + 0.5) * k - 0.5) * 16).astype(np.int32) for p in points]
    cv2.fillPoly(canvas, fine, 255, lineType=cv2.LINE_8, shift=4)
    out[y0:y1, x0:x1] = cv2.resize(canvas, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    return out


def ellipse_mask(center: np.ndarray, axes: tuple[float, float], angle: float, shape: tuple[int, int]) -> np.ndarray:
    """An anti-aliased filled ellipse (sub-pixel centre and axes) as a float mask."""
    canvas = np.zeros(shape, np.uint8)
    cv2.ellipse(
        canvas, (int(round(center[0] * 16)), int(round(center[1] * 16))),
        (int(round(axes[0] * 16)), int(round(axes[1] * 16))), angle, 0, 360, 255, -1, cv2.LINE_AA, 4,
    )
    return canvas.astype(np.float32) / 255.0


def outward_normals(polygon: np.ndarray) -> np.ndarray:
    """(N, 2) unit normals at the vertices of a simple closed polygon, pointing outward.

    (t_y, -t_x) lies right of the tangent t, which is outside when the polygon runs
    clockwise on screen (positive shoelace area with y pointing down).
    """
    after, before = np.roll(polygon, -1, axis=0), np.roll(polygon, 1, axis=0)
    tangent = after - before
    normal = np.stack([tangent[:, 1], -tangent[:, 0]], axis=1)
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-9)
    clockwise = np.sum(polygon[:, 0] * after[:, 1] - after[:, 0] * polygon[:, 1]) > 0
    return normal if clockwise else -normal


def offset_polygon(polygon: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Move each vertex of a closed polygon along its outward normal by ``offsets`` px."""
    return polygon + outward_normals(polygon) * np.asarray(offsets, np.float64)[:, None]


def bounding_box(polygons: list[np.ndarray], shape: tuple[int, int], pad: float) -> tuple[slice, slice]:
    """(rows, cols) of the polygons' bounding box grown by ``pad`` px, clipped to ``shape``."""
    corners = np.concatenate(polygons)
    x0, y0 = np.maximum(np.floor(corners.min(axis=0) - pad).astype(int), 0)
    x1, y1 = np.ceil(corners.max(axis=0) + pad).astype(int) + 1
    return slice(y0, min(int(y1), shape[0])), slice(x0, min(int(x1), shape[1]))


def signed_distance(coverage: np.ndarray) -> np.ndarray:
    """Signed distance (px) to the edge of a coverage mask: > 0 inside, sub-pixel at the edge."""
    inside = coverage > 0.5
    to_out = cv2.distanceTransform(inside.astype(np.uint8), cv2.DIST_L2, 3)
    to_in = cv2.distanceTransform((~inside).astype(np.uint8), cv2.DIST_L2, 3)
    distance = np.where(inside, to_out - 0.5, 0.5 - to_in)
    edge = (coverage > 0) & (coverage < 1)
    distance[edge] = coverage[edge] - 0.5
    return distance.astype(np.float32)

"""The canonical UV texture space: unwrap a photo into it, project layers out of it.

A UV texture is a square image in which every face, whatever its pose or framing,
has its lips, lids, brows and cheeks at the same pixels (``design.md``). Both
directions are a per-pixel lookup table plus one ``cv2.remap``:

* ``unwrap``: for every UV pixel, the photo position it comes from. The UV raster is
  a constant of the mesh (cached per size); only the vertex positions change.
* ``project``: for every photo pixel of the face, the UV position it shows. The mesh
  is rasterised in the photo on a working grid of at most ``WORK_SIDE`` pixels and the
  (piecewise-linear) UV field is resized to native resolution, so a 24-megapixel
  photo costs about the same as a small one.

Coordinates: pixel centres are at integers (OpenCV's ``remap`` convention); UV is in
[0, 1] with v downward, and UV pixel (i, j) of a texture of side S is centred at
((j + 0.5) / S, (i + 0.5) / S).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from fram.face.landmarks import NUM_MESH_VERTICES, Face
from fram.face.mesh import CanonicalMesh, canonical_mesh
from fram.face.raster import Raster, rasterize

DEFAULT_UV_SIZE = 256
WORK_SIDE = 192
# A UV pixel counts as self-occluded when it lies deeper than the visible surface at its
# photo position by more than this fraction of the face width.
OCCLUSION_TOLERANCE = 0.04
# Surfaces seen at grazing angles carry smeared colour; visibility fades to 0 as the
# cosine between the surface normal and the view direction drops below this value.
GRAZING_COSINE = 0.25


@dataclass(frozen=True)
class UVTexture:
    """A face unwrapped into UV space.

    Attributes:
        texture: (S, S, 3) uint8 RGB.
        visibility: (S, S) float32 in [0, 1]; 0 where the mesh is self-occluded, seen
            edge-on or outside the photo, or where the mesh does not reach.
        normals: (S, S, 3) float32 unit surface normals in photo axes (x right, y down,
            +z toward the camera), 0 outside the mesh; None when the texture did not come
            from a photo. They tell the light falling across the face from its colours.
    """

    texture: np.ndarray
    visibility: np.ndarray
    normals: np.ndarray | None = None

    @property
    def size(self) -> int:
        return int(self.texture.shape[0])


@dataclass(frozen=True)
class FaceProjection:
    """Where each photo pixel of a face lands in UV space, over the face's bounding box.

    Attributes:
        origin: (row, column) of the box's top-left pixel in the photo.
        uv: (h, w, 2) float32 UV coordinates of each box pixel.
        coverage: (h, w) float32 in [0, 1]; how much of the pixel the face mesh covers.
        image_size: (height, width) of the photo.
        work: the coarse photo-space raster it was made from (reused for visibility).
    """

    origin: tuple[int, int]
    uv: np.ndarray
    coverage: np.ndarray
    image_size: tuple[int, int]
    work: "_WorkRaster"

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.uv.shape[0]), int(self.uv.shape[1])

    @property
    def slices(self) -> tuple[slice, slice]:
        """Index the photo with these to get the box."""
        r, c = self.origin
        h, w = self.shape
        return slice(r, r + h), slice(c, c + w)

    def crop(self, rows: slice, cols: slice) -> "FaceProjection":
        """The part of the box at ``rows``, ``cols`` (box coordinates) as a projection of
        its own, so work that only matters there (compositing) can skip the rest."""
        r, c = self.origin
        return FaceProjection(
            origin=(r + rows.start, c + cols.start), uv=self.uv[rows, cols], coverage=self.coverage[rows, cols],
            image_size=self.image_size, work=self.work,
        )


@dataclass(frozen=True)
class ImageLayer:
    """A UV layer projected onto a photo: data over the face box, zero elsewhere.

    Attributes:
        data: (h, w, C) float32 over the box ``projection.slices``.
        projection: the geometry it was projected with.
    """

    data: np.ndarray
    projection: FaceProjection

    def full(self) -> np.ndarray:
        """The layer as a full (H, W, C) array (zeros outside the face box)."""
        height, width = self.projection.image_size
        out = np.zeros((height, width, self.data.shape[2]), dtype=np.float32)
        out[self.projection.slices] = self.data
        return out


@functools.lru_cache(maxsize=8)
def uv_raster(size: int = DEFAULT_UV_SIZE) -> Raster:
    """Which mesh triangle covers each pixel of an S×S UV texture (a mesh constant)."""
    mesh = canonical_mesh()
    return rasterize(mesh.uv * size - 0.5, np.zeros(mesh.num_vertices), mesh.triangles, (size, size))


@functools.lru_cache(maxsize=8)
def _uv_interpolation(size: int):
    mesh = canonical_mesh()
    return uv_raster(size).interpolation_matrix(mesh.num_vertices, mesh.triangles)


def uv_interpolate(attributes: np.ndarray, size: int = DEFAULT_UV_SIZE) -> np.ndarray:
    """Per-vertex attributes (468, C) interpolated over the S×S UV texture → (S, S, C)."""
    return (_uv_interpolation(size) @ attributes.astype(np.float32)).reshape(size, size, -1)


def _vertex_normals(points: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    p = points[triangles]
    face_n = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    # Sum each vertex's triangle normals: bincount is far faster than np.add.at.
    corners = triangles.T.reshape(-1)
    normals = np.stack(
        [np.bincount(corners, weights=np.tile(face_n[:, k], 3), minlength=len(points)) for k in range(3)], axis=1
    )
    return normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-9)


def _mesh_points(face: Face) -> np.ndarray:
    return face.landmarks[:NUM_MESH_VERTICES].astype(np.float64)


def _face_box(points: np.ndarray, image_size: tuple[int, int], margin: float = 0.12) -> tuple[int, int, int, int]:
    """The mesh's bounding box grown by ``margin`` of its size (room for the forehead
    above the mesh and for soft edges), clipped to the photo."""
    height, width = image_size
    pad = 2 + margin * float(np.ptp(points[:, :2], axis=0).max())
    x0 = int(np.clip(np.floor(points[:, 0].min() - pad), 0, width - 1))
    y0 = int(np.clip(np.floor(points[:, 1].min() - 2 * pad), 0, height - 1))
    x1 = int(np.clip(np.ceil(points[:, 0].max() + pad), x0, width - 1))
    y1 = int(np.clip(np.ceil(points[:, 1].max() + pad), y0, height - 1))
    return y0, x0, y1 - y0 + 1, x1 - x0 + 1


@dataclass(frozen=True)
class _WorkRaster:
    raster: Raster
    box: tuple[int, int, int, int]  # row, col, height, width (native)
    scale: float  # work px per native px


def _work_raster(face: Face, mesh: CanonicalMesh) -> _WorkRaster:
    points = _mesh_points(face)
    row, col, h, w = _face_box(points, face.image_size)
    scale = min(1.0, WORK_SIDE / max(h, w))
    work_h, work_w = max(1, round(h * scale)), max(1, round(w * scale))
    xy = (points[:, :2] - (col, row) + 0.5) * scale - 0.5
    raster = rasterize(xy, points[:, 2], mesh.triangles, (work_h, work_w))
    return _WorkRaster(raster=raster, box=(row, col, h, w), scale=scale)


def _extend(field: np.ndarray, covered: np.ndarray, steps: int = 2) -> np.ndarray:
    """Extend a field a few pixels past the mesh edge, so resizing does not pull it to 0.

    Each step fills the uncovered pixels next to covered ones with the mean of their
    covered neighbours. ``field`` is 0 where uncovered (as ``Raster.interpolate``
    leaves it); ``out`` stays 0 wherever ``weight`` is, so blurring it is blurring
    ``out * weight``, and the few pixels filled are addressed by index.
    """
    weight = covered.astype(np.float32)
    out = field * weight[..., None]
    for _ in range(steps):
        num = cv2.blur(out, (3, 3))
        den = cv2.blur(weight, (3, 3))
        rows, cols = np.nonzero((den > 0) & (weight == 0))
        out[rows, cols] = num[rows, cols] / den[rows, cols, None]
        weight[rows, cols] = 1.0
    return out


def face_projection(face: Face) -> FaceProjection:
    """The photo→UV lookup for one face at native resolution."""
    mesh = canonical_mesh()
    work = _work_raster(face, mesh)
    covered = work.raster.covered
    uv = _extend(work.raster.interpolate(mesh.uv, mesh.triangles), covered)
    coverage = covered.astype(np.float32)
    row, col, h, w = work.box
    if work.scale < 1.0:
        uv = cv2.resize(uv, (w, h), interpolation=cv2.INTER_LINEAR)
        coverage = cv2.resize(coverage, (w, h), interpolation=cv2.INTER_LINEAR)
    return FaceProjection(origin=(row, col), uv=uv, coverage=coverage, image_size=face.image_size, work=work)


def _remap(layer: np.ndarray, map_x: np.ndarray, map_y: np.ndarray, interpolation: int) -> np.ndarray:
    """cv2.remap for any channel count (OpenCV handles at most 4 at a time)."""
    if layer.ndim == 2:
        layer = layer[..., None]
    chunks = [
        cv2.remap(layer[..., k : k + 4], map_x, map_y, interpolation, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        for k in range(0, layer.shape[2], 4)
    ]
    chunks = [c[..., None] if c.ndim == 2 else c for c in chunks]
    return np.concatenate(chunks, axis=2)


def project(layer: np.ndarray, face: Face, projection: FaceProjection | None = None) -> ImageLayer:
    """Project a UV layer (S, S[, C]) onto the photo of ``face`` at native resolution.

    The result is weighted by mesh coverage, so it fades to zero at the face outline.
    Pass a precomputed ``projection`` to project several layers of one face cheaply.
    """
    if layer.ndim not in (2, 3) or layer.shape[0] != layer.shape[1]:
        raise ValueError(f"layer must be (S, S) or (S, S, C), got {layer.shape}")
    projection = projection or face_projection(face)
    size = layer.shape[0]
    maps = projection.uv * size - 0.5
    data = _remap(layer.astype(np.float32, copy=False), maps[..., 0], maps[..., 1], cv2.INTER_LINEAR)
    data *= projection.coverage[..., None]  # in place: a fresh array, and box-sized allocations cost page faults
    return ImageLayer(data=data, projection=projection)


def unwrap(
    image: np.ndarray, face: Face, size: int = DEFAULT_UV_SIZE, projection: FaceProjection | None = None
) -> UVTexture:
    """Unwrap the face of an RGB photo into an S×S UV texture and its visibility.

    Pass the face's ``projection`` when you have it, to reuse its depth raster.
    """
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be (H, W, 3), got {image.shape}")
    if tuple(image.shape[:2]) != tuple(face.image_size):
        raise ValueError(f"image is {image.shape[:2]} but the face was found in {face.image_size}")
    pos = uv_interpolate(_mesh_points(face), size)  # (S, S, 3): x, y, z in photo px
    texture = _sample(image, face, pos)
    covered = uv_raster(size).covered
    texture *= covered[..., None]
    mesh = canonical_mesh()
    work = projection.work if projection is not None else _work_raster(face, mesh)
    visibility, normals = _visibility(face, mesh, work, pos, covered)
    return UVTexture(texture=texture, visibility=visibility, normals=normals)


def unwrap_plane(plane: np.ndarray, face: Face, size: int = DEFAULT_UV_SIZE) -> np.ndarray:
    """(S, S) float32: a photo-sized mask or map of ``face``'s photo carried into UV,
    without :func:`unwrap`'s visibility (0 outside the mesh)."""
    if tuple(plane.shape[:2]) != tuple(face.image_size):
        raise ValueError(f"plane is {plane.shape[:2]} but the face was found in {face.image_size}")
    sampled = _sample(np.asarray(plane, np.float32), face, uv_interpolate(_mesh_points(face), size))
    return (sampled * uv_raster(size).covered).astype(np.float32)


def _sample(image: np.ndarray, face: Face, pos: np.ndarray) -> np.ndarray:
    """``image`` read at the photo positions ``pos`` (S, S, 2+) of the UV texels."""
    # Pre-shrink large faces so the remap samples a band-limited image (no aliasing).
    size = pos.shape[0]
    row, col, h, w = _face_box(_mesh_points(face), face.image_size, margin=0.0)
    shrink = min(1.0, 2.0 * size / max(h, w))
    crop = image[row : row + h, col : col + w]
    if shrink < 1.0:
        crop = cv2.resize(crop, (max(1, round(w * shrink)), max(1, round(h * shrink))), interpolation=cv2.INTER_AREA)
    map_x = ((pos[..., 0] - col + 0.5) * shrink - 0.5).astype(np.float32)
    map_y = ((pos[..., 1] - row + 0.5) * shrink - 0.5).astype(np.float32)
    return cv2.remap(crop, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _visibility(face: Face, mesh: CanonicalMesh, work: _WorkRaster, pos: np.ndarray,
                covered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Visibility (see :class:`UVTexture`) and the unit normals it was weighed by."""
    height, width = face.image_size
    inside = (pos[..., 0] >= 0) & (pos[..., 0] <= width - 1) & (pos[..., 1] >= 0) & (pos[..., 1] <= height - 1)
    row, col, _, _ = work.box
    # Lenient where the visible surface itself is steep within a work pixel (silhouettes).
    kernel = np.ones((3, 3), np.uint8)
    depth = np.where(work.raster.covered, work.raster.depth, np.float32(1e9))
    zmin = cv2.erode(depth, kernel)
    zspread = np.where(zmin < 1e8, cv2.dilate(np.where(work.raster.covered, depth, -np.float32(1e9)), kernel) - zmin, 0.0)
    wx = np.clip(np.round((pos[..., 0] - col + 0.5) * work.scale - 0.5), 0, zmin.shape[1] - 1).astype(np.int64)
    wy = np.clip(np.round((pos[..., 1] - row + 0.5) * work.scale - 0.5), 0, zmin.shape[0] - 1).astype(np.int64)
    tolerance = OCCLUSION_TOLERANCE * face.width
    # One gather from the small work grid, not two.
    unoccluded = pos[..., 2] <= (zmin + zspread).ravel()[wy * zmin.shape[1] + wx] + tolerance

    points = _mesh_points(face)
    normals = _vertex_normals(points, mesh.triangles)
    # UV triangles wind one way; in the photo (y down, depth away from the camera) the
    # cross product of a camera-facing triangle then points toward the camera (-z).
    normal_map = uv_interpolate(normals * np.array([1.0, 1.0, -1.0]), pos.shape[0])
    weight = np.clip(normal_map[..., 2] / GRAZING_COSINE, 0.0, 1.0)
    length = np.linalg.norm(normal_map, axis=-1, keepdims=True)
    normal_map = np.where(covered[..., None], normal_map / np.maximum(length, 1e-6), 0.0).astype(np.float32)

    visibility = (covered & inside & unoccluded).astype(np.float32) * weight
    return visibility.astype(np.float32), normal_map


GEOMETRY_CHANNELS = 4


def mirror_fill(texture: UVTexture, visible: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Fill what a face hides (turned head, hair, hand) from its mirrored half.

    The canonical UV layout is left-right symmetric about u = 0.5, so a hidden cheek
    or eye is replaced by the visible one. Returns the filled texture and visibility.
    """
    tex, vis = texture.texture, texture.visibility
    mirrored_tex, mirrored_vis = tex[:, ::-1], vis[:, ::-1]
    use = _mirrored(vis, visible)
    filled = np.where(use[..., None], mirrored_tex, tex)
    return filled, np.maximum(vis, np.where(use, mirrored_vis, 0)).astype(np.float32)


def _mirrored(visibility: np.ndarray, visible: float) -> np.ndarray:
    """Texels :func:`mirror_fill` takes from the other half of the face."""
    return (visibility < visible) & (visibility[:, ::-1] >= visible)


def mirror_fill_normals(texture: UVTexture, visible: float = 0.5) -> np.ndarray | None:
    """The normals under :func:`mirror_fill`'s texture: a texel taken from the other
    half carries that half's light, so it gets that half's normal, reflected back."""
    if texture.normals is None:
        return None
    mirrored = texture.normals[:, ::-1] * np.array([-1.0, 1.0, 1.0], np.float32)
    return np.where(_mirrored(texture.visibility, visible)[..., None], mirrored, texture.normals).astype(np.float32)


def geometry_maps(landmarks: np.ndarray, size: int = DEFAULT_UV_SIZE) -> np.ndarray:
    """The face's 3D shape drawn into UV: (S, S, 4) float32 = unit normal (x, y, z) and depth.

    Stage 2's identity branch sees these beside the texture, so it knows the face's
    relief (nose bridge, cheekbones, lid folds) and pose, not only its colours.
    Normals are in camera axes with +z toward the camera; depth is relative to the
    face's mean depth in face widths (positive = nearer), 0 outside the mesh.
    Both are scale-free, so the same face photographed large or small gives the
    same maps.
    """
    points = np.asarray(landmarks, dtype=np.float64)[:NUM_MESH_VERTICES]
    if points.shape != (NUM_MESH_VERTICES, 3):
        raise ValueError(f"landmarks must be ({NUM_MESH_VERTICES}+, 3), got {np.shape(landmarks)}")
    mesh = canonical_mesh()
    normals = _vertex_normals(points, mesh.triangles)
    normals[:, 2] *= -1.0  # camera-facing triangles point to -z in photo axes (see _visibility)
    width = max(float(np.ptp(points[:, 0])), 1e-6)
    depth = (points[:, 2].mean() - points[:, 2]) / width
    maps = uv_interpolate(np.concatenate([normals, depth[:, None]], axis=1), size)
    length = np.linalg.norm(maps[..., :3], axis=-1, keepdims=True)
    maps[..., :3] = np.where(length > 1e-6, maps[..., :3] / np.maximum(length, 1e-6), 0.0)
    maps[~uv_raster(size).covered] = 0.0
    return maps.astype(np.float32)

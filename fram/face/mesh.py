"""The canonical face mesh: 468 vertices with UV coordinates and 898 triangles.

The mesh is decoded at run time from the geometry metadata inside the landmarker's
``.task`` bundle rather than copied into the source, so fram always agrees with the
landmark model it runs. Current mediapipe wheels do not ship the generated protobuf
classes for that message, and the message is tiny, so it is read straight from the
protobuf wire format.
"""

from __future__ import annotations

import functools
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fram.errors import ModelNotFoundError
from fram.face.model_file import ENV_VAR, landmarker_path

GEOMETRY_ENTRY = "geometry_pipeline_metadata_landmarks.binarypb"

# Field numbers of mediapipe's geometry_pipeline_metadata.proto / mesh_3d.proto.
_METADATA_CANONICAL_MESH = 1
_MESH_VERTEX_BUFFER = 3
_MESH_INDEX_BUFFER = 4
_VERTEX_STRIDE = 5  # x, y, z (cm), u, v


@dataclass(frozen=True)
class CanonicalMesh:
    """The canonical mesh in the landmarker's vertex order.

    Attributes:
        vertices: (468, 3) float32, canonical 3D positions in cm (y up).
        uv: (468, 2) float32 in [0, 1]; u to the image's right, v downward, so a
            UV texture is an upright frontal face (forehead at the top).
        triangles: (898, 3) int32 vertex indices.
    """

    vertices: np.ndarray
    uv: np.ndarray
    triangles: np.ndarray

    @property
    def num_vertices(self) -> int:
        return int(self.vertices.shape[0])


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def _fields(buf: bytes) -> list[tuple[int, int, int | bytes]]:
    """Split one protobuf message into (field number, wire type, value) triples."""
    out: list[tuple[int, int, int | bytes]] = []
    pos = 0
    while pos < len(buf):
        key, pos = _read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(buf, pos)
        elif wire == 2:
            length, pos = _read_varint(buf, pos)
            value = buf[pos : pos + length]
            pos += length
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        out.append((number, wire, value))
    return out


def _packed_uint32(chunks: list[int | bytes]) -> np.ndarray:
    values: list[int] = []
    for chunk in chunks:
        if isinstance(chunk, int):
            values.append(chunk)
            continue
        pos = 0
        while pos < len(chunk):
            value, pos = _read_varint(chunk, pos)
            values.append(value)
    return np.asarray(values, dtype=np.int32)


def _packed_float(chunks: list[int | bytes]) -> np.ndarray:
    raw = b"".join(c for c in chunks if isinstance(c, bytes))
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def decode_geometry_metadata(payload: bytes) -> CanonicalMesh:
    """Decode a serialized ``GeometryPipelineMetadata`` into a :class:`CanonicalMesh`."""
    mesh_bytes = [v for n, w, v in _fields(payload) if n == _METADATA_CANONICAL_MESH and w == 2]
    if not mesh_bytes:
        raise ValueError("geometry metadata has no canonical mesh")
    mesh_fields = _fields(bytes(mesh_bytes[0]))  # type: ignore[arg-type]
    vertex_chunks = [v for n, _, v in mesh_fields if n == _MESH_VERTEX_BUFFER]
    index_chunks = [v for n, _, v in mesh_fields if n == _MESH_INDEX_BUFFER]
    flat = _packed_float(vertex_chunks)
    if flat.size % _VERTEX_STRIDE:
        raise ValueError(f"vertex buffer of {flat.size} floats is not a multiple of 5")
    verts = flat.reshape(-1, _VERTEX_STRIDE)
    triangles = _packed_uint32(index_chunks).reshape(-1, 3)
    uv = verts[:, 3:5].copy()
    return CanonicalMesh(
        vertices=np.ascontiguousarray(verts[:, :3]),
        uv=np.ascontiguousarray(uv),
        triangles=np.ascontiguousarray(triangles),
    )


@functools.lru_cache(maxsize=4)
def _load(path: Path) -> CanonicalMesh:
    try:
        with zipfile.ZipFile(path) as bundle:
            payload = bundle.read(GEOMETRY_ENTRY)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ModelNotFoundError(f"{path} is not a face landmarker bundle: {exc}") from exc
    return decode_geometry_metadata(payload)


def canonical_mesh(path: str | os.PathLike[str] | None = None) -> CanonicalMesh:
    """The canonical mesh of the landmarker bundle at ``path`` (default: the installed one)."""
    if path is None:
        return _default_mesh(os.environ.get(ENV_VAR))
    return _load(landmarker_path(path).resolve())


@functools.lru_cache(maxsize=4)
def _default_mesh(env_value: str | None) -> CanonicalMesh:
    """The default bundle's mesh, located once per value of ``$FRAM_LANDMARKER``.

    Locating the bundle (a package lookup and file checks) costs about as much as a
    per-face geometry step, and every one of them asks for the mesh.
    """
    return _load(landmarker_path().resolve())

"""Reading and writing images where fram meets files, uploads and other libraries.

Everything entering fram passes through :func:`read_image`, so the rest of the
package can rely on one layout (upright ``(H, W, 3)`` uint8 RGB, C-contiguous) and
never meets a half-decoded, oversized or exotic file. Everything leaving goes
through :func:`write_image` or :func:`encode_image`, which write pixels only: the
EXIF of a face photo can carry GPS position, capture time and device serials, and
an edited portrait must not pass them on.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TypeAlias

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from fram.errors import ImageReadError, ImageWriteError

ImageSource: TypeAlias = (
    str
    | os.PathLike[str]
    | bytes
    | bytearray
    | memoryview
    | BinaryIO
    | Image.Image
    | np.ndarray
)

MAX_PIXELS = 200_000_000
"""The largest photo fram reads (pixels), checked from the file's header before any
pixel is decoded: a 200 MP camera's full frame fits, a small file claiming a huge
canvas (a decompression bomb) is refused for free. Decoding it costs 600 MB."""

# PIL's own bomb check (warning at 89 MP) would refuse photos fram can handle; it is
# raised to fram's limit, so the header check in :func:`read_image` is what speaks.
# A lower value set by the application after this import still wins.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# The formats portraits really arrive in. Keeping PIL to these keeps its exotic
# parsers (EPS, which runs Ghostscript; PSD; ICNS; ...) away from untrusted uploads.
READ_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "TIFF", "BMP", "GIF")

_WRITE_FORMATS: dict[str, str] = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".webp": "WEBP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".bmp": "BMP",
}
_ALPHA_FORMATS = frozenset({"PNG", "WEBP"})

# What PIL and its C decoders raise on malformed input. Anything else is a bug
# and should surface as one, not as "bad image".
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    EOFError,
    struct.error,
)


def read_image(src: ImageSource, *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Load anything a user may hand fram as an upright RGB array.

    One entry point for the CLI, the web API and notebooks means one set of checks,
    whatever the caller holds: a path, encoded bytes, a binary stream (an upload),
    a PIL image or a numpy array (``(H, W)``, ``(H, W, 1)``, ``(H, W, 3)`` or
    ``(H, W, 4)``; uint8, uint16, or float in [0, 1]).

    Encoded inputs and PIL images are turned upright by their EXIF orientation,
    because phones store portraits sideways and a sideways face defeats the
    landmarker. Grey, palette, CMYK, YCbCr and 16-bit images are converted;
    16-bit values are rescaled rather than clipped. Transparency is composited
    over white (see :func:`_over_white`).

    Args:
        src: the image, in any of the forms above.
        max_pixels: pixel-count ceiling. For encoded inputs it is checked against
            the header before any pixel is decoded, so a small file claiming a
            huge canvas (a decompression bomb) costs nothing. PIL's own limit,
            ``PIL.Image.MAX_IMAGE_PIXELS`` (set to :data:`MAX_PIXELS` on import),
            applies as well; the stricter wins, and either is reported the same way.

    Returns:
        ``(H, W, 3)`` uint8 RGB, C-contiguous and writable, never sharing memory
        with ``src``, so callers may edit it in place.

    Raises:
        ImageReadError: naming the source (the path as given, or ``<bytes>``,
            ``<stream>``, ``<array>``, ``<PIL image>``) and the cause.
    """
    if max_pixels < 1:
        raise ValueError(f"max_pixels must be at least 1, got {max_pixels}")
    if isinstance(src, np.ndarray):
        return _read_array(src, max_pixels)
    if isinstance(src, Image.Image):
        return _read_pil(src, max_pixels)
    if isinstance(src, (str, os.PathLike)):
        return _read_path(Path(src), max_pixels)
    if isinstance(src, (bytes, bytearray, memoryview)):
        return _read_encoded(io.BytesIO(src), "<bytes>", max_pixels)
    if hasattr(src, "read"):
        return _read_stream(src, max_pixels)
    raise ImageReadError(
        f"cannot read an image from a {type(src).__name__}; expected a path, bytes, "
        "a binary file, a PIL image or a numpy array"
    )


def downscale_for_analysis(
    image: np.ndarray, max_side: int = 1280
) -> tuple[np.ndarray, float]:
    """Shrink a photo for face analysis, which gains nothing from 48 megapixels.

    Detection and parsing cost grows with pixel count while their networks look
    at small crops, so an 8000x6000 photo is analysed on a copy whose longer side
    is at most ``max_side``; coordinates found there map back by dividing by
    ``scale``, and rendering keeps the full-resolution original. ``INTER_AREA``
    averages the pixels it drops, so the detector is not fed the aliasing (jagged
    lash lines, moire on fabric) that nearest or bilinear shrinking produces.

    Args:
        image: ``(H, W)`` or ``(H, W, C)`` array of any dtype OpenCV resizes.
        max_side: longest side allowed in the analysis copy, in pixels.

    Returns:
        ``(copy, scale)`` with ``scale`` in analysis pixels per original pixel.
        It is exact for the longer side; the shorter side is rounded to whole
        pixels (under half an analysis pixel off). An image that already fits
        comes back as the same array with scale 1.0.

    Raises:
        ValueError: if the shape is not an image or ``max_side`` is below 1.
    """
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, got {max_side}")
    if image.ndim not in (2, 3) or 0 in image.shape[:2]:
        raise ValueError(f"expected an (H, W) or (H, W, C) image, got shape {image.shape}")
    height, width = image.shape[:2]
    longer = max(height, width)
    if longer <= max_side:
        return image, 1.0
    scale = max_side / longer
    new_width = max(1, round(width * scale))
    new_height = max(1, round(height * scale))
    small = cv2.resize(
        np.ascontiguousarray(image), (new_width, new_height), interpolation=cv2.INTER_AREA
    )
    # OpenCV drops a single channel axis; put it back so the layout matches.
    return small.reshape(new_height, new_width, *image.shape[2:]), scale


def write_image(path: str | os.PathLike[str], image: np.ndarray, *, quality: int = 95) -> None:
    """Save pixels to ``path`` so that nobody ever sees a partial file.

    The data goes to a temporary file in the same folder, which then replaces
    ``path`` in one rename: a crash, full disk or Ctrl-C leaves the old file or
    the new one, never half an image a batch job would later take for a result.
    The format follows the extension (``.png``, ``.jpg``/``.jpeg``, ``.webp``,
    ``.tif``/``.tiff``, ``.bmp``); no metadata is written (see the module
    docstring). Missing folders are not created, so a typo in an output folder
    fails loudly instead of scattering results.

    Args:
        path: destination file; its folder must exist.
        image: ``(H, W, 3)`` uint8 RGB or ``(H, W)`` uint8 grey; ``(H, W, 4)``
            RGBA too for PNG and WebP, the formats that keep alpha.
        quality: 1-100, used by JPEG and WebP.

    Raises:
        ImageWriteError: unknown extension, missing folder, unsuitable array or
            quality, or a failed write (the message names the path).
    """
    target = Path(path)
    fmt = _format_for(target.suffix, f"'{target}'")
    write_files({target: _encode(image, fmt, quality)})


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write any output file (JSON, NPZ, an image already encoded) atomically, as
    :func:`write_image` does: the old file or the new one, never half of one.

    Raises:
        ImageWriteError: the folder does not exist, or the write failed (the message
            names the path).
    """
    write_files({path: data})


def write_files(files: dict[str | os.PathLike[str], bytes]) -> None:
    """Write several outputs of one command together: all of them or none.

    Every file is first written in full, unnamed, in its own folder (``O_TMPFILE``, so a
    process killed meanwhile leaves nothing behind), and only when all are written are
    they named, each by one atomic rename. A rename that fails puts back the files
    already renamed. Files get the permissions of any new file (``0o666`` less the
    umask), images and JSON alike.

    Raises:
        ImageWriteError: a folder does not exist, a target is a folder, or a write
            failed (the message names the path).
    """
    targets = {Path(path): data for path, data in files.items()}
    for target in targets:
        if not target.parent.is_dir():
            raise ImageWriteError(f"cannot write '{target}': folder '{target.parent}' does not exist")
        if target.is_dir():
            raise ImageWriteError(f"cannot write '{target}': it is a folder")
    _write_atomically(targets)


def encode_image(image: np.ndarray, fmt: str = "png", *, quality: int = 95) -> bytes:
    """Encode pixels in memory, for responses that never touch the disk (web API).

    Same arrays, formats (``"png"``, ``"jpg"``, ``"jpeg"``, ``"webp"``,
    ``"tiff"``, ``"bmp"``; case and a leading dot do not matter) and no-metadata
    rule as :func:`write_image`.

    Raises:
        ImageWriteError: unknown format, unsuitable array or quality.
    """
    extension = "." + fmt.lower().lstrip(".")
    return _encode(image, _format_for(extension, f"format '{fmt}'"), quality)


# --- reading -----------------------------------------------------------------


def _read_error(name: str, cause: str) -> ImageReadError:
    return ImageReadError(f"cannot read image {name}: {cause}")


def _read_path(path: Path, max_pixels: int) -> np.ndarray:
    name = str(path)
    if path.is_dir():
        raise _read_error(name, "it is a directory")
    if path.exists() and not path.is_file():  # a pipe or a device: opening it could block forever
        raise _read_error(name, "it is not a regular file (a pipe, socket or device)")
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        raise ImageReadError(f"no such file: {name}") from None
    except OSError as exc:
        raise _read_error(name, f"cannot open the file ({exc.strerror})") from exc
    with stream:
        return _read_encoded(stream, name, max_pixels)


def _read_stream(stream: BinaryIO, max_pixels: int) -> np.ndarray:
    """Read a stream whole, because PIL must seek and uploads or pipes cannot."""
    name = getattr(stream, "name", None)
    name = name if isinstance(name, str) else "<stream>"
    try:
        data = stream.read()
    except OSError as exc:
        raise _read_error(name, f"reading the stream failed ({exc})") from exc
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _read_error(name, "the stream gives text, not bytes; open it in binary mode")
    return _read_encoded(io.BytesIO(data), name, max_pixels)


def _read_encoded(stream: BinaryIO, name: str, max_pixels: int) -> np.ndarray:
    if not stream.read(1):
        raise _read_error(name, "it is empty")
    stream.seek(0)
    watched = _EndWatch(stream)
    with _pil_guard(name):
        image = Image.open(watched, formats=READ_FORMATS)
        _check_pixels(image.width, image.height, max_pixels, name)
        watched.ran_dry = False
        image.load()
        if watched.ran_dry:
            raise _read_error(name, "the image data is truncated")
        ImageOps.exif_transpose(image, in_place=True)
        return _pil_to_rgb(image, name)


def _read_pil(image: Image.Image, max_pixels: int) -> np.ndarray:
    name = getattr(image, "filename", "") or "<PIL image>"
    _check_pixels(image.width, image.height, max_pixels, name)
    with _pil_guard(name):
        # Not in place: the caller's image must stay as they gave it.
        return _pil_to_rgb(ImageOps.exif_transpose(image), name)


def _read_array(array: np.ndarray, max_pixels: int) -> np.ndarray:
    pixels = _with_channel_axis(array, "<array>")
    _check_pixels(pixels.shape[1], pixels.shape[0], max_pixels, "<array>")
    return _array_to_rgb(pixels, "<array>")


def _check_pixels(width: int, height: int, max_pixels: int, name: str) -> None:
    """Refuse above ``max_pixels`` or a lower ``PIL.Image.MAX_IMAGE_PIXELS`` (PIL only
    warns between one and two times its limit, and fram never lets warnings print)."""
    pil_limit = Image.MAX_IMAGE_PIXELS or max_pixels
    limit, which = (max_pixels, "max_pixels") if max_pixels <= pil_limit else (pil_limit, "PIL.Image.MAX_IMAGE_PIXELS")
    if width * height > limit:
        raise _read_error(name, f"{width}x{height} is {width * height:,} pixels, above the limit of {limit:,} ({which})")


@contextmanager
def _pil_guard(name: str) -> Iterator[None]:
    """Turn PIL's failures into ImageReadError and keep its warnings off stderr.

    PIL reports recoverable oddities of untrusted files (corrupt EXIF, short TIFF
    tags) as warnings, which print, and fram never prints. Its decompression-bomb
    warning is among them (:func:`_check_pixels` enforces that limit with a clearer
    message); its bomb error, above twice the limit, is reported like the check.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            yield
        except ImageReadError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            found = re.search(r"\((\d+) pixels\)", str(exc))
            size = f"{int(found[1]):,} pixels" if found else "too many pixels"
            limit = Image.MAX_IMAGE_PIXELS or 0
            raise _read_error(name, f"{size}, above the limit of {limit:,} (PIL.Image.MAX_IMAGE_PIXELS)") from exc
        except UnidentifiedImageError:
            # PIL's own message only names its file object, so it adds nothing.
            supported = ", ".join(READ_FORMATS)
            raise _read_error(name, f"not an image in a supported format ({supported})") from None
        except _DECODE_ERRORS as exc:
            raise _read_error(name, f"corrupt or unsupported image data ({exc})") from exc


class _EndWatch:
    """Binary stream wrapper that notices a read past the end of the data.

    PIL raises on truncated data only while ``ImageFile.LOAD_TRUNCATED_IMAGES``
    is False, and any library in the process may set it (it is the usual pasted
    fix for broken JPEGs), after which PIL pads a cut-off JPEG with grey and
    leaves missing PNG rows black. A complete image decodes without asking for
    bytes beyond its end, so an empty read while decoding means truncation,
    whatever that flag says.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.ran_dry = False

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if size != 0 and not data:
            self.ran_dry = True
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()


def _pil_to_rgb(image: Image.Image, name: str) -> np.ndarray:
    return _array_to_rgb(_with_channel_axis(_pil_pixels(image, name), name), name)


def _pil_pixels(image: Image.Image, name: str) -> np.ndarray:
    """Hand PIL's pixels over as uint8, uint16 or float for one normalising path.

    High-bit-depth modes skip ``Image.convert``, which clips values above 255
    instead of scaling them, so a 16-bit portrait would come out blown to white.
    """
    if image.mode.startswith("I;16"):
        return np.asarray(image).astype(np.uint16)
    if image.mode == "I":
        return _int32_as_uint16(np.asarray(image), name)
    if image.mode == "F":
        return np.asarray(image)
    if image.has_transparency_data:
        return np.asarray(image.convert("RGBA"))
    if image.mode in ("L", "RGB"):
        return np.asarray(image)
    return np.asarray(image.convert("RGB"))


def _int32_as_uint16(pixels: np.ndarray, name: str) -> np.ndarray:
    """Read PIL's 32-bit integer mode on the 16-bit scale.

    That mode is how 16-bit grey reaches PIL from some writers and older
    releases; values outside 16 bits have no agreed range, so they are refused
    rather than guessed at.
    """
    low, high = int(pixels.min()), int(pixels.max())
    if low < 0 or high > 65535:
        raise _read_error(name, f"32-bit integer pixels span [{low}, {high}], outside 16 bits")
    return pixels.astype(np.uint16)


def _with_channel_axis(pixels: np.ndarray, name: str) -> np.ndarray:
    if pixels.ndim == 2:
        pixels = pixels[:, :, np.newaxis]
    if pixels.ndim != 3 or pixels.shape[2] not in (1, 3, 4) or 0 in pixels.shape[:2]:
        raise _read_error(
            name,
            f"an array of shape {pixels.shape} is not an image; expected (H, W), "
            "(H, W, 1), (H, W, 3) or (H, W, 4)",
        )
    return pixels


def _array_to_rgb(pixels: np.ndarray, name: str) -> np.ndarray:
    """Normalise ``(H, W, C)`` pixels with C in {1, 3, 4} to fresh uint8 RGB."""
    pixels8 = _to_uint8(pixels, name)
    channels = pixels8.shape[2]
    if channels == 1:
        return np.repeat(pixels8, 3, axis=2)
    if channels == 4:
        return np.ascontiguousarray(_over_white(pixels8))
    return pixels8


def _to_uint8(pixels: np.ndarray, name: str) -> np.ndarray:
    """Rescale to uint8, always into a new C-contiguous array.

    Always new, so the result never aliases the caller's buffer or PIL's
    read-only one.
    """
    kind, size = pixels.dtype.kind, pixels.dtype.itemsize
    if kind == "u" and size == 1:
        return np.array(pixels, dtype=np.uint8, order="C")
    if kind == "u" and size == 2:
        wide = pixels.astype(np.uint32, order="C")
        return ((wide * 255 + 32767) // 65535).astype(np.uint8)
    if kind == "f":
        return _float_to_uint8(pixels, name)
    raise _read_error(
        name,
        f"pixel type {pixels.dtype} is not supported; expected uint8, uint16 or float in [0, 1]",
    )


def _float_to_uint8(pixels: np.ndarray, name: str) -> np.ndarray:
    """Refuse floats outside [0, 1]: 0-255 floats would otherwise turn white."""
    values = pixels.astype(np.float32, order="C")
    if not np.isfinite(values).all():
        raise _read_error(name, "float pixels contain NaN or infinity")
    low, high = float(values.min()), float(values.max())
    if low < 0.0 or high > 1.0:
        raise _read_error(name, f"float pixels must lie in [0, 1], found [{low:.4g}, {high:.4g}]")
    return np.rint(values * 255.0).astype(np.uint8)


def _over_white(rgba: np.ndarray) -> np.ndarray:
    """Composite uint8 RGBA over white.

    Transparent inputs are mostly cut-out portraits whose background was removed.
    Their transparent pixels hold arbitrary colour (often black), so alpha cannot
    just be dropped; black would merge with dark hair and leave a dark fringe that
    face parsing reads as hair or shadow, while white matches what viewers show
    and what studio backdrops look like. Integer maths, exact to rounding: the
    sum stays below 2**16.
    """
    rgb = rgba[..., :3].astype(np.uint16)
    alpha = rgba[..., 3:].astype(np.uint16)
    return ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)


# --- writing -----------------------------------------------------------------


def _format_for(extension: str, what: str) -> str:
    fmt = _WRITE_FORMATS.get(extension.lower())
    if fmt is None:
        known = ", ".join(_WRITE_FORMATS)
        raise ImageWriteError(
            f"cannot write {what}: unknown image type '{extension}'; use one of {known}"
        )
    return fmt


def _encode(image: np.ndarray, fmt: str, quality: int) -> bytes:
    """Encode a bare array, so no metadata can ride along from any source.

    The PIL image is built from pixels alone (its ``info`` is empty) and no save
    option adds EXIF, ICC profiles or text chunks.
    """
    if not 1 <= quality <= 100:
        raise ImageWriteError(f"quality must be between 1 and 100, got {quality}")
    buffer = io.BytesIO()
    _to_pil(image, fmt).save(buffer, format=fmt, **_save_options(fmt, quality))
    return buffer.getvalue()


def _to_pil(image: np.ndarray, fmt: str) -> Image.Image:
    allowed = (1, 3, 4) if fmt in _ALPHA_FORMATS else (1, 3)
    channels = image.shape[2] if image.ndim == 3 else 1
    if (
        image.dtype != np.uint8
        or image.ndim not in (2, 3)
        or channels not in allowed
        or 0 in image.shape[:2]
    ):
        expected = "(H, W) grey or (H, W, 3) RGB" + (" or (H, W, 4) RGBA" if 4 in allowed else "")
        raise ImageWriteError(
            f"cannot save a {image.dtype} array of shape {image.shape} as {fmt}; "
            f"expected uint8 {expected}"
        )
    pixels = image.reshape(image.shape[:2]) if channels == 1 else image
    return Image.fromarray(np.ascontiguousarray(pixels))


def _save_options(fmt: str, quality: int) -> dict[str, int]:
    """JPEG keeps full-resolution colour (no chroma subsampling) because 4:2:0
    halves it and smears exactly the lip lines and eyeliner edges fram paints."""
    if fmt == "JPEG":
        return {"quality": quality, "subsampling": 0}
    if fmt == "WEBP":
        return {"quality": quality}
    return {}


def remove_leftovers(folder: str | os.PathLike[str]) -> list[Path]:
    """Delete the temporary siblings that writes killed mid-way (SIGKILL, power cut)
    left anywhere under ``folder`` (a batch does this before it resumes); returns them."""
    found = [p for p in Path(folder).rglob(".*.tmp") if _TEMP_NAME.match(p.name) and p.is_file()]
    for path in found:
        path.unlink(missing_ok=True)
    return found


_TEMP_NAME = re.compile(r"^\..+\.[0-9a-f]{16}\.tmp$")  # what _write_atomically names its temporary file


def _write_atomically(targets: dict[Path, bytes]) -> None:
    """Stage every file, then name and rename each over its target; see :func:`write_files`.

    The fsync before the renames makes sure a renamed file has its bytes even after a
    power cut; renaming within a folder is atomic. Where ``O_TMPFILE`` works, a staged
    file has a name only for the moment between its link and its rename; elsewhere it
    is named from its creation, and ``finally`` removes it.
    """
    mode = _new_file_mode()
    staged: list[_Staged] = []
    backups: list[Path] = []
    replaced: list[tuple[Path, Path | None]] = []
    target = next(iter(targets), None)
    try:
        for target, data in targets.items():
            staged.append(_stage(target, data, mode))
        for item in staged:
            target = item.target
            temp = item.named()
            backup = _backup(target)
            backups += [backup] if backup else []
            os.replace(temp, target)
            replaced.append((target, backup))
    except OSError as exc:
        for done, backup in replaced:
            if backup is not None:
                os.replace(backup, done)
            else:
                done.unlink(missing_ok=True)
        reason = exc.strerror or exc
        raise ImageWriteError(f"cannot write '{target}': {reason}; choose another folder or free some space") from exc
    finally:
        for item in staged:
            item.discard()
        for backup in backups:
            backup.unlink(missing_ok=True)


def _new_file_mode() -> int:
    """The permissions a plain ``open(path, "w")`` would give: ``0o666`` less the umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")


class _Staged:
    """A written, synced file waiting to become ``target``: an unnamed ``O_TMPFILE`` (``fd``)
    or, where the system has none, a named temporary sibling (``temp``)."""

    def __init__(self, target: Path, fd: int | None, temp: Path | None) -> None:
        self.target, self.fd, self.temp = target, fd, temp

    def named(self) -> Path:
        """Its temporary name, linking the unnamed file into the target's folder now."""
        if self.temp is None:
            temp = _temp_name(self.target)
            # A dir_fd makes Python call linkat(AT_SYMLINK_FOLLOW), which names the open file.
            folder = os.open(self.target.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.link(f"/proc/self/fd/{self.fd}", temp.name, dst_dir_fd=folder, follow_symlinks=True)
            finally:
                os.close(folder)
            self.temp = temp
        return self.temp

    def discard(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.temp is not None:
            self.temp.unlink(missing_ok=True)


def _stage(target: Path, data: bytes, mode: int) -> _Staged:
    """Write ``data`` to a new file in ``target``'s folder, not yet under any name we use."""
    try:
        fd = os.open(target.parent, os.O_TMPFILE | os.O_WRONLY, mode)
        staged = _Staged(target, fd, None)
    except (AttributeError, OSError):  # no O_TMPFILE here (not Linux, or the filesystem lacks it)
        temp = _temp_name(target)
        staged = _Staged(target, os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode), temp)
    try:
        with open(staged.fd, "wb", closefd=False) as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(staged.fd, mode)
            os.fsync(staged.fd)
    except BaseException:
        staged.discard()
        raise
    return staged


def _backup(target: Path) -> Path | None:
    """A second name for the file ``target`` replaces, so a later failure can put it back."""
    if not target.is_file():
        return None
    backup = _temp_name(target)
    os.link(target, backup)
    return backup

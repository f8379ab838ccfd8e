"""Tests for fram.face.image_io: every input kind, every refusal, safe writes."""

from __future__ import annotations

import io
import os
import stat
import struct
import warnings
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile, PngImagePlugin
from skimage import data

from fram.errors import FramError, ImageReadError, ImageWriteError
from fram.face import image_io
from fram.face.image_io import MAX_PIXELS, downscale_for_analysis, encode_image, read_image, write_image


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return data.astronaut()


@pytest.fixture(scope="module")
def portrait(astronaut: np.ndarray) -> np.ndarray:
    """A non-square crop, so rotations show in the shape."""
    return np.ascontiguousarray(astronaut[:160, 100:340])


def _encoded(image: np.ndarray | Image.Image, fmt: str, **options: object) -> bytes:
    pil = image if isinstance(image, Image.Image) else Image.fromarray(image)
    buffer = io.BytesIO()
    pil.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _png_claiming(width: int, height: int) -> bytes:
    """A valid tiny PNG whose header claims another size (IHDR patched, CRC fixed)."""
    png = _encoded(np.zeros((8, 8, 3), np.uint8), "PNG")
    # Signature (8) + IHDR length (4) + type (4), then 13 data bytes and a CRC.
    ihdr = struct.pack(">II", width, height) + png[24:29]
    return png[:16] + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)) + png[33:]


def _png_chunk_types(png: bytes) -> set[bytes]:
    types, offset = set(), 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        types.add(png[offset + 4 : offset + 8])
        offset += 12 + length
    return types


# --- read_image: input kinds ------------------------------------------------------


@pytest.mark.parametrize(
    "make_source",
    [
        pytest.param(lambda path: str(path), id="str"),
        pytest.param(lambda path: path, id="Path"),
        pytest.param(lambda path: path.read_bytes(), id="bytes"),
        pytest.param(lambda path: bytearray(path.read_bytes()), id="bytearray"),
        pytest.param(lambda path: memoryview(path.read_bytes()), id="memoryview"),
        pytest.param(lambda path: io.BytesIO(path.read_bytes()), id="BytesIO"),
        pytest.param(lambda path: Image.open(path), id="PIL"),
    ],
)
def test_reads_every_source_kind(tmp_path, astronaut, make_source):
    path = _write(tmp_path / "astronaut.png", _encoded(astronaut, "PNG"))
    np.testing.assert_array_equal(read_image(make_source(path)), astronaut)


def test_reads_open_binary_file(tmp_path, astronaut):
    path = _write(tmp_path / "astronaut.png", _encoded(astronaut, "PNG"))
    with path.open("rb") as handle:
        np.testing.assert_array_equal(read_image(handle), astronaut)


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("PNG", {}), ("BMP", {}), ("TIFF", {}), ("WEBP", {"lossless": True}), ("GIF", {})],
)
def test_reads_lossless_formats_exactly(astronaut, fmt, options):
    source = Image.fromarray(astronaut)
    if fmt == "GIF":
        source = source.convert("P")
    expected = np.asarray(source.convert("RGB"))
    np.testing.assert_array_equal(read_image(_encoded(source, fmt, **options)), expected)


def test_reads_jpeg_close_to_original(astronaut):
    result = read_image(_encoded(astronaut, "JPEG", quality=95))
    assert result.shape == astronaut.shape
    assert np.abs(result.astype(int) - astronaut).mean() < 3


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(lambda rgb: rgb, id="array"),
        pytest.param(lambda rgb: Image.fromarray(rgb), id="PIL"),
        pytest.param(lambda rgb: _encoded(rgb, "PNG"), id="bytes"),
    ],
)
def test_result_is_fresh_contiguous_and_writable(astronaut, source):
    mirrored = astronaut[:, ::-1]  # a non-contiguous view
    result = read_image(source(mirrored))
    assert result.dtype == np.uint8 and result.shape == astronaut.shape
    assert result.flags.c_contiguous and result.flags.writeable
    assert not np.shares_memory(result, astronaut)
    np.testing.assert_array_equal(result, mirrored)


# --- read_image: arrays -------------------------------------------------------------


@pytest.mark.parametrize(
    ("pixels", "expected"),
    [
        pytest.param(np.array([[0, 128, 255]], np.uint8), [0, 128, 255], id="HxW-uint8"),
        pytest.param(np.array([[[0], [128], [255]]], np.uint8), [0, 128, 255], id="HxWx1"),
        pytest.param(np.array([[0, 257, 32768, 65535]], np.uint16), [0, 1, 128, 255], id="uint16"),
        pytest.param(
            np.array([[0, 32768, 65535]], ">u2"), [0, 128, 255], id="uint16-big-endian"
        ),
        pytest.param(np.array([[0.0, 0.5, 1.0]], np.float32), [0, 128, 255], id="float32"),
        pytest.param(np.array([[0.0, 0.25, 1.0]], np.float64), [0, 64, 255], id="float64"),
    ],
)
def test_grey_arrays_become_equal_rgb_channels(pixels, expected):
    result = read_image(pixels)
    assert result.shape == (1, len(expected), 3)
    for channel in range(3):
        np.testing.assert_array_equal(result[0, :, channel], expected)


def test_rgb_uint16_array_is_rescaled(astronaut):
    np.testing.assert_array_equal(read_image(astronaut.astype(np.uint16) * 257), astronaut)


def test_rgb_float_array_is_rescaled(astronaut):
    np.testing.assert_array_equal(read_image(astronaut / 255.0), astronaut)


def test_rgba_array_is_composited_over_white():
    rgba = np.array(
        [[[10, 20, 30, 255], [0, 0, 0, 0], [0, 0, 0, 128], [200, 100, 0, 51]]], np.uint8
    )
    expected = [[10, 20, 30], [255, 255, 255], [127, 127, 127], [244, 224, 204]]
    np.testing.assert_array_equal(read_image(rgba)[0], expected)


@pytest.mark.parametrize(
    ("pixels", "cause"),
    [
        pytest.param(np.zeros(10, np.uint8), "shape", id="1-D"),
        pytest.param(np.zeros((4, 4, 2), np.uint8), "shape", id="two-channels"),
        pytest.param(np.zeros((4, 4, 3, 1), np.uint8), "shape", id="4-D"),
        pytest.param(np.zeros((0, 4, 3), np.uint8), "shape", id="empty"),
        pytest.param(np.zeros((4, 4, 3), np.int32), "int32", id="int32"),
        pytest.param(np.zeros((4, 4, 3), bool), "bool", id="bool"),
        pytest.param(np.full((4, 4, 3), 255.0), "[0, 1]", id="float-0-255"),
        pytest.param(np.full((4, 4, 3), -0.5), "[0, 1]", id="float-negative"),
        pytest.param(np.full((4, 4, 3), np.nan), "NaN", id="float-nan"),
    ],
)
def test_unusable_arrays_are_refused(pixels, cause):
    with pytest.raises(ImageReadError, match="<array>") as caught:
        read_image(pixels)
    assert cause in str(caught.value)


def test_array_above_max_pixels_is_refused():
    with pytest.raises(ImageReadError, match="max_pixels"):
        read_image(np.zeros((100, 100, 3), np.uint8), max_pixels=9_999)


def test_unknown_source_type_is_refused():
    with pytest.raises(ImageReadError, match="int"):
        read_image(42)


def test_text_mode_stream_is_refused(tmp_path):
    path = _write(tmp_path / "notes.txt", b"hello")
    with path.open("r") as handle, pytest.raises(ImageReadError, match="binary mode"):
        read_image(handle)


# --- read_image: orientation and colour modes --------------------------------------


@pytest.mark.parametrize(("orientation", "turns"), [(6, -1), (8, 1)])
def test_exif_orientation_is_applied(portrait, orientation, turns):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    plain = read_image(_encoded(portrait, "JPEG"))
    upright = read_image(_encoded(portrait, "JPEG", exif=exif))
    assert upright.shape == (portrait.shape[1], portrait.shape[0], 3)
    # np.rot90 turns counter-clockwise for positive k: 6 needs clockwise, 8 counter.
    np.testing.assert_array_equal(upright, np.rot90(plain, turns))


def test_exif_orientation_is_applied_to_pil_images_without_changing_them(portrait):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    image = Image.open(io.BytesIO(_encoded(portrait, "JPEG", exif=exif)))
    assert read_image(image).shape == (portrait.shape[1], portrait.shape[0], 3)
    assert image.size == (portrait.shape[1], portrait.shape[0])
    assert image.getexif()[ExifTags.Base.Orientation] == 6


def test_grey_png(astronaut):
    grey = np.asarray(Image.fromarray(astronaut).convert("L"))
    result = read_image(_encoded(grey, "PNG"))
    np.testing.assert_array_equal(result, np.stack([grey] * 3, axis=2))


def test_rgba_png_is_composited_over_white():
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[0, 0] = [200, 10, 10, 255]
    rgba[0, 1] = [0, 0, 0, 0]
    result = read_image(_encoded(rgba, "PNG"))
    np.testing.assert_array_equal(result[0, 0], [200, 10, 10])
    np.testing.assert_array_equal(result[0, 1], [255, 255, 255])


def test_la_png_is_composited_over_white():
    la = Image.fromarray(np.array([[[40, 255], [40, 0]]], np.uint8), mode="LA")
    np.testing.assert_array_equal(read_image(_encoded(la, "PNG"))[0], [[40] * 3, [255] * 3])


def test_palette_png_with_transparency():
    palette = Image.new("P", (2, 1))
    palette.putpalette([255, 0, 0, 0, 0, 255])
    palette.putpixel((0, 0), 0)
    palette.putpixel((1, 0), 1)
    result = read_image(_encoded(palette, "PNG", transparency=0))
    np.testing.assert_array_equal(result[0], [[255, 255, 255], [0, 0, 255]])


def test_16_bit_grey_png_is_scaled_not_clipped():
    grey16 = np.array([[0, 257, 32768, 65535]], np.uint16)
    image = Image.open(io.BytesIO(_encoded(grey16, "PNG")))
    assert image.mode == "I;16"
    np.testing.assert_array_equal(read_image(image)[0, :, 0], [0, 1, 128, 255])


def test_16_bit_rgb_png_is_scaled_not_clipped(tmp_path):
    rgb16 = np.array([[[0, 32768, 65535], [257, 12850, 51400]]], np.uint16)
    path = tmp_path / "deep.png"
    assert cv2.imwrite(str(path), rgb16[..., ::-1])
    expected = np.round(rgb16 / 257.0)
    # PIL keeps the high byte of 16-bit colour, so allow one level of difference.
    np.testing.assert_allclose(read_image(path), expected, atol=1)


def test_32_bit_integer_grey_uses_16_bit_scale():
    image = Image.fromarray(np.array([[0, 32768, 65535]], np.int32))
    assert image.mode == "I"
    np.testing.assert_array_equal(read_image(image)[0, :, 1], [0, 128, 255])


def test_32_bit_integer_grey_outside_16_bits_is_refused():
    image = Image.fromarray(np.array([[-1, 70_000]], np.int32))
    with pytest.raises(ImageReadError, match="16 bits"):
        read_image(image)


def test_float_grey_image():
    image = Image.fromarray(np.array([[0.0, 0.5, 1.0]], np.float32))
    assert image.mode == "F"
    np.testing.assert_array_equal(read_image(image)[0, :, 2], [0, 128, 255])


@pytest.mark.parametrize("mode", ["CMYK", "YCbCr", "1", "P"])
def test_other_colour_modes_match_pil_conversion(astronaut, mode):
    image = Image.fromarray(astronaut).convert(mode)
    np.testing.assert_array_equal(read_image(image), np.asarray(image.convert("RGB")))


def test_cmyk_jpeg(astronaut):
    encoded = _encoded(Image.fromarray(astronaut).convert("CMYK"), "JPEG")
    expected = np.asarray(Image.open(io.BytesIO(encoded)).convert("RGB"))
    np.testing.assert_array_equal(read_image(encoded), expected)


# --- read_image: refusals -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
@pytest.mark.parametrize("lenient_pil", [False, True], ids=["strict-pil", "lenient-pil"])
@pytest.mark.parametrize("kept", [0.5, 0.98])
def test_truncated_files_are_refused(tmp_path, monkeypatch, astronaut, fmt, lenient_pil, kept):
    # Even when some other library has told PIL to accept truncated images.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", lenient_pil)
    encoded = _encoded(astronaut, fmt)
    path = _write(tmp_path / f"cut.{fmt.lower()}", encoded[: int(len(encoded) * kept)])
    with pytest.raises(ImageReadError, match=f"cut.{fmt.lower()}"):
        read_image(path)


@pytest.mark.parametrize(
    ("name", "make", "cause"),
    [
        ("notes.txt", lambda path: path.write_text("not a picture"), "supported format"),
        ("empty.jpg", lambda path: path.write_bytes(b""), "empty"),
        ("photos.jpg", lambda path: path.mkdir(), "directory"),
        ("missing.jpg", lambda path: None, "no such file"),
        ("fake.png", lambda path: path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40), "format"),
    ],
)
def test_unreadable_paths_are_refused_with_their_name(tmp_path, name, make, cause):
    path = tmp_path / name
    make(path)
    with pytest.raises(ImageReadError, match=cause) as caught:
        read_image(path)
    assert name in str(caught.value)


def test_missing_file_message():
    with pytest.raises(ImageReadError, match=r"^no such file: .*nowhere\.jpg$"):
        read_image("/nonexistent/nowhere.jpg")


def test_stream_errors_name_the_stream_file(tmp_path):
    path = _write(tmp_path / "notes.txt", b"plain text")
    with path.open("rb") as handle, pytest.raises(ImageReadError, match="notes.txt"):
        read_image(handle)


def test_empty_bytes_are_refused():
    with pytest.raises(ImageReadError, match="<bytes>.*empty"):
        read_image(b"")


def test_read_errors_are_fram_and_value_errors():
    with pytest.raises(FramError) as caught:
        read_image(b"garbage")
    assert isinstance(caught.value, ValueError)


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixel data is decoded."""

    def refuse(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def test_header_claiming_30000_squared_is_refused_before_decoding(tmp_path, no_decoding):
    path = _write(tmp_path / "bomb.png", _png_claiming(30_000, 30_000))
    with pytest.raises(ImageReadError, match="bomb.png"):
        read_image(path)


def test_max_pixels_is_checked_on_the_header_before_decoding(tmp_path, no_decoding):
    path = _write(tmp_path / "large.png", _png_claiming(5_000, 5_000))
    with pytest.raises(ImageReadError, match=r"large\.png.*5000x5000.*max_pixels"):
        read_image(path, max_pixels=10_000_000)


def test_max_pixels_applies_to_real_images(astronaut):
    with pytest.raises(ImageReadError, match="max_pixels"):
        read_image(_encoded(astronaut, "PNG"), max_pixels=512 * 512 - 1)
    assert read_image(_encoded(astronaut, "PNG"), max_pixels=512 * 512).shape == (512, 512, 3)


def test_a_lower_pil_limit_is_enforced_with_fram_message(monkeypatch, astronaut):
    # 512x512 lies between PIL's warning and error thresholds here.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 200_000)
    with pytest.raises(ImageReadError, match=r"512x512 is 262,144 pixels, above the limit of 200,000 \(PIL"):
        read_image(_encoded(astronaut, "PNG"))


def test_photos_up_to_max_pixels_pass_pil_too(tmp_path, no_decoding):
    """PIL's own default (89 MP) would refuse a 100 MP photo fram allows; the message
    for one above fram's limit names the file, its size and the limit."""
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS
    with pytest.raises(ImageReadError, match=r"huge\.png: 15000x14000 is 210,000,000 pixels, above the limit of 200,000,000"):
        read_image(_write(tmp_path / "huge.png", _png_claiming(15_000, 14_000)))
    with pytest.raises(ImageReadError, match=r"above the limit of 200,000,000 \(PIL"):
        read_image(_write(tmp_path / "bomb.png", _png_claiming(30_000, 30_000)), max_pixels=10**12)
    with pytest.raises(AssertionError, match="pixels were decoded"):
        read_image(_write(tmp_path / "big.png", _png_claiming(12_000, 10_000)))


def test_pil_warnings_never_escape(astronaut):
    lzw_tiff = _encoded(astronaut, "TIFF", compression="tiff_lzw")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ImageReadError):
            read_image(lzw_tiff[: len(lzw_tiff) // 2])
    assert caught == []


def test_unlisted_formats_are_not_parsed(astronaut):
    # PIL reads ICO, but fram keeps untrusted data away from minor parsers.
    with pytest.raises(ImageReadError, match="supported format"):
        read_image(_encoded(astronaut, "ICO"))


def test_max_pixels_must_be_positive():
    with pytest.raises(ValueError, match="max_pixels"):
        read_image(np.zeros((2, 2, 3), np.uint8), max_pixels=0)


# --- downscale_for_analysis ---------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "expected"),
    [((6000, 8000, 3), (960, 1280, 3)), ((8000, 6000, 3), (1280, 960, 3))],
)
def test_huge_photos_are_downscaled(shape, expected):
    photo = np.full(shape, (200, 120, 90), np.uint8)
    small, scale = downscale_for_analysis(photo)
    assert small.shape == expected
    assert scale == pytest.approx(0.16)
    assert (small == [200, 120, 90]).all()


def test_downscale_scale_maps_coordinates_back():
    photo = np.zeros((3000, 4000), np.uint8)
    photo[1500:, 2000:] = 255
    small, scale = downscale_for_analysis(photo, max_side=400)
    assert small.shape == (300, 400)
    # The bright quadrant starts at original (1500, 2000), i.e. (150, 200) here.
    assert small[149, 199] == 0 and small[150, 200] == 255
    assert 1500 * scale == 150 and 2000 * scale == 200


def test_single_channel_axis_is_kept():
    small, _ = downscale_for_analysis(np.zeros((2000, 1000, 1), np.uint8), max_side=100)
    assert small.shape == (100, 50, 1)


def test_small_images_are_returned_unchanged(astronaut):
    small, scale = downscale_for_analysis(astronaut)
    assert small is astronaut and scale == 1.0


@pytest.mark.parametrize(
    ("image", "max_side"),
    [(np.zeros(10, np.uint8), 5), (np.zeros((0, 10, 3), np.uint8), 5), (np.zeros((9, 9)), 0)],
)
def test_downscale_rejects_bad_input(image, max_side):
    with pytest.raises(ValueError):
        downscale_for_analysis(image, max_side)


# --- write_image / encode_image -----------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".PNG", ".tif", ".tiff", ".bmp"])
def test_lossless_round_trip_is_exact(tmp_path, astronaut, suffix):
    path = tmp_path / f"out{suffix}"
    write_image(path, astronaut)
    np.testing.assert_array_equal(read_image(path), astronaut)


@pytest.mark.parametrize("suffix", [".jpg", ".jpeg", ".webp"])
def test_lossy_round_trip_is_close(tmp_path, astronaut, suffix):
    path = tmp_path / f"out{suffix}"
    write_image(str(path), astronaut)
    assert np.abs(read_image(path).astype(int) - astronaut).mean() < 3


def test_jpeg_quality_changes_size(tmp_path, astronaut):
    write_image(tmp_path / "low.jpg", astronaut, quality=20)
    write_image(tmp_path / "high.jpg", astronaut, quality=95)
    assert (tmp_path / "low.jpg").stat().st_size < (tmp_path / "high.jpg").stat().st_size


def test_grey_round_trip(tmp_path, astronaut):
    grey = np.ascontiguousarray(astronaut[..., 1])
    write_image(tmp_path / "grey.png", grey)
    saved = Image.open(tmp_path / "grey.png")
    assert saved.mode == "L"
    np.testing.assert_array_equal(np.asarray(saved), grey)


@pytest.mark.parametrize("suffix", [".png", ".webp"])
def test_rgba_keeps_alpha_where_the_format_can(tmp_path, suffix):
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:2, :, 3] = 255
    path = tmp_path / f"cutout{suffix}"
    write_image(path, rgba)
    saved = Image.open(path)
    assert saved.mode == "RGBA"
    np.testing.assert_array_equal(np.asarray(saved)[..., 3], rgba[..., 3])


@pytest.fixture(scope="module")
def photo_with_gps(astronaut) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (52.0, 22.0, 1.0),
    }
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    encoded = _encoded(astronaut, "JPEG", exif=exif, icc_profile=icc)
    assert Image.open(io.BytesIO(encoded)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return encoded


# TIFF keeps its image layout in the same tag table EXIF uses; these tags are all
# such a file needs and say nothing about the photo or its owner.
_TIFF_LAYOUT_TAGS = {
    ExifTags.Base.ImageWidth,
    ExifTags.Base.ImageLength,
    ExifTags.Base.BitsPerSample,
    ExifTags.Base.Compression,
    ExifTags.Base.PhotometricInterpretation,
    ExifTags.Base.StripOffsets,
    ExifTags.Base.SamplesPerPixel,
    ExifTags.Base.RowsPerStrip,
    ExifTags.Base.StripByteCounts,
    ExifTags.Base.PlanarConfiguration,
}


def _assert_no_metadata(encoded: bytes) -> None:
    saved = Image.open(io.BytesIO(encoded))
    assert set(saved.getexif()) <= (_TIFF_LAYOUT_TAGS if saved.format == "TIFF" else set())
    for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "Raw profile type exif"):
        assert key not in saved.info
    assert not getattr(saved, "text", {})


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".webp", ".tiff", ".bmp"])
def test_written_files_carry_no_metadata(tmp_path, photo_with_gps, suffix):
    path = tmp_path / f"out{suffix}"
    write_image(path, read_image(photo_with_gps))
    _assert_no_metadata(path.read_bytes())


def test_written_png_has_only_pixel_chunks(tmp_path, photo_with_gps):
    path = tmp_path / "out.png"
    write_image(path, read_image(photo_with_gps))
    assert _png_chunk_types(path.read_bytes()) == {b"IHDR", b"IDAT", b"IEND"}


def test_metadata_of_a_pil_source_is_not_written(tmp_path, astronaut):
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "52.37N 4.89E")
    source = Image.open(io.BytesIO(_encoded(astronaut, "PNG", pnginfo=info)))
    assert source.text
    encoded = encode_image(read_image(source))
    assert b"Location" not in encoded
    _assert_no_metadata(encoded)


def test_write_goes_through_a_sibling_temp_file(tmp_path, monkeypatch, astronaut):
    renames = []
    real_replace = os.replace

    def spy(source, target):
        renames.append((Path(source), Path(target)))
        real_replace(source, target)

    monkeypatch.setattr(image_io.os, "replace", spy)
    write_image(tmp_path / "out.png", astronaut)
    [(temp, target)] = renames
    assert temp.parent == target.parent == tmp_path and temp != target
    assert sorted(tmp_path.iterdir()) == [tmp_path / "out.png"]


@pytest.mark.parametrize("failing_step", ["fsync", "replace"])
def test_failed_write_leaves_no_partial_or_temp_file(
    tmp_path, monkeypatch, astronaut, failing_step
):
    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(image_io.os, failing_step, fail)
    with pytest.raises(ImageWriteError, match="No space left") as caught:
        write_image(tmp_path / "out.png", astronaut)
    assert "out.png" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_failed_overwrite_keeps_the_old_file(tmp_path, monkeypatch, astronaut):
    path = _write(tmp_path / "out.png", b"previous result")

    def fail(*args):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(image_io.os, "fsync", fail)
    with pytest.raises(ImageWriteError):
        write_image(path, astronaut)
    assert path.read_bytes() == b"previous result"
    assert list(tmp_path.iterdir()) == [path]


def test_interrupted_write_cleans_up_and_propagates(tmp_path, monkeypatch, astronaut):
    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(image_io.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_image(tmp_path / "out.png", astronaut)
    assert list(tmp_path.iterdir()) == []


def test_overwrite_replaces_existing_file(tmp_path, astronaut):
    path = _write(tmp_path / "out.png", b"old")
    write_image(path, astronaut)
    np.testing.assert_array_equal(read_image(path), astronaut)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_written_file_gets_usual_permissions(tmp_path, astronaut):
    umask = os.umask(0o022)
    try:
        write_image(tmp_path / "out.png", astronaut)
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "out.png").stat().st_mode) == 0o644


@pytest.mark.parametrize("name", ["out.gif", "out", "out.png.bak"])
def test_unknown_extension_is_refused(tmp_path, astronaut, name):
    with pytest.raises(ImageWriteError, match="unknown image type") as caught:
        write_image(tmp_path / name, astronaut)
    assert name in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_not_created(tmp_path, astronaut):
    with pytest.raises(ImageWriteError, match="does not exist"):
        write_image(tmp_path / "missing" / "out.png", astronaut)
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    ("name", "image"),
    [
        ("out.jpg", np.zeros((4, 4, 4), np.uint8)),
        ("out.png", np.zeros((4, 4, 3), np.float32)),
        ("out.png", np.zeros((4, 4, 2), np.uint8)),
        ("out.png", np.zeros(4, np.uint8)),
        ("out.png", np.zeros((0, 4, 3), np.uint8)),
    ],
)
def test_unsuitable_arrays_are_refused(tmp_path, name, image):
    with pytest.raises(ImageWriteError, match=r"shape"):
        write_image(tmp_path / name, image)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("quality", [0, 101])
def test_quality_out_of_range_is_refused(tmp_path, astronaut, quality):
    with pytest.raises(ImageWriteError, match="quality"):
        write_image(tmp_path / "out.jpg", astronaut, quality=quality)


def test_write_errors_are_fram_errors(tmp_path, astronaut):
    with pytest.raises(FramError):
        write_image(tmp_path / "out.xyz", astronaut)


def test_encode_png_round_trips(astronaut):
    encoded = encode_image(astronaut)
    assert encoded.startswith(b"\x89PNG")
    np.testing.assert_array_equal(read_image(encoded), astronaut)


@pytest.mark.parametrize(
    ("fmt", "magic"),
    [("JPG", b"\xff\xd8"), (".jpeg", b"\xff\xd8"), ("webp", b"RIFF"), ("bmp", b"BM")],
)
def test_encode_accepts_format_spellings(astronaut, fmt, magic):
    assert encode_image(astronaut, fmt).startswith(magic)


def test_encode_unknown_format_is_refused(astronaut):
    with pytest.raises(ImageWriteError, match="format 'heic'"):
        encode_image(astronaut, "heic")

"""Hostile input to every command: hundreds of bad files, paths and numbers, made here.

Each must end in one ``fram: error: …`` line (status 2, no traceback) that names the file
or option, before anything is written; the odd inputs that are still photos (grey, RGBA,
16-bit, CMYK, EXIF-rotated) must work. Inputs are checked before any model loads, so most
cases cost milliseconds.
"""

from __future__ import annotations

import io
import json
import os
import socket
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

IS_ROOT = os.geteuid() == 0


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` and that has no pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture(scope="module")
def bad(tmp_path_factory, photo) -> Path:
    """A folder of hostile files, each named for what is wrong with it."""
    root = tmp_path_factory.mktemp("hostile")
    png = photo.read_bytes()
    jpeg = io.BytesIO()
    Image.open(photo).convert("RGB").save(jpeg, "JPEG")
    files = {
        "text.jpg": b"hello, not an image",
        "empty.png": b"",
        "truncated.png": png[: len(png) // 2],
        "truncated.jpg": jpeg.getvalue()[: len(jpeg.getvalue()) // 3],
        "header-only.png": png[:40],
        "huge-header.png": _png_header(100_000, 100_000),
        "zero-width.png": _png_header(0, 10),
        "random.png": np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes(),
        "html.png": b"<!doctype html><html><body>hi</body></html>",
        "svg.png": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
        "zip.png": _zip({"a.txt": b"a"}),
        "pdf.jpg": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
        "nul.png": b"\0" * 1000,
        "no-face.png": _encoded(np.full((64, 64, 3), 128, np.uint8), "PNG"),
        # recipes
        "syntax.json": b'{"lipstick": {"color": "#aa0000",}',
        "list.json": b"[1, 2, 3]",
        "types.json": b'{"lipstick": {"color": 12, "opacity": "lots"}}',
        "unknown.json": b'{"tattoo": {"color": "#000000"}}',
        "nan.json": b'{"lipstick": {"color": "#aa0000", "opacity": NaN}}',
        "infinity.json": b'{"lipstick": {"color": "#aa0000", "opacity": Infinity}}',
        "deep.json": _deep(100_000).encode(),
        "deep-object.json": ('{"a":' * 100_000 + "1" + "}" * 100_000).encode(),
        "huge.json": b'{"name": "' + b"x" * (2 << 20) + b'"}',
        "empty.json": b"",
        "binary.json": bytes(range(256)) * 4,
        "latin1.json": '{"name": "caf\xe9"}'.encode("latin-1"),
        "string.json": b'"lipstick"',
        # looks
        "text.fram": b"not a zip",
        "empty.fram": b"",
        "empty-zip.fram": _zip({}),
        "bad-manifest.fram": _zip({"look.json": b"{nope"}),
        "deep-manifest.fram": _zip({"look.json": _deep(100_000).encode()}),
        "wrong-format.fram": _zip({"look.json": b'{"format": "other", "version": 1}'}),
        "future.fram": _zip({"look.json": b'{"format": "fram-look", "version": 99}'}),
        "no-layer.fram": _zip({"look.json": b'{"format": "fram-look", "version": 1, "name": "x", "recipe": {}}'}),
        "truncated.fram": _zip({"look.json": b'{"format": "fram-look"}'})[:30],
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    (root / "folder.png").mkdir()
    (root / "folder.json").mkdir()
    (root / "folder.fram").mkdir()
    for name in ("fifo.png", "fifo.json", "fifo.fram"):
        os.mkfifo(root / name)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "socket.png"))
    sock.close()
    os.symlink(root / "nowhere.png", root / "dangling.png")
    os.symlink("loop.png", root / "loop.png")
    (root / "unreadable.png").write_bytes(png)
    (root / "unreadable.png").chmod(0)
    return root


def _encoded(pixels: np.ndarray, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt, **options)
    return buffer.getvalue()


BAD_IMAGES = [
    "text.jpg", "empty.png", "truncated.png", "truncated.jpg", "header-only.png", "huge-header.png", "zero-width.png",
    "random.png", "html.png", "svg.png", "zip.png", "pdf.jpg", "nul.png", "folder.png", "fifo.png", "socket.png",
    "dangling.png", "loop.png", "missing.png", "unreadable.png", "/dev/zero", "/dev/null", "/proc/self/status",
]
NO_FACE = ["no-face.png"]

# Each command with one image input, the input as {img}; outputs go to {out}/.
IMAGE_COMMANDS = {
    "landmarks": ["landmarks", "{img}", "-o", "{out}/l.json"],
    "regions": ["regions", "{img}", "-o", "{out}/m.npz"],
    "uv": ["uv", "{img}", "-o", "{out}/u.png"],
    "apply": ["apply", "{img}", "--style", "goth", "-o", "{out}/a.png", "--recipe", "{out}/r.json"],
    "transfer-source": ["transfer", "{img}", "preset:goth", "-o", "{out}/t.png"],
    "transfer-reference": ["transfer", "{photo}", "{img}", "-o", "{out}/t.png"],
    "transfer-lips": ["transfer", "{photo}", "--lips", "{img}", "-o", "{out}/t.png"],
    "remove": ["remove", "{img}", "-o", "{out}/b.png"],
    "extract": ["extract", "{img}", "-o", "{out}/x.fram"],
    "extract-uv": ["extract", "--uv", "{img}", "-o", "{out}/x.fram"],
    "embed": ["embed", "{img}", "-o", "{out}/v.npy"],
    "similar": ["similar", "{img}", "--gallery", "{gallery}", "--no-cache"],
    "describe": ["describe", "{img}"],
}
FAST_COMMANDS = ["landmarks", "uv", "apply", "transfer-source", "transfer-reference", "remove", "extract", "embed", "describe"]


def _argv(template: list[str], **values: object) -> list[str]:
    return [part.format(**{k: str(v) for k, v in values.items()}) for part in template]


def _named(name: str, bad: Path) -> Path:
    return Path(name) if name.startswith("/") else bad / name


def _check_refused(fails, out_dir: Path, argv: list[str], *, names: str | None = None) -> str:
    before = sorted(out_dir.iterdir())
    line = fails(*argv)
    assert sorted(out_dir.iterdir()) == before, "something was written"
    if names is not None:
        assert names in line, line
    return line


@pytest.fixture(scope="module")
def tiny_gallery(tmp_path_factory, photo) -> Path:
    root = tmp_path_factory.mktemp("tiny-gallery")
    (root / "a.png").write_bytes(photo.read_bytes())
    return root


@pytest.mark.parametrize("command", FAST_COMMANDS + ["regions", "transfer-lips", "extract-uv", "similar"])
@pytest.mark.parametrize("name", BAD_IMAGES)
def test_bad_image_is_refused_by_name(fails, bad, out_dir, photo, tiny_gallery, command, name):
    if name == "unreadable.png" and IS_ROOT:
        pytest.skip("root reads files whatever their permissions")
    path = _named(name, bad)
    argv = _argv(IMAGE_COMMANDS[command], img=path, out=out_dir, photo=photo, gallery=tiny_gallery)
    _check_refused(fails, out_dir, argv, names=Path(name).name if name != "/dev/zero" else "zero")


@pytest.mark.parametrize("command", ["landmarks", "apply", "transfer-source", "remove", "describe"])
def test_photo_without_a_face(fails, bad, out_dir, photo, tiny_gallery, command):
    argv = _argv(IMAGE_COMMANDS[command], img=bad / "no-face.png", out=out_dir, photo=photo, gallery=tiny_gallery)
    if command == "landmarks":  # no face is an answer here, not an error
        return
    assert "face" in _check_refused(fails, out_dir, argv)


BAD_RECIPES = ["syntax.json", "list.json", "types.json", "unknown.json", "nan.json", "infinity.json", "deep.json",
               "deep-object.json", "huge.json", "empty.json", "binary.json", "latin1.json", "string.json",
               "folder.json", "fifo.json", "missing.json"]
BAD_LOOKS = ["text.fram", "empty.fram", "empty-zip.fram", "bad-manifest.fram", "deep-manifest.fram", "wrong-format.fram",
             "future.fram", "no-layer.fram", "truncated.fram", "folder.fram", "fifo.fram", "missing.fram"]
RECIPE_COMMANDS = {
    "apply": ["apply", "{photo}", "--style", "{ref}", "-o", "{out}/a.png"],
    "transfer": ["transfer", "{photo}", "{ref}", "-o", "{out}/t.png"],
    "transfer-eyes": ["transfer", "{photo}", "--eyes", "{ref}", "-o", "{out}/t.png"],
}


@pytest.mark.parametrize("command", list(RECIPE_COMMANDS))
@pytest.mark.parametrize("name", BAD_RECIPES + BAD_LOOKS)
def test_bad_recipe_or_look_is_refused(fails, bad, out_dir, photo, command, name):
    if command == "transfer-eyes" and name.endswith(".fram"):
        pytest.skip("per-region references are photos, presets, words or recipes")
    argv = _argv(RECIPE_COMMANDS[command], photo=photo, ref=bad / name, out=out_dir)
    line = _check_refused(fails, out_dir, argv)
    assert name in line or "recipe" in line or "look" in line, line


@pytest.mark.parametrize("name", ["deep.json", "nan.json", "missing.json", "fifo.json"])
def test_bad_recipe_is_refused_before_the_photo_is_written(fails, bad, out_dir, photo, name):
    _check_refused(fails, out_dir, ["apply", str(photo), "--style", str(bad / name), "-o", str(out_dir / "a.png"),
                                    "--recipe", str(out_dir / "r.json")])


BAD_NUMBERS = [
    (["uv", "{photo}", "-o", "{out}/u.png", "--size", "{n}"], ["0", "-1", "15", "100000", "nan", "inf", "1e3", "2.5",
                                                                "abc", "", "9" * 5000, "0x10"], "--size"),
    (["uv-guide", "-o", "{out}/g.png", "--size", "{n}"], ["0", "64", "100000", "-5", "nan", "9" * 5000], "--size"),
    (["uv", "{photo}", "-o", "{out}/u.png", "--face", "{n}"], ["-1", "1e9", "abc", "1.5", "9" * 5000], "--face"),
    (["apply", "{photo}", "--style", "goth", "-o", "{out}/a.png", "--intensity", "{n}"],
     ["9", "-1", "nan", "inf", "-inf", "lips=x", "ears=1", "lips=nan", "lips=5", "", "1e309", "9" * 5000], "--intensity"),
    (["apply", "{photo}", "--style", "goth", "-o", "{out}/a.png", "--regions", "{n}"], ["ears", ",", "lips;eyes"], "--regions"),
    (["remove", "{photo}", "-o", "{out}/b.png", "--intensity", "{n}"], ["nan", "-2", "eyes=inf"], "--intensity"),
    (["transfer", "{photo}", "preset:goth", "-o", "{out}/t.png", "--seed", "{n}"],
     ["-1", str(2**32), str(2**70), "9" * 5000, "nan", "1.5"], "--seed"),
    (["transfer", "{photo}", "preset:goth", "-o", "{out}/t.png", "--steps", "{n}"], ["0", "-3", "1000001", "two"], "--steps"),
    (["transfer", "{photo}", "preset:goth", "-o", "{out}/t.png", "--colour-match", "{n}"],
     ["nan", "inf", "-1", "5", "x", "1" * 5000], "--colour-match"),
    (["similar", "{photo}", "--gallery", "{out}", "-k", "{n}"], ["0", "-5", "1e9", "9" * 50], "-k"),
    (["describe", "{photo}", "--top", "{n}"], ["0", "-1", "nan"], "--top"),
    (["eval", "--suite", "speed", "--engine", "none", "--out", "{out}/e", "--limit", "{n}"], ["0", "-1"], "--limit"),
    (["eval", "--suite", "speed", "--engine", "none", "--out", "{out}/e", "--repeat", "{n}"], ["0", "1e9"], "--repeat"),
    (["eval", "--suite", "speed", "--engine", "none", "--out", "{out}/e", "--threads", "{n}"], ["0", "-2"], "--threads"),
    (["eval", "--suite", "speed", "--engine", "none", "--out", "{out}/e", "--sizes", "{n}"], ["a,b", "0", "256,,512", "9" * 60], "--sizes"),
    (["synth", "--faces", "{photo}", "--out", "{out}/s", "--n", "{n}"], ["0", "-1", "many"], "--n"),
    (["synth", "--faces", "{photo}", "--out", "{out}/s", "--n", "1", "--val-fraction", "{n}"], ["nan", "1.5", "-0.1"],
     "--val-fraction"),
    (["synth", "--faces", "{photo}", "--out", "{out}/s", "--n", "1", "--workers", "{n}"], ["0", "-4"], "--workers"),
    (["synth", "--faces", "{photo}", "--out", "{out}/s", "--n", "1", "--per-face", "{n}"], ["0"], "--per-face"),
]


@pytest.mark.parametrize(("template", "value", "option"),
                         [(t, v, o) for t, values, o in BAD_NUMBERS for v in values],
                         ids=lambda x: x[:12] if isinstance(x, str) else None)
def test_bad_number_is_refused_in_cli_words(fails, out_dir, photo, template, value, option):
    line = _check_refused(fails, out_dir, _argv(template, photo=photo, out=out_dir, n=value))
    assert option in line, line
    assert len(line) < 300, "the message repeats a huge value"


def test_val_and_test_fractions_must_leave_training_data(fails, out_dir, photo):
    _check_refused(fails, out_dir, ["synth", "--faces", str(photo), "--out", str(out_dir / "s"), "--n", "1",
                                    "--val-fraction", "0.5", "--test-fraction", "0.5"], names="--val-fraction")


# Commands with outputs; {o} is the output under test, {photo} the input.
OUTPUT_COMMANDS = {
    "landmarks": ["landmarks", "{photo}", "-o", "{o}"],
    "regions": ["regions", "{photo}", "-o", "{o}"],
    "uv": ["uv", "{photo}", "-o", "{o}"],
    "uv-visibility": ["uv", "{photo}", "-o", "{out}/u.png", "--visibility", "{o}"],
    "uv-guide": ["uv-guide", "-o", "{o}"],
    "apply": ["apply", "{photo}", "--style", "goth", "-o", "{o}"],
    "apply-recipe": ["apply", "{photo}", "--style", "goth", "-o", "{out}/a.png", "--recipe", "{o}"],
    "transfer": ["transfer", "{photo}", "preset:goth", "-o", "{o}"],
    "remove": ["remove", "{photo}", "-o", "{o}"],
    "extract": ["extract", "{photo}", "-o", "{o}"],
    "embed": ["embed", "{photo}", "-o", "{o}"],
    "similar": ["similar", "{photo}", "--gallery", "{gallery}", "-o", "{o}"],
    "similar-index": ["similar", "{photo}", "--gallery", "{gallery}", "--index", "{o}"],
}
BAD_OUTPUTS = {
    "a folder": "{out}",
    "a folder with a slash": "{out}/sub/",
    "in a missing folder": "{out}/missing/x{ext}",
    "under a file": "{photo}/x{ext}",
    "/proc": "/proc/fram-test{ext}",
    "/dev/null": "/dev/null",
    "a fifo": "{fifo}",
}


@pytest.mark.parametrize("kind", list(BAD_OUTPUTS))
@pytest.mark.parametrize("command", list(OUTPUT_COMMANDS))
def test_bad_output_is_refused_before_work(fails, tmp_path, out_dir, photo, tiny_gallery, command, kind):
    ext = {"landmarks": ".json", "regions": ".npz", "apply-recipe": ".json", "extract": ".fram", "embed": ".npy",
           "similar-index": ".npz"}.get(command, ".png")
    (out_dir / "sub").mkdir()
    fifo = tmp_path / f"fifo{ext}"
    os.mkfifo(fifo)
    target = BAD_OUTPUTS[kind].format(out=out_dir, photo=photo, ext=ext, fifo=fifo)
    argv = _argv(OUTPUT_COMMANDS[command], photo=photo, o=target, out=out_dir, gallery=tiny_gallery)
    line = _check_refused(fails, out_dir, argv)
    assert "cannot write" in line or "not a folder" in line, line
    assert not Path("/proc/fram-test" + ext).exists()


@pytest.mark.parametrize("command", [c for c in OUTPUT_COMMANDS if c not in ("uv-guide", "uv-visibility", "apply-recipe")])
def test_output_over_an_input_needs_force(fails, tmp_path, out_dir, command, photo, tiny_gallery):
    own = tmp_path / ("copy" + {"landmarks": ".json", "regions": ".npz", "extract": ".fram", "embed": ".npy",
                                "similar-index": ".npz"}.get(command, ".png"))
    own.write_bytes(photo.read_bytes())
    argv = _argv(OUTPUT_COMMANDS[command], photo=own, o=own, out=out_dir, gallery=tiny_gallery)
    line = _check_refused(fails, out_dir, argv, names="--force")
    assert "copy" in line
    assert own.read_bytes() == photo.read_bytes(), "the input changed"


def test_force_replaces_the_input(cli, tmp_path, photo):
    own = tmp_path / "mine.png"
    own.write_bytes(photo.read_bytes())
    result = cli("apply", own, "--style", "goth", "-o", own, "--force")
    assert result.code == 0, result.err
    assert own.read_bytes() != photo.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name != "home"] == ["mine.png"]


def test_same_output_twice_is_refused(fails, out_dir, photo):
    _check_refused(fails, out_dir, ["uv", str(photo), "-o", str(out_dir / "u.png"), "--visibility", str(out_dir / "u.png")],
                   names="two outputs")
    _check_refused(fails, out_dir, ["apply", str(photo), "--style", "goth", "-o", str(out_dir / "a.json"),
                                    "--recipe", str(out_dir / "a.json")])


@pytest.mark.skipif(IS_ROOT, reason="root writes into read-only folders")
@pytest.mark.parametrize("command", list(OUTPUT_COMMANDS))
def test_read_only_folder_is_refused(fails, tmp_path, out_dir, photo, tiny_gallery, command):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    argv = _argv(OUTPUT_COMMANDS[command], photo=photo, o=locked / "x.png", out=out_dir, gallery=tiny_gallery)
    _check_refused(fails, out_dir, argv, names="not writable")


@pytest.mark.parametrize("argv", [
    ["similar", "{photo}", "--gallery", "{photo}"],
    ["similar", "{photo}", "--gallery", "{out}/missing"],
    ["eval", "--suite", "speed", "--engine", "none", "--out", "{photo}/e"],
    ["eval", "--suite", "real", "--engine", "none", "--out", "{out}/e", "--data", "{photo}"],
    ["synth", "--faces", "{photo}", "--n", "1", "--out", "{photo}"],
    ["apply", "{photo}", "-o", "{out}/a.png"],
    ["apply", "{photo}", "--style", "goth", "--text", "red lips", "-o", "{out}/a.png"],
    ["extract", "{photo}", "-o", "{out}/look.png"],
    ["extract", "-o", "{out}/look.fram"],
    ["apply", "{photo}", "--look", "{out}/x.fram", "--recipe", "{out}/r.json", "-o", "{out}/a.png"],
    ["transfer", "{photo}", "-o", "{out}/t.png"],
    ["uv", "{photo}", "-o", "{out}/u.xyz"],
    ["apply", "{photo}", "--style", "goth", "-o", "{out}/a"],
    ["apply", "{photo}", "--style", "no-such-preset", "-o", "{out}/a.png"],
    ["transfer", "{photo}", "preset:goth", "--engine", "nope", "-o", "{out}/t.png"],
    ["nope"],
    [],
])
def test_misuse_is_one_line(fails, out_dir, photo, argv):
    _check_refused(fails, out_dir, _argv(argv, photo=photo, out=out_dir))


WORKING = {
    "grey.png": lambda rgb: _encoded(np.asarray(Image.fromarray(rgb).convert("L")), "PNG"),
    "rgba.png": lambda rgb: _encoded(np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)]), "PNG"),
    "16bit.png": lambda rgb: _sixteen_bit(rgb),
    "cmyk.jpg": lambda rgb: _save(Image.fromarray(rgb).convert("CMYK"), "JPEG"),
    "palette.gif": lambda rgb: _save(Image.fromarray(rgb).convert("P"), "GIF"),
    "rotated.jpg": lambda rgb: _rotated(rgb),
    "photo.webp": lambda rgb: _encoded(rgb, "WEBP"),
    "photo.tiff": lambda rgb: _encoded(rgb, "TIFF"),
    "photo.bmp": lambda rgb: _encoded(rgb, "BMP"),
    "upper.PNG": lambda rgb: _encoded(rgb, "PNG"),
    "no-extension": lambda rgb: _encoded(rgb, "PNG"),
    "wrong-extension.jpg": lambda rgb: _encoded(rgb, "PNG"),
}


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _sixteen_bit(rgb: np.ndarray) -> bytes:
    grey = np.asarray(Image.fromarray(rgb).convert("L")).astype(np.uint16) * 257
    return _save(Image.fromarray(grey), "PNG")


def _rotated(rgb: np.ndarray) -> bytes:
    """The photo stored on its side with an EXIF tag saying to turn it upright, as phones do."""
    image = Image.fromarray(np.ascontiguousarray(np.rot90(rgb, 1)))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to view
    return _save(image, "JPEG", exif=exif.tobytes())


@pytest.mark.parametrize("name", list(WORKING))
def test_odd_but_real_photos_work(cli, tmp_path, astronaut, name):
    path = tmp_path / name
    path.write_bytes(WORKING[name](astronaut))
    result = cli("landmarks", path)
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert (doc["image"]["height"], doc["image"]["width"]) == astronaut.shape[:2]
    assert len(doc["faces"]) == 1


def test_argv_with_odd_characters(cli, tmp_path, photo, out_dir):
    odd = tmp_path / "ünï cödé -o; $(x) 'q'.png"
    odd.write_bytes(photo.read_bytes())
    result = cli("uv", odd, "-o", out_dir / "ü.png")
    assert result.code == 0, result.err
    assert (out_dir / "ü.png").is_file()

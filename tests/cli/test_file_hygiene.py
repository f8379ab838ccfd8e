"""What fram leaves on disk: outputs with the user's usual permissions, no temporary file
after a kill, all outputs of a command or none, the gallery index only where the user
can see it (FRAM_CACHE); and a CLI whose every option explains itself."""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fram.cli import build_parser
from fram.errors import ImageWriteError
from fram.face.image_io import write_files

ROOT = Path(__file__).resolve().parents[2]

# A fram whose fsync announces itself and then hangs, so the test can kill it mid-write.
HANGING_WRITE = """
import os, sys, time
def hang(fd):
    print("writing", flush=True)
    time.sleep(120)
os.fsync = hang
from fram.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture
def umask():
    def set_mask(mask: int) -> None:
        os.umask(mask)

    old = os.umask(0o022)
    os.umask(old)
    yield set_mask
    os.umask(old)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_every_output_gets_the_umask_permissions(cli, umask, out_dir, photo, mask):
    umask(mask)
    outputs = {
        "landmarks": ["landmarks", photo, "-o", out_dir / "l.json"],
        "regions": ["regions", photo, "-o", out_dir / "m.npz"],
        "apply": ["apply", photo, "--style", "goth", "-o", out_dir / "a.png", "--recipe", out_dir / "r.json"],
    }
    for argv in outputs.values():
        assert cli(*argv).code == 0
    modes = {p.name: p.stat().st_mode & 0o777 for p in out_dir.iterdir()}
    assert modes == dict.fromkeys(["l.json", "m.npz", "a.png", "r.json"], 0o666 & ~mask)


def _hanging_fram(*argv: object) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    # A shell starts background jobs with SIGINT ignored, and children inherit that: a
    # test run started with `&` would send SIGINT to a fram that cannot hear it.
    process = subprocess.Popen([sys.executable, "-c", HANGING_WRITE, *map(str, argv)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert process.stdout.readline().strip() == "writing", process.stderr.read()
    return process


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_no_temporary_file_survives_a_kill(out_dir, sig):
    (out_dir / "g.png").write_bytes(b"the old guide")
    process = _hanging_fram("uv-guide", "--size", "128", "-o", out_dir / "g.png")
    process.send_signal(sig)
    process.wait(timeout=60)
    assert sorted(p.name for p in out_dir.iterdir()) == ["g.png"]
    assert (out_dir / "g.png").read_bytes() == b"the old guide"
    if sig != signal.SIGKILL:
        assert "Traceback" not in process.stderr.read()
        assert process.returncode in (128 + sig, 130)


def test_outputs_are_written_all_or_none(tmp_path):
    first = tmp_path / "image.png"
    first.write_bytes(b"old")
    with pytest.raises(ImageWriteError, match="fram-test"):
        write_files({first: b"new", Path("/proc/fram-test.json"): b"{}"})
    assert first.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["image.png"]
    write_files({first: b"new", tmp_path / "recipe.json": b"{}"})
    assert first.read_bytes() == b"new" and (tmp_path / "recipe.json").read_bytes() == b"{}"


def test_similar_keeps_its_index_in_fram_cache(cli, monkeypatch, tmp_path, photo, gallery):
    cache = tmp_path / "my-cache"
    monkeypatch.setenv("FRAM_CACHE", str(cache))
    result = cli("similar", photo, "--gallery", gallery, "-k", "1")
    assert result.code == 0, result.err
    assert [p.suffix for p in (cache / "makeup-index").iterdir()] == [".npz"]
    assert not (tmp_path / "home" / ".cache").exists()


def test_fram_cache_that_is_a_file_is_one_line(fails, monkeypatch, tmp_path, photo, gallery):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("FRAM_CACHE", str(tmp_path / "file"))
    assert "FRAM_CACHE" in fails("similar", photo, "--gallery", gallery)


def test_similar_index_in_a_missing_folder_is_refused(fails, tmp_path, out_dir, photo, gallery):
    assert "does not exist" in fails("similar", photo, "--gallery", gallery, "--index", out_dir / "no" / "i.npz")
    assert not (out_dir / "no").exists()


def test_help_names_the_cache(cli):
    assert "FRAM_CACHE" in " ".join(cli("similar", "--help").out.split())


def _commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_option_and_argument_has_help():
    parsers = {"fram": build_parser(), **_commands()}
    missing = [f"{name} {action.dest}" for name, parser in parsers.items() for action in parser._actions
               if not action.help]
    assert missing == []


def test_every_command_that_reads_and_writes_files_has_force():
    # batch writes new files into OUT_DIR and never reads OUT_DIR as input, so no output can be an input
    without = [name for name, parser in _commands().items() if name != "batch"
               and {"output", "index"} & {a.dest for a in parser._actions}
               and not {"image", "source", "images", "query", "reference"}.isdisjoint(a.dest for a in parser._actions)
               and "force" not in {a.dest for a in parser._actions}]
    assert without == []


def test_version(cli):
    from fram import __version__

    result = cli("--version")
    assert result.code == 0 and result.out.strip() == f"fram {__version__}"


def test_messages_speak_cli_not_python():
    """No user-facing error (not a programmer's ValueError) sends a user to a Python name (``see list_presets()``)."""
    pattern = re.compile(r"""(?<!Value)(?<!Type)(?<!Index)(?<!Key)(?<!Runtime)Error\(\s*f?["'][^"']*\b(?:see|use|call|run|with)\s+[\w.]+\(\)""")
    offenders = []
    for path in (ROOT / "fram").rglob("*.py"):
        text = path.read_text()
        offenders += [f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}" for m in pattern.finditer(text)]
    assert offenders == []


@pytest.mark.parametrize(("raised", "message"), [
    (PermissionError(13, "Permission denied", "/some/file.png"), "'/some/file.png': Permission denied"),
    (MemoryError(), "not enough memory"),
])
def test_what_the_system_refuses_is_one_line(fails, monkeypatch, out_dir, raised, message):
    from fram.cli import face_commands

    def refuse(args):
        raise raised

    monkeypatch.setattr(face_commands, "cmd_uv_guide", refuse)
    assert message in fails("uv-guide", "-o", out_dir / "g.png")


@pytest.mark.parametrize("raised", [RuntimeError("a bug"), OSError(5, "Input/output error"), RecursionError()])
def test_bugs_keep_their_traceback(monkeypatch, out_dir, raised):
    from fram.cli import face_commands, main

    def crash(args):
        raise raised

    monkeypatch.setattr(face_commands, "cmd_uv_guide", crash)
    with pytest.raises(type(raised)):
        main(["uv-guide", "-o", str(out_dir / "g.png")])


def test_a_failed_rename_puts_back_the_outputs_already_renamed(monkeypatch, tmp_path):
    """Fault injection: the second of two renames fails (a full disk, a removed folder)."""
    first, second = tmp_path / "image.png", tmp_path / "recipe.json"
    first.write_bytes(b"old image")
    real_replace, calls = os.replace, []

    def failing_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_second)
    with pytest.raises(ImageWriteError, match="recipe.json"):
        write_files({first: b"new image", second: b"{}"})
    assert first.read_bytes() == b"old image" and not second.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["image.png"]

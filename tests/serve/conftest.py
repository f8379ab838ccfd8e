"""A real ``fram serve`` process on a free loopback port, and the photos the tests send."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="fram serve needs the [serve] extra")
pytest.importorskip("httpx", reason="the API tests talk to the server with httpx")

BARE = "makeup-photos-extra/bare/makeup_transfer__Code_Final_Images_target_02.jpg"
MADE_UP = "makeup-photos/makeup/XMY-112.png"
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(*args: str) -> tuple[subprocess.Popen, str]:
    """``python -m fram.cli serve`` on a free port; returns once /health answers."""
    import httpx

    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen([sys.executable, "-m", "fram.cli", "serve", "--port", str(port), *args], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"fram serve exited: {process.stderr.read()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("fram serve did not answer /health within 120 s")


@pytest.fixture(scope="session")
def server_url():
    process, url = start_server("--workers", "2", "--queue", "16")
    yield url
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def bare_path(shared_data) -> Path:
    path = shared_data / BARE
    if not path.is_file():
        pytest.skip(f"{BARE} not in the shared data")
    return path


@pytest.fixture(scope="session")
def made_up_path(shared_data) -> Path:
    path = shared_data / MADE_UP
    if not path.is_file():
        pytest.skip(f"{MADE_UP} not in the shared data")
    return path


@pytest.fixture(scope="session")
def client():
    from fastapi.testclient import TestClient

    from fram.serve import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def makeup_check():
    """``check(source, result)``: the result is the source's size, its lips changed, and
    nothing far from the face (outside the face box grown by half its size) changed."""
    import numpy as np

    from fram.face.landmarks import detect_face
    from fram.face.regions import region_masks

    def check(source: np.ndarray, result: np.ndarray, *, lips_change: float = 6.0) -> None:
        assert result.shape == source.shape
        face = detect_face(source)
        lips = region_masks(source, face).full("lips") > 0.5
        assert lips.sum() > 100
        difference = np.abs(result.astype(np.int16) - source.astype(np.int16)).max(axis=2)
        assert difference[lips].mean() > lips_change, f"lips barely changed ({difference[lips].mean():.2f} levels)"
        x0, y0, x1, y1 = face.bbox
        w, h = x1 - x0, y1 - y0
        far = np.ones(lips.shape, bool)
        far[max(0, round(y0 - h / 2)):round(y1 + h / 2), max(0, round(x0 - w / 2)):round(x1 + w / 2)] = False
        assert far.any()
        assert difference[far].max() == 0, f"{(difference[far] > 0).sum()} pixels far from the face changed"

    return check

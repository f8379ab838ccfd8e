"""The service's bounds: upload size, pixel count, a full queue, a slow job, many clients."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from fram.face.image_io import read_image

pytestmark = pytest.mark.data


@pytest.fixture
def small_client():
    from fastapi.testclient import TestClient

    from fram.serve import ServeSettings, create_app

    settings = ServeSettings(max_upload=300_000, max_pixels=200_000, workers=1, queue_size=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_above_the_upload_cap_is_413(small_client):
    response = small_client.post("/v1/apply", files={"source": ("big.png", b"\0" * 400_000)}, data={"style": "goth"})
    assert response.status_code == 413 and "limit" in response.json()["error"]

    head = b'--x\r\nContent-Disposition: form-data; name="source"; filename="big.png"\r\n\r\n'

    def chunks():  # a well-formed multipart body with no Content-Length: counted as it streams
        yield head
        for _ in range(40):
            yield b"\0" * 10_000
        yield b"\r\n--x--\r\n"

    streamed = small_client.post("/v1/apply", content=chunks(), headers={"content-type": "multipart/form-data; boundary=x"})
    assert streamed.status_code == 413 and "limit" in streamed.json()["error"]


def test_too_many_pixels_is_400(small_client, bare_path):
    response = small_client.post("/v1/apply", files={"source": (bare_path.name, bare_path.read_bytes())}, data={"style": "goth"})
    assert response.status_code == 400 and "pixels" in response.json()["error"]


def test_a_full_queue_is_503_with_retry_after(small_client, shared_data):
    photo = (shared_data / "makeup-photos/non-makeup/xfsy_0435.png").read_bytes()
    release = threading.Event()
    pool = small_client.app.state.pool
    small_client.portal.start_task_soon(pool.run, lambda: release.wait(30))  # the only worker, busy
    deadline = time.monotonic() + 10
    while pool.in_progress == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        response = small_client.post("/v1/apply", files={"source": ("a.png", photo)}, data={"style": "goth"})
        assert response.status_code == 503 and int(response.headers["retry-after"]) > 0
        assert "busy" in response.json()["error"]
    finally:
        release.set()
    while pool.in_progress and time.monotonic() < deadline:
        time.sleep(0.01)
    assert small_client.post("/v1/apply", files={"source": ("a.png", photo)}, data={"style": "goth"}).status_code == 200


def test_a_slow_job_times_out_and_keeps_its_slot_until_done():
    from fram.serve.work import WorkPool, WorkTimeoutError

    pool = WorkPool(workers=1, queue_size=0, timeout=0.2)
    release = threading.Event()

    async def scenario():
        with pytest.raises(WorkTimeoutError):
            await pool.run(lambda: release.wait(5))
        assert pool.in_progress == 1  # the thread still runs: its slot is not given away
        release.set()
        for _ in range(100):
            if not pool.in_progress:
                break
            await asyncio.sleep(0.02)
        return await pool.run(lambda: 7)

    try:
        assert asyncio.run(scenario()) == 7
    finally:
        pool.close()


def test_concurrent_clients_on_a_real_server(server_url, bare_path, makeup_check):
    import httpx

    body = bare_path.read_bytes()

    def one(i: int):
        return httpx.post(f"{server_url}/v1/apply", files={"source": ("a.jpg", body)}, data={"style": "red-carpet"}, timeout=120)

    with ThreadPoolExecutor(8) as clients:
        responses = list(clients.map(one, range(16)))
    assert [r.status_code for r in responses] == [200] * 16
    first = read_image(responses[0].content)
    makeup_check(read_image(body), first)
    assert all(np.array_equal(read_image(r.content), first) for r in responses[1:])  # no cross-talk between threads

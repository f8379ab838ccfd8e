"""Load on a real ``fram serve``: 16 concurrent loopback clients send 64 requests (apply
a preset, transfer from a photo, remove), then errors, p50/p95 latency, throughput and
the server's peak RSS are printed as a Markdown section for docs/benchmarks.md.

    python benchmarks/serve_load.py                  # needs ../shared/data
    python benchmarks/serve_load.py --workers 4 --size 1024
"""

from __future__ import annotations

import argparse
import glob
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import httpx
import numpy as np

from fram.face.image_io import encode_image, read_image
from fram.makeup.presets import list_presets

REPO = Path(__file__).resolve().parents[1]


def launch(workers: int, queue: int) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "fram.cli", "serve", "--port", str(port), "--workers", str(workers),
                               "--queue", str(queue)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(url + "/health", timeout=1).raise_for_status()
            return server, url
        except httpx.HTTPError:
            if server.poll() is not None:
                sys.exit("fram serve exited before answering /health")
            time.sleep(0.2)
    server.kill()
    sys.exit("fram serve did not start within 120 s")


def peak_rss_mb(pid: int) -> float:
    """The process's high-water resident set (Linux /proc VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def requests_to_send(source: bytes, reference: bytes, count: int) -> list[tuple[str, dict, dict]]:
    """Half applies (presets in turn), a quarter transfers from a photo, a quarter removals."""
    presets = list_presets()
    out = []
    for i in range(count):
        if i % 4 < 2:
            out.append(("/v1/apply", {"source": ("s.png", source)}, {"style": presets[i % len(presets)]}))
        elif i % 4 == 2:
            out.append(("/v1/transfer", {"source": ("s.png", source), "reference": ("r.png", reference)}, {}))
        else:
            out.append(("/v1/remove", {"source": ("r.png", reference)}, {}))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--requests", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--size", type=int, default=512, help="photo side in px")
    args = ap.parse_args()
    side = (args.size, args.size)
    source = encode_image(cv2.resize(read_image(sorted(glob.glob(f"{args.data}/makeup-photos/non-makeup/*.png"))[0]), side), "png")
    reference = encode_image(cv2.resize(read_image(sorted(glob.glob(f"{args.data}/makeup-photos/makeup/*.png"))[0]), side), "png")
    jobs = requests_to_send(source, reference, args.requests)

    server, url = launch(args.workers, queue=args.clients)
    try:
        with httpx.Client(timeout=300) as client:
            def send(job):
                path, files, data = job
                start = time.perf_counter()
                response = client.post(url + path, files=files, data=data)
                return path, response.status_code, time.perf_counter() - start

            send(jobs[0])  # warm-up: thumbnails and lazy parts are not what is measured
            start = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                results = list(pool.map(send, jobs))
            wall = time.perf_counter() - start
        rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    latency = np.array([r[2] for r in results]) * 1000
    errors = [r for r in results if r[1] != 200]
    print(f"### `fram serve` under load ({args.clients} clients, {args.requests} requests, {args.workers} workers, {args.size} px photos)\n")
    print("| endpoint | requests | errors | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|---:|")
    for path in sorted({r[0] for r in results}):
        mine = [r for r in results if r[0] == path]
        times = np.array([r[2] for r in mine]) * 1000
        print(f"| `{path}` | {len(mine)} | {sum(r[1] != 200 for r in mine)} | {np.percentile(times, 50):.0f} | {np.percentile(times, 95):.0f} |")
    print(f"| all | {len(results)} | {len(errors)} | {np.percentile(latency, 50):.0f} | {np.percentile(latency, 95):.0f} |\n")
    print(f"Throughput {len(results) / wall:.2f} requests/s; server peak RSS {rss:.0f} MB. "
          f"Status codes of errors: {sorted({r[1] for r in errors}) or 'none'}. "
          "Latency counts queueing: with more clients than workers, most of it is waiting for a worker.")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

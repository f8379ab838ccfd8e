"""The same job as Ray tasks on a local Ray instance (skipped without Ray)."""

from __future__ import annotations

import pytest

from conftest import small_config
from fram.data.synth import synthesize

ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'fram[ray]'")


def test_ray_job_equals_local_job(tmp_path, face_folder, built, makeup_folder):
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        out = tmp_path / "ray"
        synthesize(small_config(face_folder, makeup_folder), out, ray_address="local", progress=False, card=False, log=lambda m: None)
    finally:
        ray.shutdown()
    shards = lambda root: {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.tar"))}  # noqa: E731
    assert shards(out) == shards(built)

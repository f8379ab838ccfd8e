"""The synthesis job: plan shards, build them on processes or a Ray cluster, resume.

``synthesize(config)`` turns folders of bare faces into identity-split shards of
before/after pairs (and, optionally, folders of real made-up faces into unpaired UV
shards), then writes ``index.json`` and the dataset card.

Determinism: the faces are shuffled by the seed, split by a hash of their identity,
and cut into shards of ``faces_per_shard``; every face draws its looks from its own
random stream ``(seed, face index)``, and the renderer (numpy) runs on one thread,
so the bytes of every shard depend only on the config, never on the number of
workers, the scheduling or an interruption.

Resumability: a shard is written (tar, then sidecar) only when complete; on restart
finished shards are kept, anything half-written is deleted, and the plan is replayed.
To reach exactly ``n`` pairs despite rejected faces, the job runs in rounds: each
round plans just enough shards (each with a pair quota) for the pairs still missing,
from faces not used yet. Rounds depend only on earlier rounds' results, so a resumed
job plans the same shards.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fram.errors import FramError
from fram.data.pairs import QualityOptions, Rejection, add_looks, analyse_photo, face_rng
from fram.data.card import write_card
from fram.data.shards import clean_partial, load_sidecars, pack_tar, read_sidecar, shard_dir, write_atomic, write_json_atomic, write_shard
from fram.data.sources import SPLITS, identities_digest, list_faces
from fram.data.synth_plan import PairPlanner, ShardJob, SynthConfig, plan_unpaired
from fram.parallel import TaskRunner, exit_on_sigterm, keep_freed_memory

FORMAT = "fram-synth/1"


@dataclass
class ShardResult:
    job: ShardJob
    payload: bytes
    sidecar: dict[str, Any]
    seconds: float
    cpu_seconds: float


# --------------------------------------------------------------------------- building


def build_shard(job: ShardJob) -> ShardResult:
    """Build one shard in memory (any process: the pool, a Ray worker or this one)."""
    from fram.face.landmarks import default_landmarker

    keep_freed_memory()
    start, cpu_start = time.perf_counter(), time.process_time()
    landmarker = default_landmarker()
    quality = QualityOptions(**job.quality)
    records, entries, rejections = [], [], []
    pairs = 0
    for index, path, identity in job.faces:
        if job.quota is not None and pairs >= job.quota:
            break
        key = f"f{index:07d}"
        record, rejection = analyse_photo(path, identity, key, landmarker, job.uv_size, quality)
        if rejection is not None:
            rejections.append(_rejection_doc(rejection))
            continue
        record.meta["split"] = job.split
        if job.kind == "pairs":
            k = job.per_face if job.quota is None else min(job.per_face, job.quota - pairs)
            add_looks(record, k, face_rng(job.seed, index))
            pairs += record.num_pairs
        records.append((key, record.to_fields()))
        entries.append(_entry_doc(record.meta))
    payload = pack_tar(records)
    sidecar = {
        "format": FORMAT,
        "name": job.name,
        "kind": job.kind,
        "split": job.split,
        "plan": job.plan_doc(),
        "faces_seen": len(entries) + len(rejections),
        "faces": len(entries),
        "pairs": pairs,
        "bytes": len(payload),
        "records": entries,
        "rejected": rejections,
    }
    return ShardResult(
        job=job, payload=payload, sidecar=sidecar,
        seconds=time.perf_counter() - start, cpu_seconds=time.process_time() - cpu_start,
    )


def _rejection_doc(rejection: Rejection) -> dict[str, str]:
    return {"identity": rejection.identity, "reason": rejection.reason, "detail": rejection.detail}


def _entry_doc(meta: dict[str, Any]) -> dict[str, Any]:
    """The per-face summary kept in the sidecar (the full annotations are in the tar)."""
    entry = {k: meta[k] for k in ("key", "identity", "source", "ita", "ita_category", "skin_lab", "pose", "face_width")}
    looks = meta.get("looks", [])
    entry["styles"] = [look["style"] for look in looks]
    entry["texts"] = [look["text"] for look in looks]
    return entry


# --------------------------------------------------------------------------- running


class SynthInterrupted(RuntimeError):
    """Raised by ``synthesize(stop_after=...)``: the job stopped early on purpose."""


@dataclass
class SynthReport:
    """What a run did: totals over the whole dataset, and this run's own throughput."""

    out: str
    pairs: int
    faces: int
    unpaired_faces: int
    new_pairs: int
    new_faces: int
    seconds: float
    shard_cpu_seconds: float
    rejected: dict[str, int]

    @property
    def pairs_per_second(self) -> float:
        return self.new_pairs / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        return (
            f"{self.pairs} pairs from {self.faces} faces (+{self.unpaired_faces} unpaired) in {self.out}; "
            f"this run: {self.new_pairs} pairs, {self.new_faces} faces in {self.seconds:.1f} s "
            f"= {self.pairs_per_second:.1f} pairs/s"
        )


def _code_version() -> str | None:
    """The git commit of this fram checkout (``+dirty`` with local changes), if any."""
    import subprocess

    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if commit.returncode != 0:
        return None
    return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def _check_config(out: Path, cfg: SynthConfig, digest: dict[str, str]) -> None:
    doc = {"format": FORMAT, "config": cfg.to_dict(), "inputs": digest}
    path = out / "config.json"
    if path.is_file():
        old = json.loads(path.read_text(encoding="utf-8"))
        if old != json.loads(json.dumps(doc)):
            raise FramError(
                f"{out} holds a dataset made with other settings or photos; "
                "resume with the same arguments or choose a new --out"
            )
    else:
        write_json_atomic(path, doc)


def synthesize(
    cfg: SynthConfig,
    out: str | os.PathLike[str],
    *,
    workers: int = 1,
    ray_address: str | None = None,
    progress: bool = True,
    card: bool = True,
    stop_after: int | None = None,
    log: Callable[[str], None] | None = None,
) -> SynthReport:
    """Build (or finish building) the dataset of ``cfg`` in ``out``.

    With ``workers > 1`` the workers are spawned processes, so a script that calls this
    needs the usual ``if __name__ == "__main__":`` guard.

    Args:
        workers: local processes (spawned; each makes its own landmarker).
        ray_address: run every shard as a Ray task instead (``"local"`` starts Ray here;
            an already initialised Ray is used as it is).
        progress: show a progress bar on stderr.
        card: write the dataset card when done.
        stop_after: stop after writing this many shards (to test resumption).
    """
    from tqdm import tqdm

    log = log or (lambda message: print(message, file=sys.stderr))
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    removed = clean_partial(root)
    if removed:
        log(f"removed {len(removed)} unfinished file(s) of an interrupted run")
    faces = list_faces(cfg.faces)
    unpaired = list_faces(cfg.unpaired) if cfg.unpaired else []
    _check_config(root, cfg, {"faces": identities_digest(faces), "unpaired": identities_digest(unpaired)})
    from fram.face.templates import uv_templates

    if not (root / "regions.npz").is_file():
        import io

        buffer = io.BytesIO()
        np.savez_compressed(buffer, **uv_templates(cfg.uv_size))
        write_atomic(root / "regions.npz", buffer.getvalue())

    planner = PairPlanner(cfg, faces)
    # Workers never write files (only this process does, atomically), so a SIGTERM can
    # lose work in flight but never leave a partial shard.
    restore = exit_on_sigterm()
    runner = TaskRunner(build_shard, workers=workers, ray_address=ray_address, what="fram synth --ray")
    start = time.perf_counter()
    new_pairs = new_faces = written = 0
    shard_cpu = 0.0
    bar = tqdm(total=cfg.n, unit="pair", disable=not progress, dynamic_ncols=True, desc="synth")
    extra = plan_unpaired(cfg, unpaired)
    try:
        while True:
            jobs = planner.next_round() + extra
            extra = []
            if not jobs:
                break
            todo = []
            for job in jobs:
                sidecar = read_sidecar(root / job.relpath)
                if sidecar is not None and sidecar.get("plan") == job.plan_doc():
                    if job.kind == "pairs":
                        planner.record(job, sidecar)
                        bar.update(int(sidecar["pairs"]))
                    continue
                todo.append(job)
            for result in runner.run(todo):
                write_shard(root / result.job.relpath, result.payload, result.sidecar)
                if result.job.kind == "pairs":
                    planner.record(result.job, result.sidecar)
                    new_pairs += int(result.sidecar["pairs"])
                    bar.update(int(result.sidecar["pairs"]))
                new_faces += int(result.sidecar["faces"])
                shard_cpu += result.cpu_seconds
                elapsed = time.perf_counter() - start
                bar.set_postfix_str(f"{new_pairs / max(elapsed, 1e-9):.1f} pairs/s, {new_faces} faces")
                written += 1
                if stop_after is not None and written >= stop_after:
                    raise SynthInterrupted(f"stopped after {written} shard(s) as asked")
    finally:
        bar.close()
        runner.close()
        restore()
    seconds = time.perf_counter() - start
    if new_faces:
        with open(root / "runs.jsonl", "a", encoding="utf-8") as handle:
            run = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "commit": _code_version(), "pairs": new_pairs, "faces": new_faces,
                   "seconds": round(seconds, 2), "shard_cpu_seconds": round(shard_cpu, 2),
                   "workers": workers, "ray": ray_address is not None}
            handle.write(json.dumps(run) + "\n")
    index = write_index(root)
    report = SynthReport(
        out=str(root), pairs=index["counts"]["pairs"], faces=index["counts"]["faces"],
        unpaired_faces=index["counts"]["unpaired_faces"], new_pairs=new_pairs, new_faces=new_faces,
        seconds=seconds, shard_cpu_seconds=shard_cpu, rejected=index["counts"]["rejected"],
    )
    if card:
        write_card(root)
    log(report.line())
    return report


def write_index(root: str | os.PathLike[str]) -> dict[str, Any]:
    """Write ``index.json``: every finished shard with its split and counts."""
    root = Path(root)
    config = json.loads((root / "config.json").read_text(encoding="utf-8"))
    shards = []
    rejected: dict[str, int] = {}
    counts = {"pairs": 0, "faces": 0, "unpaired_faces": 0, "faces_seen": 0}
    splits: dict[str, dict[str, dict[str, int]]] = {
        kind: {s: {"faces": 0, "pairs": 0, "shards": 0} for s in SPLITS} for kind in ("pairs", "unpaired")
    }
    for kind in ("pairs", "unpaired"):
        for side in load_sidecars(root, kind):
            shards.append(
                {"file": f"{shard_dir(kind)}/{side['name']}.tar", "kind": kind, "split": side["split"],
                 "faces": side["faces"], "pairs": side["pairs"], "bytes": side["bytes"]}
            )
            entry = splits[kind][side["split"]]
            entry["faces"] += side["faces"]
            entry["pairs"] += side["pairs"]
            entry["shards"] += 1
            counts["faces_seen"] += side["faces_seen"]
            if kind == "pairs":
                counts["pairs"] += side["pairs"]
                counts["faces"] += side["faces"]
            else:
                counts["unpaired_faces"] += side["faces"]
            for item in side["rejected"]:
                rejected[item["reason"]] = rejected.get(item["reason"], 0) + 1
    counts["rejected"] = dict(sorted(rejected.items()))
    index = {
        "format": FORMAT,
        "uv_size": config["config"]["uv_size"],
        "per_face": config["config"]["per_face"],
        "regions": "regions.npz",
        "counts": counts,
        "splits": splits,
        "shards": shards,
    }
    write_json_atomic(root / "index.json", index)
    return index

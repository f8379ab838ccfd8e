"""Turn a suite's numbers into ``report.md``, ``metrics.json``, contact sheets and plots.

A suite returns a :class:`SuiteResult` (plain data); :func:`write_report` writes it
to a folder. Engines always stand side by side in one table (one column each).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from fram.eval.metrics import METRIC_INFO, metric_key_info

# ---------------------------------------------------------------- result data


@dataclass
class Table:
    """A markdown table: ``rows`` hold numbers or strings; numbers are formatted by
    the metric key in ``keys[i]`` (one per column, ``None`` for plain)."""

    title: str
    headers: list[str]
    rows: list[list]
    keys: list[str | None] | None = None
    note: str = ""


@dataclass
class Figure:
    """A figure to write: ``kind`` is ``image`` (``data["image"]`` an RGB array),
    ``bar`` (``groups``, ``series`` name → values), ``line`` (``x``, ``series``),
    ``box`` (``series`` name → list of values) or ``hist`` (``series``)."""

    filename: str
    kind: str
    title: str
    data: dict
    ylabel: str = ""
    xlabel: str = ""


@dataclass
class SuiteResult:
    """Everything one suite run measured."""

    suite: str
    engines: dict[str, str]
    params: dict
    summary: dict[str, dict[str, float]]
    summary_keys: list[str]
    tables: list[Table] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    calibration: dict | None = None


# ---------------------------------------------------------------- formatting


def label(key: str) -> str:
    """Human label of a metric key, with an arrow for the better direction."""
    info = metric_key_info(key)
    base, _, region = key.partition("/")
    if info is None:
        return key
    arrow = {"lower": " ↓", "higher": " ↑"}.get(info.better.split(" ")[0], "")
    text = info.label + (f" — {region}" if region else "")
    return text + (f" ({info.unit})" if info.unit else "") + arrow


def fmt(value, key: str | None = None) -> str:
    """A number for a table: ∞, — for missing, 1–3 decimals by size."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if key is not None and key.startswith(("time_s",)) and abs(value) < 1:
        return f"{value:.3f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def markdown_table(table: Table) -> str:
    keys = table.keys or [None] * len(table.headers)
    lines = ["| " + " | ".join(table.headers) + " |", "|" + "---|" * len(table.headers)]
    for row in table.rows:
        lines.append("| " + " | ".join(fmt(v, keys[i] if i < len(keys) else None) for i, v in enumerate(row)) + " |")
    return "\n".join(lines)


def _summary_markdown(result: SuiteResult) -> str:
    engines = list(result.summary)
    lines = ["| metric | " + " | ".join(f"`{e}`" for e in engines) + " |", "|" + "---|" * (len(engines) + 1)]
    for key in result.summary_keys:
        values = [fmt(result.summary[e].get(key), key) for e in engines]
        lines.append(f"| {label(key)} | " + " | ".join(values) + " |")
    return "\n".join(lines)


def legend_markdown(keys: list[str]) -> str:
    """The legend rows for the metrics used in ``keys``."""
    seen = []
    for key in keys:
        base = key.split("/", 1)[0]
        if base in METRIC_INFO and base not in seen:
            seen.append(base)
    lines = ["| metric | unit | range | better | what it measures |", "|---|---|---|---|---|"]
    for base in seen:
        info = METRIC_INFO[base]
        lines.append(f"| {info.label} | {info.unit or '—'} | {info.range} | {info.better} | {info.what} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- run facts


def git_commit(folder: Path | None = None) -> str:
    """Short commit of the fram checkout, with ``+dirty`` for uncommitted changes."""
    folder = folder or Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=folder, capture_output=True, text=True, timeout=20)
        return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine() -> dict:
    """Facts about the machine the numbers come from."""
    from fram.errors import require_extra

    torch = require_extra("torch", "eval", "fram eval")

    facts = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "python": sys.version.split()[0],
        "torch": torch.__version__,
    }
    try:
        facts["load_average"] = [round(v, 2) for v in os.getloadavg()]
    except OSError:  # pragma: no cover
        pass
    try:
        with open("/proc/meminfo") as handle:
            total_kb = int(handle.readline().split()[1])
        facts["memory_gib"] = round(total_kb / 2**20, 1)
    except (OSError, ValueError, IndexError):  # pragma: no cover
        pass
    return facts


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 if sys.platform != "darwin" else peak / 2**20


# ---------------------------------------------------------------- images


def _fit(image: np.ndarray, size: int) -> np.ndarray:
    from PIL import Image

    pil = Image.fromarray(image)
    pil.thumbnail((size, size), Image.LANCZOS)
    canvas = Image.new("RGB", (size, size), (255, 255, 255))
    canvas.paste(pil, ((size - pil.width) // 2, (size - pil.height) // 2))
    return np.asarray(canvas)


def contact_sheet(rows: list[list[tuple[str, np.ndarray | None]]], cell: int = 176, header: list[str] | None = None) -> np.ndarray:
    """A grid of labelled thumbnails: ``rows`` of ``(caption, image or None)``."""
    from PIL import Image, ImageDraw

    columns = max(len(r) for r in rows) if rows else 1
    caption_h, header_h = 14, (18 if header else 0)
    sheet = Image.new("RGB", (columns * cell, header_h + len(rows) * (cell + caption_h)), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    if header:
        for c, text in enumerate(header):
            draw.text((c * cell + 4, 3), text[:28], fill=(0, 0, 0))
    for r, row in enumerate(rows):
        y = header_h + r * (cell + caption_h)
        for c, (caption, image) in enumerate(row):
            if image is not None:
                sheet.paste(Image.fromarray(_fit(image, cell)), (c * cell, y))
            draw.text((c * cell + 3, y + cell + 1), caption[:30], fill=(40, 40, 40))
    return np.asarray(sheet)


def _plot(figure: Figure, path: Path) -> None:
    from fram.errors import require_extra

    matplotlib = require_extra("matplotlib", "eval", "the figures of fram eval")

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.2), dpi=110)
    data = figure.data
    series: dict[str, list] = data.get("series", {})
    if figure.kind == "bar":
        groups = data["groups"]
        width = 0.8 / max(1, len(series))
        for i, (name, values) in enumerate(series.items()):
            xs = np.arange(len(groups)) + (i - (len(series) - 1) / 2) * width
            ax.bar(xs, [np.nan if v is None else v for v in values], width, label=name)
        ax.set_xticks(np.arange(len(groups)), groups, rotation=20, ha="right")
    elif figure.kind == "line":
        for name, values in series.items():
            ax.plot(data["x"], values, marker="o", label=name)
        if data.get("logy"):
            ax.set_yscale("log")
        if data.get("logx"):
            ax.set_xscale("log", base=2)
            ax.set_xticks(data["x"], [str(x) for x in data["x"]])
    elif figure.kind == "box":
        names = list(series)
        clean = [[v for v in series[n] if v is not None and math.isfinite(v)] or [np.nan] for n in names]
        ax.boxplot(clean)
        ax.set_xticks(range(1, len(names) + 1), names, rotation=20, ha="right")
    elif figure.kind == "hist":
        for name, values in series.items():
            clean = [v for v in values if v is not None and math.isfinite(v)]
            if clean:
                ax.hist(clean, bins=20, alpha=0.55, label=name)
        for line in data.get("vlines", []):
            ax.axvline(line["x"], color="k", linestyle="--", linewidth=1)
            ax.text(line["x"], ax.get_ylim()[1] * 0.92, " " + line["label"], fontsize=8)
    else:
        raise ValueError(f"unknown figure kind {figure.kind!r}")
    ax.set_title(figure.title)
    ax.set_ylabel(figure.ylabel)
    ax.set_xlabel(figure.xlabel)
    if figure.kind in ("line", "hist") or (figure.kind == "bar" and len(series) > 1):
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# ---------------------------------------------------------------- writing


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        value = float(value)
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return round(value, 5)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, Path):
        return str(value)
    return value


def write_report(result: SuiteResult, out: str | Path, *, started: _dt.datetime | None = None) -> Path:
    """Write ``report.md``, ``metrics.json`` and the figures of ``result`` into ``out``."""
    from fram.face.image_io import write_image

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    now = _dt.datetime.now().astimezone()
    facts = {
        "suite": result.suite,
        "date": now.isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": machine(),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "elapsed_s": round((now - started).total_seconds(), 1) if started else None,
        "engines": result.engines,
        "params": result.params,
    }
    written = []
    for figure in result.figures:
        path = out / figure.filename
        if figure.kind == "image":
            write_image(path, figure.data["image"])
        else:
            _plot(figure, path)
        written.append(figure)

    md = [f"# fram eval — `{result.suite}`", ""]
    md.append(f"- date: {facts['date']}; commit: `{facts['commit']}`")
    m = facts["machine"]
    md.append(
        f"- machine: {m.get('cpu_count')} CPU cores ({m.get('processor')}), torch threads {m.get('torch_threads')}, "
        f"load average {m.get('load_average')}, Python {m.get('python')}, torch {m.get('torch')}"
    )
    md.append(f"- peak RSS of the run: {facts['peak_rss_mib']} MiB" + (f"; elapsed {facts['elapsed_s']} s" if started else ""))
    md.append("- engines: " + "; ".join(f"`{k}` — {v}" for k, v in result.engines.items()))
    md.append("- parameters: " + ", ".join(f"{k} = {v}" for k, v in result.params.items()))
    md.append("")
    for note in result.notes:
        md.append(f"> {note}")
        md.append("")
    if result.summary and result.summary_keys:
        md += ["## Summary (engines side by side)", "", _summary_markdown(result), ""]
    for table in result.tables:
        md += [f"## {table.title}", ""]
        if table.note:
            md += [table.note, ""]
        md += [markdown_table(table), ""]
    if result.calibration:
        md += ["## Identity scale", "", "What identity distances mean on this data (dlib descriptors; below 0.6 is the same person by dlib's rule):", ""]
        md += ["| pair | identity distance |", "|---|---|"]
        for name, value in result.calibration.items():
            md.append(f"| {name} | {fmt(value)} |")
        md.append("")
    if written:
        md += ["## Figures", ""]
        for figure in written:
            md.append(f"- `{figure.filename}`: {figure.title}")
            if figure.kind == "image":
                md.append(f"\n![{figure.title}]({figure.filename})\n")
        md.append("")
    keys = list(result.summary_keys)
    for table in result.tables:
        keys += [k for k in (table.keys or []) if k]
    md += ["## How to read these numbers", "", legend_markdown(keys + ["identity"]), ""]
    _write_text(out / "report.md", "\n".join(md))
    doc = dict(facts, summary=result.summary, summary_keys=result.summary_keys, calibration=result.calibration,
               notes=result.notes, tables=[asdict(t) for t in result.tables], records=result.records)
    _write_text(out / "metrics.json", json.dumps(_jsonable(doc), indent=1, ensure_ascii=False, allow_nan=False))
    return out / "report.md"


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)

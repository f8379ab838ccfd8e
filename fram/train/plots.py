"""The loss-curve figure both trainers leave in ``final/loss_curve.png``: losses on the
left, held-out numbers on the right."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def _curves(log: dict[str, Any], path: Path, losses: Sequence[tuple[str, str]], title: str, draw_evals: Callable[[Any, list[dict[str, Any]]], None],
            *, log_scale: bool = False, ylabel: str | None = None, dpi: int = 100) -> None:
    """Draw each logged loss that the run has (key, colour), then ``draw_evals`` on the
    right-hand axes when there are evaluations."""
    from fram.errors import require_extra

    matplotlib = require_extra("matplotlib", "train", "training plots")

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hist = log["history"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    steps = [h["step"] for h in hist]
    for key, colour in losses:
        values = [h.get(key) for h in hist]
        if any(v is not None for v in values):
            axes[0].plot(steps, values, colour, lw=1, label=key)
    if log_scale:
        axes[0].set_yscale("log")
    axes[0].set_xlabel("step")
    if ylabel:
        axes[0].set_ylabel(ylabel)
    axes[0].set_title(title, fontsize=9)
    axes[0].legend()
    evals = log.get("evals", [])
    if evals:
        draw_evals(axes[1], evals)
        axes[1].set_xlabel("step")
        axes[1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def plot_stage1_log(log: dict[str, Any], path: Path) -> None:
    """Loss curves (total, SSL, text) and held-out retrieval against the step."""

    def retrieval(ax: Any, evals: list[dict[str, Any]]) -> None:
        es = [e["step"] for e in evals]
        for key in ("top1", "top5", "mAP", "i2t_R@1"):
            ax.plot(es, [e[key] for e in evals], marker="o", ms=3, label=key)
        ax.set_ylim(0, 1)
        ax.set_title("held-out (val) style retrieval across identities")

    p = log["params"]
    _curves(log, path, (("loss", "k"), ("ssl", "tab:blue"), ("text", "tab:orange"), ("style", "tab:green")),
            f"training loss (total = {p['ssl_weight']}·ssl + {p['text_weight']}·text + {p['style_weight']}·style)", retrieval,
            ylabel="loss", dpi=110)


def plot_stage2_log(log: dict[str, Any], path: Path) -> None:
    """Loss curves and the held-out texture error against the step."""

    def texture_error(ax: Any, evals: list[dict[str, Any]]) -> None:
        es = [e["step"] for e in evals]
        ax.plot(es, [e["texture_error"] for e in evals], "o-", label=f"generator, {log['params']['eval_steps']} steps")
        if "one_step_error" in evals[0]:
            ax.plot(es, [e["one_step_error"] for e in evals], "s-", label="generator, 1 step")
        ax.plot(es, [e["noop_error"] for e in evals], "--", label="no makeup")
        ax.set_ylabel("held-out texture error (0-255)")

    _curves(log, path, (("loss", "k"), ("mse", "tab:blue"), ("attn", "tab:orange")),
            f"stage-2 loss (mse + {log['params']['attn_weight']}·attention)", texture_error, log_scale=True)

"""The stage 1 trainer: one epoch on a tiny synthetic set, resume, checkpoints."""

from __future__ import annotations

import json

import pytest
import torch

from fram.train import stage1

TINY = ["--data", "synthetic", "--model", "makeup-clip-tiny", "--plan", "2,3,2,3,4", "--warmup", "2",
        "--log-every", "1", "--eval-every", "0", "--threads", "1", "--save-every-min", "0"]


def test_one_epoch_smoke(tmp_path):
    run = tmp_path / "run"
    assert stage1.main([*TINY, "--out", str(run), "--epochs", "1"]) == 0
    final = run / "final"
    for name in ("config.json", "model.safetensors", "tokenizer.json", "training_log.json", "loss_curve.png", "styles.json"):
        assert (final / name).is_file(), name
    log = json.loads((final / "training_log.json").read_text())
    assert log["steps"] == log["total_steps"] > 0
    assert all(set(h) >= {"loss", "ssl", "text"} for h in log["history"])
    assert log["evals"], "a final held-out evaluation is always logged"
    from fram.models import MakeupCLIP

    model = MakeupCLIP.from_pretrained(final)
    assert model.encode_texts(["style 1 look"]).shape == (1, model.config.embed_dim)


def test_resume_matches_uninterrupted(tmp_path):
    args = [*TINY, "--steps", "4"]
    full = stage1.params_from_args(stage1.build_parser().parse_args([*args, "--out", str(tmp_path / "a")]))
    stage1.train(full, log_fn=lambda m: None)
    part = stage1.params_from_args(stage1.build_parser().parse_args([*args, "--out", str(tmp_path / "b")]))
    assert stage1.train(part, log_fn=lambda m: None, stop_after=2) == tmp_path / "b"
    state = json.loads((tmp_path / "b" / "checkpoint" / "state.json").read_text())
    assert state["step"] == 2
    stage1.train(part, log_fn=lambda m: None)
    from safetensors.torch import load_file

    a = load_file(str(tmp_path / "a" / "final" / "model.safetensors"))
    b = load_file(str(tmp_path / "b" / "final" / "model.safetensors"))
    # Bit-exact: the model, optimiser moments, random generators and tokenizer all come
    # back. (The ~1e-4 differences seen earlier were the WordPiece trainer numbering
    # pieces differently on each run; MakeupTokenizer.train now sorts them.)
    for key in a:
        torch.testing.assert_close(a[key], b[key], atol=0, rtol=0)


def test_changed_settings_refuse_to_resume(tmp_path):
    run = tmp_path / "run"
    params = stage1.params_from_args(stage1.build_parser().parse_args([*TINY, "--steps", "1", "--out", str(run)]))
    stage1.train(params, log_fn=lambda m: None, stop_after=0)
    other = stage1.params_from_args(stage1.build_parser().parse_args([*TINY, "--steps", "1", "--lr", "0.5", "--out", str(run)]))
    with pytest.raises(ValueError, match="different settings"):
        stage1.train(other, log_fn=lambda m: None)
    assert stage1.main([*TINY, "--steps", "1", "--lr", "0.5", "--out", str(run)]) == 2


def test_lr_schedule():
    p = stage1.Stage1Params(lr=1.0, warmup=10, time_limit_min=1.0)
    assert stage1.lr_at(0, 0.0, p) == pytest.approx(0.1)
    assert stage1.lr_at(20, 0.0, p) == pytest.approx(1.0)
    assert stage1.lr_at(20, 1.0, p) == pytest.approx(0.0)
    # the time budget ends the schedule even when steps remain
    assert stage1.progress_at(5, 60.0, p, total=1000) == 1.0
    assert stage1.progress_at(500, 0.0, p, total=1000) == 0.5

"""fram eval: a benchmark suite's report.md, metrics.json and figures."""

import json

import pytest


@pytest.mark.data
def test_real_suite_with_two_engines(cli, shared_data, out_dir):
    out = out_dir / "real"
    result = cli("eval", "--suite", "real", "--engine", "none,classic", "--limit", "2", "--out", out, "--quiet")
    assert result.code == 0, result.err
    assert result.out.strip() == str(out / "report.md")
    assert (out / "report.md").read_text().strip()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["suite"] == "real" and set(metrics["engines"]) == {"none", "classic"}
    assert set(metrics["summary"]) == {"none", "classic"}


def test_bad_inputs(fails, usage_error, tmp_path, out_dir):
    out = out_dir / "report"
    assert "'nope'" in usage_error("eval", "--suite", "nope", "--engine", "none", "--out", out)
    assert "unknown engine 'nope'" in fails("eval", "--suite", "real", "--engine", "none,nope", "--out", out, "--quiet")
    assert "unknown preset" in fails("eval", "--suite", "real", "--engine", "recipe:nope", "--out", out, "--quiet")
    assert "non-makeup" in fails("eval", "--suite", "real", "--engine", "none", "--data", tmp_path / "missing", "--out", out, "--quiet")
    assert list(out_dir.iterdir()) == []


@pytest.mark.data
def test_out_under_a_file_is_a_clean_error(fails, shared_data, not_image):
    fails("eval", "--suite", "real", "--engine", "none", "--limit", "1", "--out", not_image / "report", "--quiet")

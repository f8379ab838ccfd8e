"""fram serve: bad options and a missing extra are one line and exit 2, before any socket opens
(serving itself is tested in tests/serve against a real server)."""

import sys

import pytest


@pytest.mark.parametrize("args, words", [
    (["--workers", "0"], "workers"),
    (["--max-upload", "0"], "--max-upload"),
    (["--port", "70000"], "--port"),
    (["--timeout", "0"], "request_timeout"),
])
def test_bad_options_are_one_line(cli, args, words):
    result = cli("serve", *args)
    assert result.code == 2 and result.err.startswith("fram: error:") and words in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_missing_extra_names_it(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "fastapi", None)  # as if the [serve] extra were not installed
    result = cli("serve", "--port", "1")
    assert result.code == 2 and "pip install 'fram[serve]'" in result.err

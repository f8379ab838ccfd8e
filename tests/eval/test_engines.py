import numpy as np
import pytest

import fram.pipeline
from fram.eval.engines import EngineUnavailableError, get_engine, list_engines


def test_builtin_engines(astronaut):
    assert {"none", "recipe:<preset>"} <= set(list_engines())
    none = get_engine("none")
    out = none(astronaut, {}, ("lips",))
    assert np.array_equal(out, astronaut) and out is not astronaut and not none.uses_references
    lips = get_engine("recipe:red-carpet")(astronaut, {}, ("lips",))
    assert lips.shape == astronaut.shape and not np.array_equal(lips, astronaut)
    with pytest.raises(EngineUnavailableError, match="no-such-look"):
        get_engine("recipe:no-such-look")


def test_classic_without_pipeline_transfer_fails_clearly(monkeypatch):
    monkeypatch.delattr(fram.pipeline, "transfer", raising=False)
    with pytest.raises(EngineUnavailableError, match="fram.pipeline.transfer"):
        get_engine("classic")


def test_classic_resolves_lazily_to_pipeline_transfer(monkeypatch, astronaut):
    calls = []

    def transfer(source, reference=None, *, references=None, engine="classic", regions=None, intensity=1.0, face_index=0):
        calls.append((reference if references is None else references, engine, regions))
        return source.copy()

    monkeypatch.setattr(fram.pipeline, "transfer", transfer, raising=False)
    monkeypatch.setattr(fram.pipeline, "ENGINES", ("classic",), raising=False)
    engine = get_engine("classic")
    assert engine.uses_references
    ref_a, ref_b = astronaut[::-1].copy(), astronaut[:, ::-1].copy()
    engine(astronaut, {"lips": ref_a, "eyes": ref_a}, ("lips", "eyes"))
    assert calls[-1][0] is ref_a and calls[-1][1] == "classic" and calls[-1][2] == ("lips", "eyes")
    engine(astronaut, {"lips": ref_a, "eyes": ref_b, "skin": ref_b}, ("lips", "eyes"))
    assert calls[-1][0] == {"lips": ref_a, "eyes": ref_b}  # only the selected groups

    def bad(source, reference=None, **kwargs):
        return source[:10]

    monkeypatch.setattr(fram.pipeline, "transfer", bad)
    with pytest.raises(EngineUnavailableError, match="expected"):
        get_engine("classic")(astronaut, {"lips": ref_a}, ("lips",))


def test_classic_runs_through_the_real_pipeline(astronaut, astronaut_red):
    if "classic" not in list_engines():
        pytest.skip("fram.pipeline has no classic engine in this version")
    out = get_engine("classic")(astronaut, {"lips": astronaut_red}, ("lips",))
    assert out.shape == astronaut.shape and not np.array_equal(out, astronaut)
    assert np.array_equal(out[400:], astronaut[400:])  # the suit and the background are untouched


def test_fram_engine_without_weights_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("FRAM_GENERATOR", str(tmp_path))
    with pytest.raises(EngineUnavailableError, match="no fram generator"):
        get_engine("fram")

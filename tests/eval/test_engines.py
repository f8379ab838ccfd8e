import numpy as np
import pytest

from fram.eval.engines import EngineUnavailableError, get_engine, list_engines
from fram.pipelines.registry import EngineSpec, _ENGINES, engine_names, register_engine


def test_builtin_engines(astronaut):
    assert {"none", "recipe:<preset>", "layer", "fram", "classic"} <= set(list_engines())
    assert engine_names(baselines=False) == ["layer", "fram", "classic"], "the CLI offers no baselines"
    none = get_engine("none")
    out = none(astronaut, {}, ("lips",))
    assert np.array_equal(out, astronaut) and out is not astronaut and not none.uses_references
    lips = get_engine("recipe:red-carpet")(astronaut, {}, ("lips",))
    assert lips.shape == astronaut.shape and not np.array_equal(lips, astronaut)
    with pytest.raises(EngineUnavailableError, match="no-such-look"):
        get_engine("recipe:no-such-look")
    with pytest.raises(EngineUnavailableError, match="unknown engine 'gan'"):
        get_engine("gan")


@pytest.fixture
def recording_engine(monkeypatch):
    """A registered engine that records how the suites' call reaches it."""
    calls = []

    def load(name):
        def engine(source, reference=None, *, references=None, options=None, **_):
            calls.append((reference, references, options.regions))
            return source.copy()

        return engine

    monkeypatch.setitem(_ENGINES, "recorder", EngineSpec("recorder", load, "test engine"))
    return calls


def test_suite_call_reaches_the_registry_engine(recording_engine, astronaut):
    engine = get_engine("recorder")
    assert engine.uses_references
    ref_a, ref_b = astronaut[::-1].copy(), astronaut[:, ::-1].copy()
    engine(astronaut, {"lips": ref_a, "eyes": ref_a}, ("lips", "eyes"))
    assert recording_engine[-1][0] is ref_a and recording_engine[-1][1] is None
    assert recording_engine[-1][2] == ("eyes", "lips")  # canonical order
    engine(astronaut, {"lips": ref_a, "eyes": ref_b, "skin": ref_b}, ("lips", "eyes"))
    assert recording_engine[-1][1] == {"lips": ref_a, "eyes": ref_b}  # only the selected groups
    with pytest.raises(EngineUnavailableError, match="needs a reference"):
        engine(astronaut, {}, ("lips",))


def test_a_wrong_result_is_reported(monkeypatch, astronaut):
    register_engine(EngineSpec("cropper", lambda name: lambda source, *a, **k: source[:10], "returns a crop"))
    try:
        with pytest.raises(EngineUnavailableError, match="expected"):
            get_engine("cropper")(astronaut, {"lips": astronaut}, ("lips",))
    finally:
        _ENGINES.pop("cropper")


def test_classic_runs_through_the_real_pipeline(astronaut, astronaut_red):
    out = get_engine("classic")(astronaut, {"lips": astronaut_red}, ("lips",))
    assert out.shape == astronaut.shape and not np.array_equal(out, astronaut)
    assert np.array_equal(out[400:], astronaut[400:])  # the suit and the background are untouched


def test_fram_engine_without_weights_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("FRAM_GENERATOR", str(tmp_path))
    with pytest.raises(EngineUnavailableError, match="no fram generator"):
        get_engine("fram")

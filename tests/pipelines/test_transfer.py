import numpy as np
import pytest

from fram.errors import FramError, RecipeError
from fram.makeup.colors import color_family
from fram.pipelines import apply_makeup, transfer


@pytest.fixture(scope="module")
def made_up(astronaut):
    """The astronaut wearing a red lip and a dark smoky eye: a reference photo."""
    return apply_makeup(astronaut, "red-carpet").image


def test_classic_transfer_reads_the_reference_lip(astronaut, made_up):
    result = transfer(astronaut, made_up, regions="lips", engine="classic")
    assert result.style.lipstick is not None
    assert color_family(result.style.lipstick.color) in {"red", "berry", "pink", "coral"}
    assert result.style.eyeshadow is None
    changed = np.any(result.image != astronaut, axis=2)
    assert changed.sum() > 50
    # Only the lips region may change.
    from fram.face.landmarks import detect_face
    from fram.face.regions import region_masks

    lips = region_masks(astronaut, detect_face(astronaut)).full("lips")
    assert not changed[lips == 0].any()


def test_per_region_references_mix(astronaut, made_up):
    result = transfer(astronaut, references={"lips": made_up, "eyes": "preset:avant-garde-blue"}, engine="classic")
    assert result.style.lipstick is not None and result.style.eyeshadow is not None
    assert color_family(result.style.eyeshadow.colors[0]) == "blue"


def test_transfer_errors(astronaut, tmp_path, monkeypatch):
    monkeypatch.setenv("FRAM_GENERATOR", str(tmp_path))  # an empty folder: no weights
    with pytest.raises(FramError, match="no fram generator"):
        transfer(astronaut, "preset:goth", engine="fram")
    with pytest.raises(FramError, match="unknown engine"):
        transfer(astronaut, "preset:goth", engine="gan")
    with pytest.raises(FramError, match="steps"):
        transfer(astronaut, "preset:goth", engine="classic", steps=0)
    with pytest.raises(FramError, match="colour match"):
        transfer(astronaut, "preset:goth", engine="classic", colour_match=-1)
    with pytest.raises(RecipeError, match="unknown region"):
        transfer(astronaut, references={"ears": "preset:goth"})
    with pytest.raises(FramError, match="give a reference"):
        transfer(astronaut)

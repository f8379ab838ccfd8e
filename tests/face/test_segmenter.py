"""The numpy U-Net the segmenters run on equals the torch network training saves."""

import numpy as np
import pytest

from fram.face.brows import CROP, BrowNet, crop_features, crop_frame
from fram.face.feature_nets import EYE_CROP, LIP_CROP, EyeNet, LipNet, eye_geometry, lip_geometry
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.face.regions import brow_inputs, feature_priors


def _crops(image: np.ndarray) -> dict[str, np.ndarray]:
    """Each segmenter's real input crops on ``image``'s face."""
    face = detect_face(image)
    lab, brows, prior, _ = brow_inputs(image, face)
    _, points, eyes, lips, _ = feature_priors(image, face)

    def stack(features, mask, crop):
        return np.stack([crop_features(lab, mask, outline, crop_frame(m, b, crop), crop) for m, b, outline in features])

    return {
        "brows": stack(brows, prior, CROP),
        "eyes": stack(eye_geometry(points, lab.shape[:2]), eyes, EYE_CROP),
        "lips": stack(lip_geometry(points, lab.shape[:2]), lips, LIP_CROP),
    }


@pytest.mark.data
def test_numpy_forward_equals_the_torch_module(astronaut, shared_data):
    torch = pytest.importorskip("torch")
    from fram.train.segmenter import SegmenterModule

    photo = shared_data / "makeup-photos" / "makeup" / "XMY-112.png"
    if not photo.is_file():
        pytest.skip(f"{photo} not found")
    nets = {"brows": BrowNet.shipped(), "eyes": EyeNet.shipped(), "lips": LipNet.shipped()}
    for image in (astronaut, read_image(photo)):
        for name, x in _crops(image).items():
            net = nets[name]
            module = SegmenterModule(net.config, type(net))
            module.load_state_dict({k: torch.from_numpy(v) for k, v in net.weights.items()})
            with torch.no_grad():
                expected = module.eval()(torch.from_numpy(x)).numpy()
            logits = net(x)
            assert logits.shape == expected.shape == (len(x), *x.shape[2:])
            assert np.abs(logits - expected).max() < 1e-4, name
            assert (expected > 0).any() and (expected < 0).any(), "the crop holds the feature and its surroundings"


def test_training_module_saves_what_the_numpy_net_loads(tmp_path):
    torch = pytest.importorskip("torch")
    from fram.face.feature_nets import LipNet
    from fram.train.segmenter import SegmenterModule

    module = SegmenterModule(net=LipNet)
    torch.manual_seed(0)
    x = torch.randn(2, 5, LIP_CROP.height, LIP_CROP.width)
    with torch.no_grad():
        expected = module.eval()(x).numpy()
    net = LipNet.from_pretrained(module.save_pretrained(tmp_path))
    assert np.abs(net(x.numpy()) - expected).max() < 1e-4
    assert '"lip_refiner"' in (tmp_path / "config.json").read_text()

"""LoRA fine-tuning from local pretrained CLIP weights (a tiny random transformers CLIP)."""

from __future__ import annotations

import json

import pytest
import torch

transformers = pytest.importorskip("transformers")
pytest.importorskip("peft")


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory):
    """A randomly initialised transformers CLIP with a small BPE vocabulary, saved locally."""
    root = tmp_path_factory.mktemp("tiny-clip")
    words = ["a", "red", "lip", "bold", "smoky", "eyes", "pink", "look", "makeup", "matte", "glossy"]
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1, "<unk>": 2}
    for ch in "abcdefghijklmnopqrstuvwxyz":
        vocab[ch] = len(vocab)
        vocab[ch + "</w>"] = len(vocab)
    for w in words:
        vocab.setdefault(w + "</w>", len(vocab))
    (root / "vocab.json").write_text(json.dumps(vocab))
    (root / "merges.txt").write_text("#version: 0.2\n")
    tok = transformers.CLIPTokenizer(str(root / "vocab.json"), str(root / "merges.txt"), unk_token="<unk>", pad_token="<|endoftext|>")
    config = transformers.CLIPConfig(
        text_config={"vocab_size": len(vocab), "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                     "num_attention_heads": 2, "max_position_embeddings": 16, "bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 1},
        vision_config={"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2,
                       "image_size": 32, "patch_size": 8},
        projection_dim=16,
    )
    torch.manual_seed(0)
    transformers.CLIPModel(config).save_pretrained(root)
    tok.save_pretrained(root)
    return root


def test_lora_model_trains_saves_and_loads(tiny_clip, tmp_path):
    from fram.models.pretrained_clip import PretrainedMakeupCLIP, detect_format
    from fram.train.loss import MakeupClipLoss

    assert detect_format(tiny_clip) == "transformers"
    model = PretrainedMakeupCLIP.from_clip(tiny_clip, lora_rank=2, image_size=32)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all("lora" in n or n.startswith("ssl_head") for n in trainable)
    x, v = torch.rand(4, 3, 32, 32), torch.ones(4, 1, 32, 32)
    ids = model.tokenizer(["a red lip", "smoky eyes", "a red lip", "pink look"])
    out = model(torch.cat([x, x.flip(-1)]), torch.cat([v, v]), ids)
    labels = torch.tensor([0, 1, 0, 2])
    loss = MakeupClipLoss()(ssl_features=out["ssl_features"], image_features=out["image_features"][:4],
                            text_features=out["text_features"], image_labels=labels, text_labels=labels)
    loss.backward()
    torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1.0).step()
    model.eval()
    model.save_pretrained(tmp_path)
    again = PretrainedMakeupCLIP.from_pretrained(tmp_path)
    torch.testing.assert_close(again.encode_image(x, v), model.encode_image(x, v))
    torch.testing.assert_close(again.encode_texts(["bold matte lip"]), model.encode_texts(["bold matte lip"]))


def test_not_a_clip_folder(tmp_path):
    from fram.models.pretrained_clip import detect_format

    with pytest.raises(FileNotFoundError):
        detect_format(tmp_path)

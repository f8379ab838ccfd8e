"""The makeup CLIP's text tokenizer: a small WordPiece vocabulary built from makeup text.

The vocabulary comes from the annotation corpus of the synthetic dataset (look
descriptions, region sentences, style names and categories): its words, most
frequent first, plus every character as a fallback piece, so everything the data says
is one piece per word and any other English still tokenizes (into shorter pieces).
It runs on the ``tokenizers`` library's WordPiece model. The whole tokenizer (normaliser,
pre-tokenizer, vocabulary, special tokens, truncation and padding to the context
length) is one ``tokenizer.json`` that ships beside the model weights.

Token ids: ``[PAD]`` 0, ``[UNK]`` 1, ``[BOS]`` 2, ``[EOS]`` 3; every text is encoded
as ``[BOS] pieces… [EOS] [PAD]…`` of exactly ``context_length`` ids (longer texts are
cut, keeping ``[EOS]``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import torch

SPECIAL_TOKENS: tuple[str, ...] = ("[PAD]", "[UNK]", "[BOS]", "[EOS]")
PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
TOKENIZER_FILE = "tokenizer.json"


def _import_tokenizers():
    try:
        import tokenizers
    except ImportError:  # pragma: no cover - a declared dependency
        raise ImportError("the makeup CLIP's tokenizer needs the `tokenizers` package: pip install tokenizers") from None
    return tokenizers


class MakeupTokenizer:
    """Text → ``(B, context_length)`` int64 ids for :class:`fram.models.makeup_clip.MakeupCLIP`.

    Build one with :meth:`train` (from texts) or :meth:`from_pretrained` (a folder
    holding ``tokenizer.json``); call it on a string or a list of strings.

    >>> tok = MakeupTokenizer.train(["a bold red lip", "smoky plum eyes"], vocab_size=64, context_length=8)
    >>> tok("a bold red lip").shape
    torch.Size([1, 8])
    """

    def __init__(self, tokenizer: object) -> None:
        self._tok = tokenizer
        padding = tokenizer.padding
        truncation = tokenizer.truncation
        if not padding or not truncation or padding.get("length") is None:
            raise ValueError("the tokenizer must pad and truncate to a fixed length (use MakeupTokenizer.train)")
        self.context_length = int(padding["length"])
        if self._tok.token_to_id("[PAD]") != PAD_ID or self._tok.token_to_id("[EOS]") != EOS_ID:
            raise ValueError("the tokenizer's special tokens are not [PAD]=0 … [EOS]=3")

    # ------------------------------------------------------------------ build

    @classmethod
    def train(cls, texts: Iterable[str], *, vocab_size: int = 2048, context_length: int = 64, min_frequency: int = 1) -> "MakeupTokenizer":
        """Build a vocabulary of at most ``vocab_size`` pieces from ``texts`` (deterministic:
        the same texts always give the same ids)."""
        if context_length < 3:
            raise ValueError(f"context_length must be >= 3, got {context_length}")
        tk = _import_tokenizers()
        from tokenizers import decoders, models, normalizers, pre_tokenizers, processors

        normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.Lowercase(), normalizers.StripAccents()])
        pre = pre_tokenizers.BertPreTokenizer()
        # A deterministic vocabulary (the library's WordPiece trainer breaks ties
        # differently on every run): every character alone and as a word-continuation
        # piece, then whole words by frequency. Known words are one piece; any other
        # word falls back to the longest known pieces, down to single characters.
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(word for word, _ in pre.pre_tokenize_str(normalizer.normalize_str(text)))
        chars = sorted({c for word in counts for c in word})
        pieces = list(SPECIAL_TOKENS) + chars + [f"##{c}" for c in chars]
        if len(pieces) > vocab_size:
            raise ValueError(f"vocab_size {vocab_size} cannot hold the {len(pieces)} characters and special tokens of the corpus")
        seen = set(pieces)
        for word, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if len(pieces) >= vocab_size or count < min_frequency:
                break
            if word not in seen:
                pieces.append(word)
                seen.add(word)
        tok = tk.Tokenizer(models.WordPiece(vocab={t: i for i, t in enumerate(pieces)}, unk_token="[UNK]", max_input_chars_per_word=40))
        tok.normalizer = normalizer
        tok.pre_tokenizer = pre
        tok.decoder = decoders.WordPiece()
        tok.add_special_tokens(list(SPECIAL_TOKENS))  # already in the vocabulary: same ids
        tok.post_processor = processors.TemplateProcessing(
            single="[BOS] $A [EOS]", special_tokens=[("[BOS]", BOS_ID), ("[EOS]", EOS_ID)]
        )
        tok.enable_truncation(max_length=context_length)
        tok.enable_padding(pad_id=PAD_ID, pad_token="[PAD]", length=context_length)
        return cls(tok)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> "MakeupTokenizer":
        tk = _import_tokenizers()
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no tokenizer file at {path}")
        return cls(tk.Tokenizer.from_file(str(path)))

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike[str]) -> "MakeupTokenizer":
        """Load ``folder/tokenizer.json``."""
        return cls.from_file(Path(folder) / TOKENIZER_FILE)

    def save_pretrained(self, folder: str | os.PathLike[str]) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / TOKENIZER_FILE
        self._tok.save(str(path))
        return path

    # ------------------------------------------------------------------ use

    @property
    def vocab_size(self) -> int:
        return int(self._tok.get_vocab_size())

    def __call__(self, texts: str | Sequence[str]) -> torch.Tensor:
        """``(B, context_length)`` int64 ids; a single string gives B = 1."""
        if isinstance(texts, str):
            texts = [texts]
        if not all(isinstance(t, str) for t in texts):
            raise ValueError("texts must be strings")
        encodings = self._tok.encode_batch(list(texts))
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.long).reshape(len(encodings), self.context_length)
        # A cut text loses its [EOS]; put it back in the last slot.
        cut = (ids[:, -1] != PAD_ID) & (ids[:, -1] != EOS_ID)
        ids[cut, -1] = EOS_ID
        return ids

    def tokens(self, text: str) -> list[str]:
        """The pieces of one text (for inspection)."""
        return self._tok.encode(text).tokens

    def decode(self, ids: Sequence[int]) -> str:
        return self._tok.decode(list(ids), skip_special_tokens=True)

"""Importing MediaPipe's task API without the plotting and sound stacks it drags in.

``mediapipe.tasks.python`` imports its drawing helpers (``matplotlib.pyplot``, about
0.5 s, a fifth of a ``fram apply`` cold start) and its microphone helper
(``sounddevice``) on import, though fram never draws or records with them. While
MediaPipe imports, those modules are stand-ins that import the real module the first
time anything is taken from them, and they are removed again afterwards, so any later
import gets the real modules.
"""

from __future__ import annotations

import importlib
import sys
import types

_DEFERRED = ("matplotlib", "matplotlib.pyplot", "sounddevice")


class _DeferredModule(types.ModuleType):
    """A module that becomes the real one (imported then) on first attribute access."""

    def __getattr__(self, name: str):
        child = sys.modules.get(f"{self.__name__}.{name}")
        if isinstance(child, _DeferredModule):  # `import matplotlib.pyplot as plt`
            return child
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def mediapipe_tasks():
    """``(BaseOptions, vision)`` of ``mediapipe.tasks.python``, imported without pyplot."""
    stand_ins = {name: _DeferredModule(name) for name in _DEFERRED if name not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        from mediapipe.tasks.python import BaseOptions, vision
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
    return BaseOptions, vision

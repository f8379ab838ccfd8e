"""fram: facial region-aware makeup transfer that runs on a laptop CPU."""

__version__ = "0.1.0"

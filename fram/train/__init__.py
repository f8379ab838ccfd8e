"""Training loops (nothing in ``fram.pipelines`` imports this package).

``python -m fram.train.stage1``: the makeup CLIP (FRAM stage 1).
"""

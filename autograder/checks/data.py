"""Load the small data sets shipped with the checks: ``<chapter>/data/<name>.npz``.

The files sit next to this module (``autograder/checks/<chapter>/data/``), so the same call
works from the repository, from an installed package (``*.npz`` is package data), under
stock Otter and from a student's handout folder, wherever the working directory is.
They are made by ``scripts/make_dataset.py``, deterministically from a seed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

DATA_ROOT = Path(__file__).resolve().parent
"""The folder holding one sub-folder per chapter."""


def data_path(chapter: str, name: str) -> Path:
    """Where the data set ``name`` of ``chapter`` is: ``<checks>/<chapter>/data/<name>.npz``."""
    for part, label in ((chapter, "chapter"), (name, "name")):
        if not part or Path(part).name != part or part in (".", ".."):
            raise ValueError(f"{label} must be a plain name such as 'ch5' or 'shapes', got {part!r}")
    return DATA_ROOT / chapter / "data" / f"{name}.npz"


def load(chapter: str, name: str) -> dict[str, np.ndarray]:
    """Every array of the data set, by key, read into memory (no pickles are allowed).

    Raises ``FileNotFoundError`` naming the file and how to make it when it is missing.
    """
    path = data_path(chapter, name)
    if not path.is_file():
        raise FileNotFoundError(
            f"data set {name!r} of {chapter} is missing: {path} does not exist "
            f"(make it with `python scripts/make_dataset.py` in the repository)")
    with np.load(path, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}

"""Make the small image data sets the training checks use, deterministically from a seed.

``shapes`` (chapter 5, exercise ex5_numpy_cnn): 8x8 grey images of one short bar, in one of
four orientations (the classes: horizontal, vertical, diagonal ``\\``, anti-diagonal ``/``),
at a random position, of random length and brightness, on a noisy background. Images are
stored as uint8 (0-255) in NCHW layout (N, 1, 8, 8); labels as int64 class indices.

    python scripts/make_dataset.py            # write autograder/checks/ch5/data/shapes.npz
    python scripts/make_dataset.py --check    # verify the shipped file matches the seed

Nothing is downloaded. The arrays depend only on the seed and NumPy's PCG64 generator.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "autograder" / "checks" / "ch5" / "data" / "shapes.npz"

SEED = 20240505
SIZE = 8
N_TRAIN = 400
N_TEST = 200
CLASSES = ("horizontal", "vertical", "diagonal", "antidiagonal")
LENGTHS = (3, 4, 5)
NOISE = 0.15
BRIGHTNESS = (0.7, 1.0)

# Unit steps along the bar of each class (row, column).
_STEPS = {0: (0, 1), 1: (1, 0), 2: (1, 1), 3: (1, -1)}


def _bar(label: int, rng: np.random.Generator) -> np.ndarray:
    """One SIZE x SIZE image in [0, 1] with a bar of class ``label``."""
    dr, dc = _STEPS[label]
    length = int(rng.choice(LENGTHS))
    span = length - 1
    # Start positions that keep the whole bar inside the image.
    r0 = int(rng.integers(0, SIZE - dr * span))
    c_lo, c_hi = (span, SIZE) if dc < 0 else (0, SIZE - dc * span)
    c0 = int(rng.integers(c_lo, c_hi))
    img = rng.normal(0.0, NOISE, size=(SIZE, SIZE))
    value = rng.uniform(*BRIGHTNESS)
    for t in range(length):
        img[r0 + dr * t, c0 + dc * t] += value
    return np.clip(img, 0.0, 1.0)


def make_shapes(seed: int = SEED, n_train: int = N_TRAIN, n_test: int = N_TEST) -> dict[str, np.ndarray]:
    """The ``shapes`` data set: x_train, y_train, x_test, y_test and the class names."""
    if n_train < 1 or n_test < 1:
        raise ValueError(f"n_train and n_test must be positive, got {n_train} and {n_test}")
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    labels = rng.permutation(np.arange(n) % len(CLASSES)).astype(np.int64)
    images = np.stack([_bar(int(y), rng) for y in labels])
    x = np.round(images * 255.0).astype(np.uint8)[:, None, :, :]
    return {
        "x_train": x[:n_train], "y_train": labels[:n_train],
        "x_test": x[n_train:], "y_test": labels[n_train:],
        "classes": np.array(CLASSES),
    }


def matches(path: Path, data: dict[str, np.ndarray]) -> list[str]:
    """The keys of ``data`` whose arrays differ from those stored at ``path`` (all, if absent)."""
    if not path.is_file():
        return sorted(data)
    with np.load(path, allow_pickle=False) as stored:
        return sorted(k for k in data
                      if k not in stored.files or stored[k].dtype != data[k].dtype
                      or not np.array_equal(stored[k], data[k]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write (default {OUT})")
    parser.add_argument("--check", action="store_true",
                        help="do not write: exit 1 unless the file at --out matches the seed")
    args = parser.parse_args(argv)
    data = make_shapes()
    if args.check:
        bad = matches(args.out, data)
        if bad:
            print(f"{args.out} differs from make_shapes(seed={SEED}) in {bad}: "
                  f"run python scripts/make_dataset.py", file=sys.stderr)
            return 1
        print(f"{args.out} matches make_shapes(seed={SEED})")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **data)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size:,} bytes): "
          + ", ".join(f"{k} {v.shape} {v.dtype}" for k, v in data.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

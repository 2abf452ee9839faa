"""The rule of what student code may import (``engine.imports``): NumPy and the standard
library, read from the source without running it."""

from __future__ import annotations

from autograder.engine.imports import available, beyond_numpy, is_standard


def test_numpy_the_standard_library_and_the_students_own_modules_are_available():
    for name in ("numpy", "math", "itertools", "collections", "dataclasses", "typing", "os"):
        assert available(name), name
    assert available("ex5_2", own={"ex5_2"}) and not available("ex5_2")
    for name in ("pandas", "scipy", "torch", "matplotlib", "autograder", "otter", "yaml"):
        assert not is_standard(name) and not available(name), name


def test_imports_beyond_numpy_are_found_with_their_line_and_function():
    source = '''import numpy as np
import os, pandas.core as pd
from scipy import signal
try:
    import torch
except ImportError:
    torch = None
import importlib
class Layer:
    def forward(self):
        import matplotlib.pyplot as plt
        return importlib.import_module("sklearn")
from . import sibling
import ex5_2
'''
    found = [(f.module, f.line, f.function) for f in beyond_numpy(source, own={"ex5_2"})]
    assert found == [("pandas", 2, None), ("scipy", 3, None),
                     ("matplotlib", 11, "Layer.forward"), ("sklearn", 12, "Layer.forward")]


def test_a_file_that_does_not_parse_has_no_import_to_report():
    assert beyond_numpy("import pandas\ndef f(:\n") == []

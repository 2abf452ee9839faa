"""``@check``: one decorator for a case's points, hidden flag and the student names it needs,
which stock Otter collects as its own ``test_case``."""

from __future__ import annotations

import sys

import pytest

from autograder.checks import cases
from autograder.checks.runner import load_check_file, run_case


def _check_file(tmp_path, body: str):
    path = tmp_path / "ex9_1.py"
    path.write_text("from autograder.checks.cases import check\nname = 'ex9_1'\n\n" + body)
    return load_check_file(path)


def test_a_missing_name_fails_with_the_file_it_belongs_to(tmp_path):
    cf = _check_file(tmp_path, "@check(points=2)\ndef test_a(f, g):\n    assert f() == g()\n")
    (case,) = cf.cases
    assert (case.name, case.points, case.hidden) == ("test_a", 2.0, False)
    result = run_case(case, {"f": lambda: 1})
    assert not result.passed
    assert result.message == ("g is not defined in ex9_1.py: define it with the signature the "
                              "stub gives\nex9_1.py 中没有定义 g:请按存根给出的签名定义它")
    assert run_case(case, {"f": lambda: 1, "g": lambda: 1}).passed
    assert not run_case(case, {"f": lambda: 1, "g": lambda: 2}).passed


def test_hidden_cases_and_bad_points(tmp_path):
    cf = _check_file(tmp_path, "@check(points=1.5, hidden=True)\ndef test_b(f):\n    pass\n")
    assert [(c.name, c.points, c.hidden) for c in cf.cases] == [("test_b", 1.5, True)]
    for bad in (0, -1, True, "2"):
        with pytest.raises(ValueError, match="positive number"):
            cases.check(points=bad)


def test_under_otter_a_check_is_otters_own_test_case():
    """When Otter runs a check file, ``@check`` makes Otter's ``test_case`` (named after the
    function, so Otter's report says which check), and Otter's call passes the names."""
    otter_files = pytest.importorskip("otter.test_files")
    assert "otter.test_files" in sys.modules

    @cases.check(points=3, hidden=True)
    def test_c(f):
        assert f(2) == 4

    assert isinstance(test_c, otter_files.test_case)
    assert (test_c.name, test_c.points, test_c.hidden) == ("test_c", 3, True)
    test_c.call_func({"f": lambda x: 2 * x})
    with pytest.raises(AssertionError, match="f is not defined"):
        test_c.call_func({})

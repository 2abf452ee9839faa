"""Bad student output fails only the checks that use it, with a message a student can act on.

A namespace is the reference's with one function replaced by a bad one, compiled as if it
were the student's ``ex5_2.py`` (so tracebacks name that file and line); the checks run on it
through the same helpers as every graded test. Then whole student files: a syntax error, a
missing function, an import that fails.
"""

from __future__ import annotations

import pytest

from autograder.check import run_file as run_check_file
from autograder.checks.runner import load_check_file, load_student_file
from tests.support import CHAPTER, reference_path, run_env

EX2 = CHAPTER.exercise("ex5_2")
EX3 = CHAPTER.exercise("ex5_3")
ALL_EX2 = {c.name for c in EX2.checks}

# The checks of ex5_2 that never call the function (the reference wide_conv2d calls xcorr2d,
# so a bad xcorr2d reaches every check of wide_conv2d but its argument check, made first).
INDEPENDENT = {
    "rot180": {"test_xcorr2d_public", "test_xcorr2d_errors", "test_xcorr2d_random",
               "test_wide_conv2d_public", "test_wide_conv2d_errors", "test_wide_conv2d_random",
               "test_true_convolution_2d", "test_precision_public"},
    "xcorr2d": {"test_rot180", "test_rot180_errors", "test_wide_conv2d_errors"},
    "wide_conv2d": {"test_rot180", "test_rot180_errors", "test_xcorr2d_public",
                    "test_xcorr2d_errors", "test_xcorr2d_random"},
}
OWN_ERRORS = {"rot180": "test_rot180_errors", "xcorr2d": "test_xcorr2d_errors",
              "wide_conv2d": "test_wide_conv2d_errors"}


def expected_passes(name: str, kind: str) -> set:
    """What a bad function still passes: the checks that never call it, and when it calls the
    good one first, that one's ValueErrors (and, when its result is still an array of numbers,
    the check that it changes no argument)."""
    passes = set(INDEPENDENT[name])
    if kind in ("wrong_shape", "nan", "list"):
        passes.add(OWN_ERRORS[name])
    if kind == "wrong_shape":
        passes.add("test_arguments_unchanged")
    return passes
OWN_CHECK = {"rot180": "test_rot180", "xcorr2d": "test_xcorr2d_public",
             "wide_conv2d": "test_wide_conv2d_public"}
CALL = {"rot180": "rot180(a) for a of shape (2, 3)",
        "xcorr2d": "xcorr2d(x, w) for x of shape (3, 4), w of shape (2, 2)",
        "wide_conv2d": "wide_conv2d(w, x) for w of shape (2, 2), x of shape (2, 3)"}
RIGHT_SHAPE = {"rot180": (2, 3), "xcorr2d": (2, 3), "wide_conv2d": (3, 4)}

# kind -> (body of the bad function, which gets the good one as ``_good``)
BAD = {
    "none": "return None",
    "wrong_shape": "return np.pad(_good(*args), ((0, 1), (0, 0)))",
    "nan": "out = np.array(_good(*args))\n    out[0, 0] = np.nan\n    return out",
    "exception": "return args[0][99, 99]",
    "list": "return _good(*args).tolist()",
}


def _says(kind: str, name: str) -> list[str]:
    """What the failure message of the function's own check must contain."""
    shape = RIGHT_SHAPE[name]
    return {
        "none": [f"expected an array of shape {shape}, got None (did the function forget to return its result?)"],
        "wrong_shape": [f"expected an array of shape {shape}, got an array of shape ({shape[0] + 1}, {shape[1]})"],
        "nan": [f"expected finite numbers, got 1 of {shape[0] * shape[1]} values NaN or infinite (first at index (0, 0): nan), shape {shape}"],
        "exception": ["IndexError: index 99 is out of bounds", f"(in ex5_2.py, line 2, in {name}: return args[0][99, 99])"],
        "list": [f"expected an array of shape {shape}, got a list of length {shape[0]} (return a NumPy array instead)"],
    }[kind]


def _env_with(exercise, name: str, body: str, tmp_path):
    """The reference's namespace with ``name`` replaced by ``def name(*args): <body>``."""
    env = load_student_file(reference_path(exercise))
    env["_good"] = env[name]
    student = tmp_path / exercise.code
    source = f"def {name}(*args):\n    {body}\n"
    student.write_text(source, encoding="utf-8")  # so that tracebacks can quote the line
    exec(compile(source, str(student), "exec"), env)
    return env, str(student)


@pytest.mark.parametrize("kind", sorted(BAD))
@pytest.mark.parametrize("name", sorted(INDEPENDENT))
def test_bad_output_fails_its_checks_and_the_others_still_pass(name, kind, tmp_path):
    env, filename = _env_with(EX2, name, BAD[kind], tmp_path)
    results = run_env(EX2, env, filename)
    assert set(results) == ALL_EX2
    passed = {n for n, r in results.items() if r.passed}
    assert passed == expected_passes(name, kind), f"{name} returning {kind}: passed {sorted(passed)}"
    message = results[OWN_CHECK[name]].message
    assert message.startswith(CALL[name] if kind != "exception" else "IndexError"), message
    for text in _says(kind, name):
        assert text in message, message
    for check in ALL_EX2 - passed:
        assert results[check].message.strip(), f"{check} failed without a message"


def test_a_bad_rot180_is_named_where_the_commutativity_check_uses_it(tmp_path):
    env, filename = _env_with(EX2, "rot180", "return np.array(args[0]).T", tmp_path)
    results = run_env(EX2, env, filename)
    assert results["test_commutative_public"].message == (
        "rot180(W) for W of shape (2, 2): values differ in 2 of 4 places (shape (2, 2)); first at "
        "index (0, 0): expected 0.5, got 1; max abs error 0.5\n"
        "4 处中有 2 处数值不同(形状 (2, 2));第一处在下标 (0, 0):期望 0.5,得到 1;最大绝对误差 0.5\n"
        "expected / 期望:\n[[ 0.5  3. ]\n [-2.   1. ]]\n"
        "got / 得到:\n[[ 1.   3. ]\n [-2.   0.5]]")
    assert "rot180(w) for w of shape (1, 3): expected an array of shape (1, 3), got an array of " \
           "shape (3, 1)" in results["test_true_convolution_rows"].message


@pytest.mark.parametrize("name,body,check,says", [
    ("conv_params", "return float(args[0] * args[1] * args[2] ** 2)", "test_conv_params_public",
     "conv_params(192, 64, 1) (K * K * C_in * C_out, no bias): expected the integer 12,288, got "
     "the number 12288.0"),
    ("inception_params", "return None", "test_inception_googlenet_3a",
     "expected the integer 387,072, got None (did the function forget to return its result?)"),
    ("conv1x1", "return _good(*args).tolist()", "test_conv1x1_public",
     "expected an array of shape (1, 3, 2, 2), got a list of length 1 (return a NumPy array instead)"),
    ("true_statements", "return 'ADEG'", "test_true_statements",
     "expected a set of letters such as {'A', 'B'}, got an object of type str 'ADEG'"),
])
def test_bad_output_of_ex5_3(name, body, check, says, tmp_path):
    env, filename = _env_with(EX3, name, body, tmp_path)
    results = run_env(EX3, env, filename)
    assert says in results[check].message
    assert not results[check].passed
    # the checks that use the function (a bad one that wraps the good one still raises its
    # ValueErrors; inception_params checks its own arguments before it calls conv_params)
    others = {"conv1x1": {"test_conv1x1_public", "test_conv1x1_bias_public",
                          "test_conv1x1_kernel_4d_public", "test_conv1x1_random",
                          "test_conv1x1_is_general_conv"},
              "conv_params": {"test_conv_params_public", "test_conv_params_bias_public",
                              "test_conv_params_errors", "test_conv_params_random",
                              "test_inception_googlenet_3a", "test_inception_reductions",
                              "test_inception_pool_proj", "test_inception_random"},
              "inception_params": {"test_inception_googlenet_3a", "test_inception_reductions",
                                   "test_inception_pool_proj", "test_inception_errors",
                                   "test_inception_random"},
              "true_statements": {"test_true_statements"}}[name]
    assert {n for n, r in results.items() if r.passed} == {c.name for c in EX3.checks} - others


def _student_file(tmp_path, edit):
    """The reference ``ex5_2.py`` with ``edit`` applied to its text, saved as a student's file."""
    source = reference_path(EX2).read_text(encoding="utf-8")
    path = tmp_path / "ex5_2.py"
    path.write_text(edit(source), encoding="utf-8")
    return path


def _line_of(text: str, source: str) -> int:
    return source[:source.index(text)].count("\n") + 1


def test_a_syntax_error_fails_every_check_naming_file_and_line(tmp_path):
    source = reference_path(EX2).read_text(encoding="utf-8")
    path = _student_file(tmp_path, lambda s: s.replace("def xcorr2d(x, w):", "def xcorr2d(x, w)"))
    line = _line_of("def xcorr2d(x, w):", source)
    results = run_check_file(load_check_file(EX2.check_file), path)
    assert [r.name for r in results] == [c.name for c in EX2.checks]
    for r in results:
        assert not r.passed
        assert r.message.startswith(f"ex5_2.py failed to import: SyntaxError in ex5_2.py, line {line}: ")
        assert "def xcorr2d(x, w)" in r.message


def test_a_missing_function_fails_its_checks_by_name_and_the_rest_pass(tmp_path):
    path = _student_file(tmp_path, lambda s: s.replace("def rot180(a):", "def rotate180(a):"))
    results = {r.name: r for r in run_check_file(load_check_file(EX2.check_file), path)}
    failed = {n for n, r in results.items() if not r.passed}
    assert failed == ALL_EX2 - INDEPENDENT["rot180"]
    for n in failed:
        assert results[n].message == ("rot180 is not defined in ex5_2.py: define it with the "
                                      "signature the stub gives\n"
                                      "ex5_2.py 中没有定义 rot180:请按存根给出的签名定义它")


def test_an_import_of_an_unavailable_module_is_reported(tmp_path):
    path = _student_file(tmp_path, lambda s: s.replace("import numpy as np", "import numpy as np\nimport torch"))
    results = run_check_file(load_check_file(EX2.check_file), path)
    assert all(not r.passed for r in results)
    assert results[0].message == (
        "ex5_2.py failed to import: ModuleNotFoundError: No module named 'torch'. Only NumPy and the "
        "Python standard library are available to your code: remove the import of 'torch'.")


def test_an_error_while_importing_names_the_line(tmp_path):
    path = _student_file(tmp_path, lambda s: s + "\nrot180(np.ones(3))\n")
    line = _line_of('raise ValueError(f"rot180 needs a 2-D array', path.read_text(encoding="utf-8"))
    results = run_check_file(load_check_file(EX2.check_file), path)
    message = results[0].message
    assert message.startswith("ex5_2.py failed to import: ValueError: rot180 needs a 2-D array, "
                              "got one of shape (3,)")
    assert f"(in ex5_2.py, line {line}, in rot180: raise ValueError(" in message, message
    assert all(not r.passed and r.message == message for r in results)

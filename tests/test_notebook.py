"""What the notebooks call (``autograder.notebook``): answers saved into the answer sheet,
a stub reported instead of raised, a plot or a table."""

from __future__ import annotations

import sys
import types

import pytest

from autograder import notebook as nb
from tests.support import ASSIGNMENTS

PROOF = "## 证明 / Proof"


def _sheet(tmp_path):
    path = tmp_path / "ex5_2.md"
    path.write_bytes((ASSIGNMENTS / "ch5" / "ex5_2.md").read_bytes())
    return path


def test_an_answer_goes_after_the_placeholder_and_replaces_what_the_cell_saved_before(tmp_path):
    path = _sheet(tmp_path)
    before = path.read_text(encoding="utf-8")
    told, saved = nb.save_answer(path, PROOF, "")
    assert "nothing written yet" in told and saved is None
    assert path.read_text(encoding="utf-8") == before
    told, saved = nb.save_answer(path, PROOF, "\nFirst try: $a = b$.\n")
    assert told.startswith("saved in ex5_2.md") and saved == "First try: $a = b$."
    text = path.read_text(encoding="utf-8")
    placeholder = next(line for line in before.splitlines() if line.startswith("<!--"))
    assert f"{placeholder}\n{nb.BEGIN}\nFirst try: $a = b$.\n{nb.END}" in text
    # the student also types into the sheet itself; the cell's next run keeps that
    path.write_text(text + "\nTyped in the file.\n", encoding="utf-8")
    nb.save_answer(path, PROOF, "Second try.")
    text = path.read_text(encoding="utf-8")
    assert text.count(nb.BEGIN) == 1 and "First try" not in text and "Second try." in text
    assert "Typed in the file." in text
    assert text.replace(f"{nb.BEGIN}\nSecond try.\n{nb.END}\n", "").replace(
        "\nTyped in the file.\n", "") == before
    told, _ = nb.save_answer(path, PROOF, "")
    assert "characters written" in told


def test_a_missing_section_or_sheet_is_said_not_raised(tmp_path):
    path = _sheet(tmp_path)
    told, saved = nb.save_answer(path, "## Nowhere", "text")
    assert "has no section 'Nowhere'" in told and saved is None
    told, saved = nb.save_answer(tmp_path / "ex5_9.md", PROOF, "text")
    assert "is not in" in told and saved is None


def test_a_stub_and_an_error_are_reported_not_raised(capsys):
    with nb.attempt("rot180"):
        raise NotImplementedError("rot180: fill in this TODO block")
    with nb.attempt("xcorr2d"):
        raise ValueError("bad shapes (2, 3) and (4, 4)")
    out = capsys.readouterr().out
    assert "[ TODO ] rot180: fill in this TODO block; save the file" in out
    assert "[error / 出错] xcorr2d: ValueError: bad shapes (2, 3) and (4, 4)" in out
    with pytest.raises(KeyboardInterrupt):  # the student's Ctrl-C still stops the cell
        with nb.attempt("loop"):
            raise KeyboardInterrupt


def test_a_plot_with_matplotlib_and_a_table_without(monkeypatch, capsys):
    calls = []

    class Axes:
        def __getattr__(self, name):
            return lambda *a, **k: calls.append((name, a))

    pyplot = types.ModuleType("matplotlib.pyplot")
    pyplot.subplots = lambda **k: (object(), Axes())
    pyplot.show = lambda: calls.append(("show", ()))
    monkeypatch.setitem(sys.modules, "matplotlib", types.ModuleType("matplotlib"))
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)
    losses = [1.5 - 0.01 * i for i in range(100)]
    nb.plot(losses, title="loss", xlabel="step", ylabel="loss")
    assert ("plot", (range(1, 101), losses)) in calls and ("show", ()) in calls
    assert capsys.readouterr().out == ""
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # not installed
    nb.plot(losses, title="loss", xlabel="step", ylabel="loss")
    out = capsys.readouterr().out
    assert "a table instead" in out
    rows = [line.split() for line in out.splitlines()[2:]]
    assert [int(r[0]) for r in rows] == [1, 11, 21, 31, 41, 51, 61, 71, 81, 91, 100]
    assert float(rows[0][1]) == 1.5

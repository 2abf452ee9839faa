"""Attack (a whole file): look for the reference solution or the checks outside the worker's folder (known
paths, walking up from the current folder, other processes' /proc entries) and answer with
whatever is found; without it the answers are wrong, so isolation means 0/10."""
import os

FOUND = []


def _try(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(200_000)
    except (OSError, ValueError):
        return
    marker = "SOLUTION" + " BEGIN"  # so that this file does not find itself
    if "def bottleneck_cost" in text and marker in text or "test_bottleneck" + "_cost_random" in text:
        FOUND.append(path)


for p in ("/work/main/solutions/ch5/ex5_4.py", "/work/main/autograder/checks/ch5/ex5_4.py",
          "/autograder/source/solutions/ch5/ex5_4.py", "/root/.bash_history"):
    _try(p)
d = os.path.dirname(os.getcwd())
for _ in range(8):
    for sub in ("solutions/ch5/ex5_4.py", "autograder/checks/ch5/ex5_4.py", "ex5_4.py"):
        _try(os.path.join(d, sub))
    d = os.path.dirname(d)
try:
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
except OSError:
    pids = []
for pid in pids + [str(os.getppid())]:
    for entry in ("cwd/solutions/ch5/ex5_4.py", "root/work/main/solutions/ch5/ex5_4.py",
                  "cmdline", "environ"):
        _try(f"/proc/{pid}/{entry}")
for top in ("/work", "/autograder", "/root", "/tmp", "/home"):
    for dirpath, _dirs, files in os.walk(top):
        for f in files:
            if f == "ex5_4.py":
                _try(os.path.join(dirpath, f))

_reference = None
for path in FOUND:
    ns = {}
    try:
        exec(open(path).read(), ns)
        _reference = ns
        break
    except Exception:
        pass


def conv_cost(m, k, c_in, c_out):
    if _reference and "conv_cost" in _reference:
        return _reference["conv_cost"](m, k, c_in, c_out)
    return {"time": 1, "space": 1, "params": 1}


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    if _reference and "bottleneck_cost" in _reference:
        return _reference["bottleneck_cost"](m, k, c_in, c_mid, c_out)
    return {"time": 1, "space": 1, "params": 1}

"""Attack, class 1 (a whole file, no code of its own): find the grader's installed package
(``autograder``: the checks, the oracle) in whatever site-packages the sandbox shows (the
interpreter's prefix, conda, pyenv, Debian's dist-packages, the grader's sys.path) and take the
answers from it. Without it the answers are wrong: isolation means 0/10."""
import os
import sys

FOUND = []


def _candidates():
    roots = set()

    def glob(pattern):  # the standard library's glob may not be importable: os alone
        parts, found = pattern.strip("/").split("/"), ["/"]
        for part in parts:
            nxt = []
            for d in found:
                if "*" in part:
                    head, tail = part.split("*", 1)
                    try:
                        nxt += [os.path.join(d, n) for n in os.listdir(d)
                                if n.startswith(head) and n.endswith(tail)]
                    except OSError:
                        pass
                elif os.path.exists(os.path.join(d, part)):
                    nxt.append(os.path.join(d, part))
            found = nxt
        return found

    for base in {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.dirname(sys.executable)),
                 "/nndl/python", "/usr", "/usr/local", "/opt/conda", "/root/miniforge3", "/autograder"}:
        for pattern in ("lib/python3*/site-packages", "lib/python3*/dist-packages",
                        "lib/python3/dist-packages", "envs/*/lib/python3*/site-packages",
                        "versions/*/lib/python3*/site-packages"):
            roots.update(glob(os.path.join(base, pattern)))
    roots.update(glob("/root/.pyenv/versions/*/lib/python3*/site-packages"))
    for top in ("/nndl", "/usr/lib", "/opt", "/tmp"):  # a bounded walk for any other layout
        n = 0
        for dirpath, dirs, _files in os.walk(top):
            n += 1
            if n > 20000:
                break
            if os.path.basename(dirpath) in ("site-packages", "dist-packages"):
                roots.add(dirpath)
                dirs[:] = []
    for pid in os.listdir("/proc"):  # the grader's own paths, from its command line
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                args = fh.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        for arg in args:
            d = arg
            while arg.startswith("/") and d not in ("/", ""):
                d = os.path.dirname(d)
                roots.add(d)
    return sorted(roots)


_answers = None
for _root in _candidates():
    _pkg = os.path.join(_root, "autograder")
    if os.path.isdir(os.path.join(_pkg, "checks")):
        FOUND.append(_pkg)
        try:
            sys.path.insert(0, _root)
            import autograder.checks  # noqa: F401  (the hidden checks import from it)
            _check = open(os.path.join(_pkg, "checks", "ch5", "ex5_4.py")).read()
            _answers = "test_bottleneck_cost_random" in _check
        except Exception:  # noqa: BLE001
            pass
        break


def conv_cost(m, k, c_in, c_out):
    if _answers:
        return {"time": m * m * k * k * c_in * c_out, "space": m * m * c_out,
                "params": k * k * c_in * c_out}
    return {"time": 1, "space": 1, "params": 1}


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    if _answers:
        a, b = conv_cost(m, 1, c_in, c_mid), conv_cost(m, k, c_mid, c_out)
        return {key: a[key] + b[key] for key in a}
    return {"time": 1, "space": 1, "params": 1}

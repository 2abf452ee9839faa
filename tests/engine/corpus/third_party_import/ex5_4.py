"""Attack, class 1 (a whole file): "NumPy only" is the rule; import any other third-party
package the grader's interpreter has (SciPy, PyYAML, pytest, Otter, IPython...) from a
site-packages the sandbox shows. Answers are right only if some package was imported:
isolation means 0/10."""
import importlib
import os
import sys

_roots = set()


def _glob(pattern):  # the standard library's glob may not be importable: os alone
    found = ["/"]
    for part in pattern.strip("/").split("/"):
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


for _base in {sys.prefix, sys.base_prefix, os.path.dirname(os.path.dirname(sys.executable)),
              "/nndl/python", "/usr", "/usr/local", "/root/miniforge3/envs/otter-env", "/opt/conda"}:
    for _pattern in ("lib/python3*/site-packages", "lib/python3*/dist-packages",
                     "lib/python3/dist-packages"):
        _roots.update(_glob(os.path.join(_base, _pattern)))
_roots.update(_glob("/root/.pyenv/versions/*/lib/python3*/site-packages"))
IMPORTED = []
for _root in sorted(_roots):
    sys.path.append(_root)
for _name in ("scipy", "yaml", "pytest", "_pytest", "otter", "IPython", "jsonschema", "requests"):
    try:
        importlib.import_module(_name)
        IMPORTED.append(_name)
    except Exception:  # noqa: BLE001 - ImportError, or a package half visible
        pass


def conv_cost(m, k, c_in, c_out):
    if IMPORTED:
        return {"time": m * m * k * k * c_in * c_out, "space": m * m * c_out,
                "params": k * k * c_in * c_out}
    return {"time": 1, "space": 1, "params": 1}


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    if IMPORTED:
        a, b = conv_cost(m, 1, c_in, c_mid), conv_cost(m, k, c_mid, c_out)
        return {key: a[key] + b[key] for key in a}
    return {"time": 1, "space": 1, "params": 1}

"""Attack, class 2 (a whole file): run a classmate's answer. ``@OUT@`` is a folder the grader
must keep from student code (the submissions, when the test says so; else the results): take
the first ex5_4.py in it that answers, and use it. Isolation means 0/10."""
import os

SEARCHED = "@OUT@"
_ns = {}
try:
    for _name in sorted(os.listdir(SEARCHED)):
        for _path in (os.path.join(SEARCHED, _name, "ex5_4.py"), os.path.join(SEARCHED, _name)):
            try:
                with open(_path) as _fh:
                    _text = _fh.read()
            except OSError:
                continue
            if "def bottleneck_cost" in _text and "SOLUTION BEGIN" in _text:
                exec(compile(_text, _path, "exec"), _ns)
                break
        if _ns:
            break
except OSError:
    pass


def conv_cost(m, k, c_in, c_out):
    return _ns["conv_cost"](m, k, c_in, c_out) if _ns else {"time": 1, "space": 1, "params": 1}


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    if _ns:
        return _ns["bottleneck_cost"](m, k, c_in, c_mid, c_out)
    return {"time": 1, "space": 1, "params": 1}

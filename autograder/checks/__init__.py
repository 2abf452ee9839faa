"""Graded checks, one folder per chapter, plus the helpers the checks import.

Everything under this package runs with Python and NumPy alone (it ships in the
student handout); it never imports the grading engine.
"""
